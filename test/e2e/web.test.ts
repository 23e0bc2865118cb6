/**
 * The web UI in Debian's chromium (playwright-core), against a real server running the real
 * claude on the fake Anthropic API, with access control on. (web-shell.test.ts covers what
 * needs no Claude Code: the ended screen, keys and swipes, compressed assets.)
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
import { axeViolations, ccpty, recordFrames, stateIs } from '../helpers/web-page.js';

const TOKEN = 'e2e-owner-token-0123456789';
const LONG = 60_000;
const PHONE = { width: 390, height: 844 };
let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
let browser: Browser;
const workspace = tempDir('e2e');
const foreign: string[] = [];
let first: { ctx: BrowserContext; page: Page; id: string };

/** A logged-in context whose requests may go to the server only (the LAN-with-no-internet case). */
async function context(opts: { width?: number; height?: number; mobile?: boolean; dark?: boolean; axe?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: { width: opts.width ?? 1200, height: opts.height ?? 760 },
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    colorScheme: opts.dark ? 'dark' : 'light',
    bypassCSP: opts.axe ?? false, // axe-core is injected as a script
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

const api = <T>(p: string, init: RequestInit = {}): Promise<T> =>
  fetch(`${server.url}${p}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } }).then((r) => r.json() as Promise<T>);

interface Info {
  id: string;
  state: string;
  cols: number;
  rows: number;
  viewers: number;
  title: string | null;
  first_prompt: string | null;
  folder: string;
}

const screenText = async (page: Page): Promise<string> => (await ccpty(page, 'text').catch(() => '')).replace(/\u00a0/g, ' ');
/**
 * The visible screen as text a person reads: Claude Code redraws its prompt line when its
 * window loses focus (a trailing no-break space comes and goes), which changes nothing legible.
 */
const legible = async (page: Page): Promise<string[]> => (await ccpty(page, 'screen')).map((l) => l.replace(/\u00a0/g, ' ').trimEnd());

async function screenContains(page: Page, text: string, timeoutMs = LONG): Promise<void> {
  await waitFor(async () => (await screenText(page)).includes(text), `the terminal to show "${text}"`, timeoutMs, 100);
}

/** A new session from the dashboard's link; waits until Claude Code is idle. */
async function newSession(ctx: BrowserContext): Promise<{ page: Page; id: string }> {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?new=1&token=${TOKEN}`);
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  const id = new URL(page.url()).searchParams.get('id')!;
  await stateIs(page, 'idle', LONG);
  return { page, id };
}

async function openSession(ctx: BrowserContext, id: string, query = `&token=${TOKEN}`): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?id=${id}${query}`);
  await page.waitForURL(new RegExp(`/\\?id=${id}$`));
  return page;
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

test('/ is the dashboard: visiting it twice creates no session; "New session" opens one', { timeout: LONG }, async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?token=${TOKEN}`);
  await page.getByTestId('new-session').waitFor();
  await page.goto(`${server.url}/`);
  await page.getByTestId('empty').waitFor();
  assert.equal((await api<{ sessions: Info[] }>('/api/sessions')).sessions.length, 0, 'no session was made by visiting /');
  await page.getByTestId('new-session').click();
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  const id = new URL(page.url()).searchParams.get('id')!;
  assert.equal(page.url(), `${server.url}/?id=${id}`, 'the token and ?new left the address bar');
  assert.equal((await page.getByTestId('session-id').textContent())?.trim(), id);
  await stateIs(page, 'idle', LONG);
  const info = await api<Info>(`/api/sessions/${id}`);
  assert.deepEqual(await ccpty(page, 'size'), { cols: info.cols, rows: info.rows }, 'the only viewer sized the session to its window');
  first = { ctx, page, id };
});

test('a prompt typed into the terminal gets the reply on screen; it becomes the title', { timeout: LONG }, async () => {
  const { page, id } = first;
  await page.locator('.xterm').click();
  await page.keyboard.type('say hi MOCK:text');
  await page.keyboard.press('Enter');
  await screenContains(page, DEFAULT_TEXT_REPLY);
  await stateIs(page, 'idle', LONG);
  await waitFor(async () => (await api<Info>(`/api/sessions/${id}`)).first_prompt === 'say hi MOCK:text', 'the first prompt to be kept', 10_000, 100);
  await waitFor(async () => (await page.getByTestId('session-title').textContent()) === 'say hi MOCK:text', 'the page title', 10_000, 100);
  await page.screenshot({ path: path.join(RESULTS, 'desktop.png') });
});

/** One session_pending for one dialog; a second only if what it says changed (options read from the screen after the hook). */
function onePendingPerDialog(pendings: Array<Record<string, unknown>>): void {
  const said = (f: Record<string, unknown>): string => JSON.stringify([f.kind, f.question, f.options]);
  assert.ok(pendings.length === 1 || (pendings.length === 2 && said(pendings[0]!) !== said(pendings[1]!)), `session_pending frames for the dialog: ${JSON.stringify(pendings)}`);
}

