/**
 * The web UI in Debian's chromium (playwright-core), against a real server running the real
 * claude on the fake Anthropic API, with access control on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { DEFAULT_TEXT_REPLY, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { launchBrowser, RESULTS } from '../helpers/browser.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'e2e-owner-token-0123456789';
const LONG = 60_000;
let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
let browser: Browser;
const workspace = tempDir('e2e');
const foreign: string[] = [];
let first: { ctx: BrowserContext; page: Page; id: string };

/** A logged-in context whose requests may go to the server only (the LAN-with-no-internet case). */
async function context(opts: { width?: number; height?: number; mobile?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: { width: opts.width ?? 1200, height: opts.height ?? 760 },
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
  });
  const origin = new URL(server.url).origin;
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  return ctx;
}

const screen = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { ccpty: { text(): string } }).ccpty.text());
const stateOf = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { ccpty: { state(): string } }).ccpty.state());

async function screenContains(page: Page, text: string, timeoutMs = LONG): Promise<void> {
  await waitFor(async () => (await screen(page).catch(() => '')).includes(text), `the terminal to show "${text}"`, timeoutMs, 100);
}

async function openSession(ctx: BrowserContext, query = ''): Promise<{ page: Page; id: string }> {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?token=${TOKEN}${query}`);
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  const id = new URL(page.url()).searchParams.get('id')!;
  await waitFor(async () => (await stateOf(page).catch(() => '')) === 'idle', 'the session to be idle', LONG, 100);
  return { page, id };
}

before(async () => {
  fs.mkdirSync(RESULTS, { recursive: true });
  fake = await startFakeAnthropic();
  cenv = createClaudeEnv({ baseUrl: fake.url });
  server = await startServer({ workspace, env: cenv.env, token: TOKEN });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
  cenv?.cleanup();
});

test('/ opens a new session: its id goes into the address bar and shows at the bottom', { timeout: LONG }, async () => {
  const ctx = await context();
  const { page, id } = await openSession(ctx);
  assert.equal(page.url(), `${server.url}/?id=${id}`, 'the token left the address bar');
  assert.equal((await page.getByTestId('session-id').textContent())?.trim(), id);
  first = { ctx, page, id };
});

test('a prompt typed into the terminal gets the reply on screen', { timeout: LONG }, async () => {
  const { page } = first;
  await page.locator('.xterm').click();
  await page.keyboard.type('say hi MOCK:text');
  await page.keyboard.press('Enter');
  await screenContains(page, DEFAULT_TEXT_REPLY);
  await waitFor(async () => (await stateOf(page)) === 'idle', 'idle again', LONG, 100);
  await page.screenshot({ path: path.join(RESULTS, 'desktop.png') });
});

test('a pending Bash tool shows the approval panel; its first option runs it', { timeout: LONG }, async () => {
  const { page, id } = first;
  await page.getByTestId('compose').fill('please create the greeting file');
  await page.getByTestId('compose').press('Enter');
  const panel = page.getByTestId('approval');
  await panel.waitFor({ state: 'visible', timeout: LONG });
  assert.match((await page.getByTestId('tool-input').textContent()) ?? '', /touch hello-from-tool\.txt/);
  assert.match((await panel.textContent()) ?? '', /Bash/);
  await page.screenshot({ path: path.join(RESULTS, 'desktop-approval.png') });
  await panel.locator('[data-option="0"]').click();
  await waitFor(() => fs.existsSync(path.join(workspace, id, 'hello-from-tool.txt')), 'the file to appear', LONG);
  await panel.waitFor({ state: 'hidden', timeout: LONG });
  await waitFor(async () => (await stateOf(page)) === 'idle', 'idle after the tool', LONG, 100);
});

test('a reload restores the screen from the snapshot, without duplicated lines', { timeout: LONG }, async () => {
  const { page } = first;
  const before = await screen(page);
  await page.reload();
  await screenContains(page, DEFAULT_TEXT_REPLY);
  const after = await screen(page);
  const count = (s: string) => s.split(DEFAULT_TEXT_REPLY).length - 1;
  assert.equal(count(after), count(before), 'the reply shows as often as before');
});

test('a second browser on the same id sees the same screen; its keystrokes show in the first', { timeout: LONG }, async () => {
  const ctx2 = await context();
  const page2 = await ctx2.newPage();
  await page2.goto(`${server.url}/?id=${first.id}&token=${TOKEN}`);
  await page2.waitForURL(new RegExp(`/\\?id=${first.id}$`));
  await screenContains(page2, DEFAULT_TEXT_REPLY);
  await page2.locator('.xterm').click();
  await page2.keyboard.type('typed from the second browser');
  await screenContains(first.page, 'typed from the second browser', 15_000);
  // clear the typed line again (Ctrl-U) so later steps start clean
  await page2.keyboard.press('Control+U');
  await ctx2.close();
});

test('the sessions page lists every session with its state', { timeout: LONG }, async () => {
  const other = await openSession(await context());
  const page = await first.ctx.newPage();
  await page.goto(`${server.url}/sessions`);
  const rows = page.getByTestId('session-list').locator('[data-session]');
  await waitFor(async () => (await rows.count()) >= 2, 'two rows', LONG);
  const api = await fetch(`${server.url}/api/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json()) as { sessions: Array<{ id: string; state: string }> };
  for (const s of api.sessions.filter((x) => x.id === first.id || x.id === other.id)) {
    const row = page.locator(`[data-session="${s.id}"]`);
    assert.equal(await row.getAttribute('data-state'), s.state);
    assert.equal((await row.getByTestId('row-state').textContent())?.trim(), s.state === 'stopped' ? 'stopped' : s.state);
  }
  await page.screenshot({ path: path.join(RESULTS, 'desktop-sessions.png') });
  await page.close();
});

test('a view-only link shows the terminal and state and refuses input', { timeout: LONG }, async () => {
  const share = await fetch(`${server.url}/api/sessions/${first.id}/shares`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'view' }),
  }).then((r) => r.json()) as { url: string };
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(share.url);
  await page.waitForURL(new RegExp(`/\\?id=${first.id}$`));
  await page.getByTestId('view-only').waitFor();
  await screenContains(page, DEFAULT_TEXT_REPLY);
  assert.equal(await page.getByTestId('compose').count(), 0, 'no compose box');
  assert.equal(await page.getByTestId('keybar').count(), 0, 'no keys bar');
  await page.locator('.xterm').click();
  await page.keyboard.type('VIEWER-TYPED');
  await page.keyboard.press('Enter');
  // The owner's screen never shows it (wait past a round trip, on a condition: the owner
  // screen is fresh after its own echo of a marker typed now).
  await first.page.locator('.xterm').click();
  await first.page.keyboard.type('owner-marker');
  await screenContains(first.page, 'owner-marker', 15_000);
  assert.ok(!(await screen(first.page)).includes('VIEWER-TYPED'), 'the view-only page sent nothing');
  await first.page.keyboard.press('Control+U');
  await ctx.close();
});

test('on a 390×844 phone the terminal fits and the keys bar sends Esc and arrows', { timeout: LONG }, async () => {
  const keys = await startServer({ command: 'cat -v', token: TOKEN });
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await page.goto(`${keys.url}/?token=${TOKEN}`);
    await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
    await page.getByTestId('keybar').waitFor();
    const box = await page.locator('.xterm').boundingBox();
    assert.ok(box && box.width <= 390 && box.x >= 0, 'the terminal fits the width');
    await page.getByRole('button', { name: 'Esc' }).tap();
    await page.getByRole('button', { name: '↑' }).tap();
    await page.getByRole('button', { name: '→' }).tap();
    await page.getByRole('button', { name: '⏎' }).tap();
    // cat -v shows what arrived: ESC as ^[, then the arrow sequences.
    await waitFor(async () => (await screen(page)).includes('^[^[[A^[[C'), 'cat -v to echo Esc, Up, Right', 15_000, 100);
    await page.screenshot({ path: path.join(RESULTS, 'phone.png') });
    await ctx.close();
  } finally {
    await keys.stop();
  }
});

test('the pages asked for nothing but the server (works on a LAN with no internet)', () => {
  assert.deepEqual(foreign, [], `requests to other hosts: ${foreign.join(', ')}`);
});