test('desktop approval: the panel lies over the terminal, one session_pending, "Yes" runs it and typing reaches the terminal; "n" declines', { timeout: 2 * LONG }, async () => {
  const { page, id } = first;
  const frames = recordFrames(page);
  await page.reload(); // so the frames are recorded from the start
  await stateIs(page, 'idle', LONG);
  const before = await ccpty(page, 'size');
  await page.getByTestId('compose').fill('please create the greeting file');
  await page.getByTestId('compose').press('Enter');
  const panel = page.getByTestId('approval');
  await panel.waitFor({ state: 'visible', timeout: LONG });
  assert.match((await page.getByTestId('tool-input').textContent()) ?? '', /touch hello-from-tool\.txt/);
  assert.match((await panel.textContent()) ?? '', /Bash/);
  assert.deepEqual(await ccpty(page, 'size'), before, 'the terminal kept its rows while the dialog waits');
  await page.screenshot({ path: path.join(RESULTS, 'desktop-approval.png') });
  // Tab from the terminal goes to the panel (in Claude Code's dialog Tab would mean "amend").
  await page.locator('.xterm').click({ position: { x: 40, y: 10 } });
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.option), '0', 'the first option has the focus');
  await panel.locator('[data-option="0"]').click();
  await waitFor(() => fs.existsSync(path.join(workspace, id, 'hello-from-tool.txt')), 'the file to appear', LONG);
  await panel.waitFor({ state: 'hidden', timeout: LONG });
  await stateIs(page, 'idle', LONG);
  const pendings = frames.filter((f) => f.type === 'session_pending');
  assert.equal(new Set(pendings.map((f) => f.tool_use_id)).size, 1);
  onePendingPerDialog(pendings);
  // The focus went back to the terminal: typing reaches Claude Code's prompt box.
  await page.keyboard.type('typed-after-yes');
  await screenContains(page, 'typed-after-yes', 15_000);
  await page.keyboard.press('Control+U');
  // The keyboard answers too: "n" declines (No).
  await page.getByTestId('compose').fill('please make the declined file MOCK:cmd=touch declined.txt');
  await page.getByTestId('compose').press('Enter');
  await panel.waitFor({ state: 'visible', timeout: LONG });
  await page.locator('.xterm').click({ position: { x: 40, y: 10 } }); // above the panel
  await page.keyboard.press('n');
  await panel.waitFor({ state: 'hidden', timeout: LONG });
  await stateIs(page, 'idle', LONG);
  assert.ok(!fs.existsSync(path.join(workspace, id, 'declined.txt')), 'declined: the command did not run');
});

test('a reload restores the screen from the snapshot, without duplicated lines', { timeout: LONG }, async () => {
  const { page } = first;
  const count = (s: string): number => s.split(DEFAULT_TEXT_REPLY).length - 1;
  const before = count(await screenText(page));
  await page.reload();
  await screenContains(page, DEFAULT_TEXT_REPLY);
  assert.equal(count(await screenText(page)), before, 'the reply shows as often as before');
});

test('a second browser attaches (first paint measured); its keystrokes show in the first', { timeout: LONG }, async (t) => {
  const ctx2 = await context();
  const page2 = await openSession(ctx2, first.id);
  await screenContains(page2, DEFAULT_TEXT_REPLY);
  const paint = await waitFor(() => ccpty(page2, 'firstPaint'), 'the first paint', 10_000, 50);
  const nav = await page2.evaluate(() => performance.getEntriesByType('navigation')[0]?.startTime ?? 0);
  t.diagnostic(`time to first terminal paint on attach: ${Math.round(paint - nav)} ms after navigation start`);
  await page2.locator('.xterm').click();
  await page2.keyboard.type('typed from the second browser');
  await screenContains(first.page, 'typed from the second browser', 15_000);
  await page2.keyboard.press('Control+U'); // clean again for later steps
  await ctx2.close();
  await first.page.locator('.xterm').click(); // the first browser drives again
});

test('a phone joining the desktop session leaves the desktop screen as it was; it shows the same grid scaled', { timeout: LONG }, async () => {
  const { page, id } = first;
  await waitFor(async () => ccpty(page, 'driving'), 'the desktop to drive', 10_000, 100);
  const desk = await ccpty(page, 'size');
  const lines = await legible(page);
  const ctx = await context({ ...PHONE, mobile: true });
  const phone = await openSession(ctx, id);
  await stateIs(phone, 'idle', LONG);
  await waitFor(async () => JSON.stringify(await ccpty(phone, 'size')) === JSON.stringify(desk), "the phone to render the PTY's grid", 10_000, 100);
  const info = await api<Info>(`/api/sessions/${id}`);
  assert.deepEqual({ cols: info.cols, rows: info.rows }, desk, 'the PTY kept the desktop size');
  assert.deepEqual(await ccpty(page, 'size'), desk, 'the desktop was not re-wrapped');
  // Claude Code's screen changes by itself (a hint times out): what matters is that it was not
  // re-wrapped. Its rules still span the desktop's width, and its lines are where they were.
  const now = await legible(page);
  const rule = now.find((l) => l.startsWith('────'));
  assert.equal(rule?.length, desk.cols, 'the rule under the prompt spans the desktop width');
  const reply = lines.indexOf('● Hello from the fake API.');
  assert.ok(reply >= 0 && now[reply] === lines[reply], 'the reply is where it was');
  assert.ok((await ccpty(phone, 'scale')) < 1, 'the phone scales the wide grid down');
  assert.equal(await ccpty(phone, 'driving'), false);
  await phone.getByTestId('fit').waitFor();
  await phone.screenshot({ path: path.join(RESULTS, 'phone-joined.png') });
  await ctx.close();
});

test('on a 390×844 phone a Bash permission panel shows every option, with one session_pending', { timeout: 2 * LONG }, async () => {
  const ctx = await context({ ...PHONE, mobile: true });
  const page = await ctx.newPage();
  const frames = recordFrames(page);
  await page.goto(`${server.url}/?new=1&token=${TOKEN}`);
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  const id = new URL(page.url()).searchParams.get('id')!;
  await stateIs(page, 'idle', LONG);
  const size = await ccpty(page, 'size');
  assert.ok(size.cols <= 60, `a phone-sized PTY: ${JSON.stringify(size)}`);
  await page.getByTestId('compose').fill('please create the greeting file');
  await page.getByTestId('compose').press('Enter');
  const panel = page.getByTestId('approval');
  await panel.waitFor({ state: 'visible', timeout: LONG });
  await waitFor(async () => (await panel.locator('[data-option]').count()) === 5, 'four options and Cancel', 10_000, 100);
  const labels = await panel.locator('[data-option]').allTextContents();
  assert.match(labels[0] ?? '', /Yes$/);
  assert.match(labels[3] ?? '', /No$/);
  for (let i = 0; i < 5; i++) {
    const box = await panel.locator('[data-option]').nth(i).boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height && box.height >= 44, `option ${i} on screen, a big target: ${JSON.stringify(box)}`);
  }
  await page.screenshot({ path: path.join(RESULTS, 'phone-approval.png') });
  await panel.locator('[data-option="0"]').tap();
  await waitFor(() => fs.existsSync(path.join(workspace, id, 'hello-from-tool.txt')), 'the file to appear', LONG);
  await stateIs(page, 'idle', LONG);
  const pendings = frames.filter((f) => f.type === 'session_pending');
  assert.equal(new Set(pendings.map((f) => f.tool_use_id)).size, 1);
  onePendingPerDialog(pendings);
  assert.deepEqual(await ccpty(page, 'size'), size, 'the PTY kept its size through the dialog');
  await ctx.close();
});

test('a view-only viewer in another window size shows exactly the owner\'s text and never resizes', { timeout: LONG }, async () => {
  const share = await api<{ url: string }>(`/api/sessions/${first.id}/shares`, { method: 'POST', body: JSON.stringify({ role: 'view' }) });
  const before = await api<Info>(`/api/sessions/${first.id}`);
  const ctx = await context({ width: 700, height: 480 });
  const page = await ctx.newPage();
  await page.goto(share.url);
  await page.waitForURL(new RegExp(`/\\?id=${first.id}$`));
  await page.getByTestId('view-only').waitFor();
  assert.equal(await page.getByTestId('compose').count(), 0, 'no compose box');
  assert.equal(await page.getByTestId('keybar').count(), 0, 'no keys bar');
  await waitFor(async () => JSON.stringify(await legible(page)) === JSON.stringify(await legible(first.page)), "the viewer's screen to equal the owner's", 15_000, 200);
  assert.deepEqual(await ccpty(page, 'size'), { cols: before.cols, rows: before.rows });
  await page.locator('.xterm').click();
  await page.keyboard.type('VIEWER-TYPED');
  await first.page.locator('.xterm').click();
  await first.page.keyboard.type('owner-marker');
  await screenContains(first.page, 'owner-marker', 15_000);
  assert.ok(!(await screenText(first.page)).includes('VIEWER-TYPED'), 'the view-only page sent nothing');
  await first.page.keyboard.press('Control+U');
  const now = await api<Info>(`/api/sessions/${first.id}`);
  assert.deepEqual([now.cols, now.rows], [before.cols, before.rows], 'the viewer never resized the PTY');
  await ctx.close();
});

test('the dashboard: first prompt as title, state, search, rename, delete with its folder', { timeout: LONG }, async () => {
  const page = await first.ctx.newPage();
  await page.goto(`${server.url}/`);
  const row = page.locator(`[data-session="${first.id}"]`);
  await row.waitFor();
  assert.equal((await row.getByTestId('row-title').textContent())?.trim(), 'say hi MOCK:text');
  assert.equal(await row.getAttribute('data-state'), 'idle');
  await page.getByTestId('search').fill('say hi');
  await waitFor(async () => (await page.locator('[data-session]').count()) === 1, 'one row matching', 5_000, 50);
  await page.getByTestId('search').fill('');
  await row.getByTestId('rename').click();
  await row.getByTestId('rename-input').fill('Greeting work');
  await row.getByTestId('rename-input').press('Enter');
  await waitFor(async () => (await row.getByTestId('row-title').textContent())?.trim() === 'Greeting work', 'the new name', 10_000, 100);
  assert.equal((await api<Info>(`/api/sessions/${first.id}`)).title, 'Greeting work');
  assert.equal(await page.locator(`[data-session="${first.id}"]`).count(), 1, 'one row for it');
  // Delete another session, folder and all.
  const doomed = await api<Info>('/api/sessions', { method: 'POST' });
  await waitFor(() => fs.existsSync(doomed.folder), 'its folder', 10_000);
  const doomedRow = page.locator(`[data-session="${doomed.id}"]`);
  await doomedRow.waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(RESULTS, 'dashboard.png') });
  await doomedRow.getByTestId('delete').click();
  await page.getByTestId('delete-folder').check();
  await page.getByTestId('delete-confirm').click();
  await doomedRow.waitFor({ state: 'detached', timeout: 20_000 });
  const gone = await fetch(`${server.url}/api/sessions/${doomed.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(gone.status, 404);
  assert.ok(!fs.existsSync(doomed.folder), 'its folder was removed');
  await page.close();
});

test('axe-core finds no serious or critical issue on any page, light or dark', { timeout: 3 * LONG }, async () => {
  const found: string[] = [];
  const check = async (page: Page, what: string): Promise<void> => {
    for (const v of await axeViolations(page)) found.push(`${what}: ${v}`);
  };
  for (const dark of [false, true]) {
    const theme = dark ? 'dark' : 'light';
    const ctx = await context({ dark, axe: true });
    // The dark run with xterm's screen reader mode on: its accessible mirror of the screen is checked too.
    if (dark) await ctx.addInitScript(() => localStorage.setItem('ccpty.prefs', JSON.stringify({ screenReader: true })));
    const page = await ctx.newPage();
    await page.goto(`${server.url}/login`);
    await check(page, `${theme} login`);
    await page.goto(`${server.url}/?token=${TOKEN}`);
    await page.locator('[data-session]').first().waitFor();
    await check(page, `${theme} dashboard`);
    await page.locator('[data-session]').first().getByTestId('delete').click();
    await check(page, `${theme} delete dialog`);
    await page.keyboard.press('Escape');
    await page.getByTestId('settings').click();
    await check(page, `${theme} settings`);
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/?id=${first.id}`);
    await stateIs(page, 'idle', LONG);
    await check(page, `${theme} session`);
    await page.getByTestId('share').click();
    await check(page, `${theme} share dialog`);
    await page.keyboard.press('Escape');
    await page.getByTestId('compose').fill('please make the axe file MOCK:cmd=touch axe.txt');
    await page.getByTestId('compose').press('Enter');
    await page.getByTestId('approval').waitFor({ state: 'visible', timeout: LONG });
    await check(page, `${theme} approval panel`);
    await page.keyboard.press('Escape');
    await page.getByTestId('approval').waitFor({ state: 'hidden', timeout: LONG });
    await stateIs(page, 'idle', LONG);
    await ctx.close();
  }
  assert.deepEqual(found, []);
});

test('logging out ends this browser\'s login', { timeout: LONG }, async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?token=${TOKEN}`);
  await page.getByTestId('new-session').waitFor();
  const cookie = (await ctx.cookies()).find((c) => c.name === 'ccpty_login');
  assert.ok(cookie, 'logged in with a cookie');
  const withCookie = (): Promise<number> => fetch(`${server.url}/api/sessions`, { headers: { cookie: `ccpty_login=${cookie.value}` } }).then((r) => r.status);
  assert.equal(await withCookie(), 200, 'the cookie opens the API');
  await page.getByTestId('settings').click();
  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${server.url}/`);
  assert.match(await page.content(), /access token/, 'the login page again');
  assert.equal(await withCookie(), 401, 'a copy of the cookie no longer works either');
  await ctx.close();
});

test('the pages asked for nothing but the server (works on a LAN with no internet)', () => {
  assert.deepEqual(foreign, [], `requests to other hosts: ${foreign.join(', ')}`);
});
