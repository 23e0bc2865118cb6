/**
 * The web UI where no Claude Code is needed (each server runs a small command): a session whose
 * program exits at start, keys and swipes on a phone, and how the UI is served (compressed,
 * cached, no source maps, an icon and a manifest).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, RESULTS } from '../helpers/browser.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { countBytes, ccpty, stateIs, swipe } from '../helpers/web-page.js';
import { TestClient } from '../helpers/ws-client.js';

const TOKEN = 'e2e-owner-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const LONG = 60_000;
/** How long the tab of a session that exits at start is watched for relaunches. */
const WATCH_MS = 15_000;
let browser: Browser;
const servers: RunningServer[] = [];

async function server(command: string): Promise<RunningServer> {
  const s = await startServer({ command, token: TOKEN });
  servers.push(s);
  return s;
}

const info = (s: RunningServer, id: string): Promise<{ runs: number; state: string; exit_code: number | null; exit_reason: string | null; exit_tail: string[] | null; quick_exits: number }> =>
  fetch(`${s.url}/api/sessions/${id}`, { headers: AUTH }).then((r) => r.json() as never);

before(async () => {
  fs.mkdirSync(RESULTS, { recursive: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
});

test('a program that exits at start: the ended screen with Resume, launched once while the tab stays open', { timeout: 2 * LONG }, async () => {
  const s = await server('echo "claude: cannot start in this folder"; exit 3');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${s.url}/?new=1&token=${TOKEN}`);
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  const id = new URL(page.url()).searchParams.get('id')!;
  const ended = page.getByTestId('ended');
  await ended.waitFor({ state: 'visible', timeout: LONG });
  await page.getByTestId('resume').waitFor();
  await waitFor(async () => /exit code 3/.test((await page.getByTestId('ended-title').textContent()) ?? ''), 'the exit code', 10_000, 100);
  await waitFor(async () => /cannot start in this folder/.test((await page.getByTestId('ended-tail').textContent()) ?? ''), 'its last lines', 10_000, 100);
  assert.equal(await page.getByTestId('state').getAttribute('data-state'), 'ended', 'the badge says ended');
  await page.screenshot({ path: path.join(RESULTS, 'ended.png') });
  // Everything that relaunched it before: focus changes, the terminal answering queries
  // (device attributes, its background colour, focus reports), a key a person types.
  await page.locator('.xterm').click({ position: { x: 20, y: 20 } });
  await ccpty(page, 'feed', '\x1b[?1004h\x1b[c\x1b]11;?\x07\x1b[6n');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.locator('.xterm').click({ position: { x: 20, y: 20 } });
  await page.keyboard.type('x');
  const deadline = Date.now() + WATCH_MS;
  while (Date.now() < deadline) {
    assert.equal((await info(s, id)).runs, 1, 'launched exactly once');
    await page.waitForTimeout(500); // observing a period: nothing may happen in it
  }
  // A person resumes it: one more run, which ends the same way; from then on input alone
  // does not restart it (two quick exits in a row).
  await page.getByTestId('resume').click();
  await waitFor(async () => (await info(s, id)).runs === 2 && (await info(s, id)).state === 'stopped', 'the second run to end', LONG, 100);
  await ended.waitFor({ state: 'visible', timeout: LONG });
  const i = await info(s, id);
  assert.equal(i.quick_exits, 2);
  assert.match(i.exit_reason ?? '', /2 times in a row/);
  const ws = await TestClient.connect(`${s.wsUrl}/ws/${id}`, AUTH);
  ws.sendBinary('\x1b[I\x1b[?1;2c'); // a terminal's own answers: absorbed, whatever the count
  ws.send({ type: 'bytes_input', input: 'x' }); // a key a person typed
  const err = await ws.nextType('session_error');
  assert.equal(err.error_code, 'restart_blocked');
  assert.equal(ws.messages.filter((m) => m.type === 'session_error').length, 1, 'the automatic replies were absorbed silently');
  assert.equal((await info(s, id)).runs, 2, 'input did not restart it');
  await ws.close();
  await ctx.close();
});

test('on a phone: the keys bar sends its keys by name; a swipe and PgUp scroll back through history', { timeout: LONG }, async () => {
  const s = await server('seq 1 300; exec cat -v');
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await page.goto(`${s.url}/?new=1&token=${TOKEN}`);
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  await page.getByTestId('keybar').waitFor();
  await waitFor(async () => (await ccpty(page, 'text')).includes('300'), 'the output', 10_000, 100);
  const box = await page.locator('.xterm').boundingBox();
  assert.ok(box && box.width <= 390 && box.x >= 0, 'the terminal fits the width');
  const bottom = await ccpty(page, 'scroll');
  assert.ok(bottom.baseY > 0 && bottom.viewportY === bottom.baseY, `history above the screen: ${JSON.stringify(bottom)}`);
  await swipe(ctx, page, '.xterm', 300);
  await waitFor(async () => (await ccpty(page, 'scroll')).viewportY < bottom.baseY, 'a swipe down to scroll back', 5_000, 50);
  const swiped = (await ccpty(page, 'scroll')).viewportY;
  await page.getByRole('button', { name: 'Scroll up' }).tap();
  await waitFor(async () => (await ccpty(page, 'scroll')).viewportY < swiped, 'PgUp to scroll back further', 5_000, 50);
  await page.getByRole('button', { name: 'Escape' }).tap();
  await page.getByRole('button', { name: 'Up arrow' }).tap();
  await page.getByRole('button', { name: 'Right arrow' }).tap();
  await page.getByRole('button', { name: 'Enter' }).tap();
  // cat -v shows what arrived: ESC as ^[, then the arrow sequences.
  await waitFor(async () => (await ccpty(page, 'text')).includes('^[^[[A^[[C'), 'cat -v to echo Esc, Up, Right', 15_000, 100);
  await page.screenshot({ path: path.join(RESULTS, 'phone.png') });
  await ctx.close();
});

test('the UI is served compressed and cached, without source maps, with an icon and a manifest', { timeout: LONG }, async (t) => {
  const s = await server('exec cat');
  for (const p of ['/favicon.ico', '/favicon.svg', '/apple-touch-icon.png', '/icon-192.png', '/icon-512.png', '/manifest.webmanifest']) {
    const r = await fetch(`${s.url}${p}`);
    assert.equal(r.status, 200, p);
  }
  const manifest = (await (await fetch(`${s.url}/manifest.webmanifest`)).json()) as { icons: Array<{ sizes: string }>; display: string; start_url: string };
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.icons.some((i) => i.sizes === '512x512') && manifest.icons.some((i) => i.sizes === '192x192'));
  const html = await (await fetch(`${s.url}/`, { headers: AUTH })).text();
  const assets = [...html.matchAll(/\/assets\/[A-Za-z0-9._-]+\.(?:js|css)/g)].map((m) => m[0]);
  assert.ok(assets.length >= 2, 'script and styles');
  for (const a of assets) {
    const br = await fetch(`${s.url}${a}`, { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(br.headers.get('content-encoding'), 'br', a);
    assert.match(br.headers.get('cache-control') ?? '', /max-age=31536000/);
    const gz = await fetch(`${s.url}${a}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip', `${a} (plain-HTTP browsers offer no brotli)`);
    assert.equal((await fetch(`${s.url}${a}.map`)).status, 404, 'no source map');
  }
  // What a browser moves on a first load with nothing cached (headers included; chromium
  // takes brotli from 127.0.0.1, a secure context; a LAN address over plain HTTP gets gzip):
  // the dashboard, and a session page.
  const coldLoad = async (query: string, ready: (p: Page) => Promise<void>): Promise<{ bytes: number; requests: number }> => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const counted = countBytes(page);
    await page.goto(`${s.url}/${query}`);
    await ready(page);
    await page.waitForLoadState('networkidle');
    const bytes = await counted.total();
    await ctx.close();
    return { bytes, requests: counted.urls.length };
  };
  const dashboard = await coldLoad(`?token=${TOKEN}`, (p) => p.getByTestId('new-session').waitFor());
  const session = await coldLoad(`?new=1&token=${TOKEN}`, (p) => stateIs(p, 'idle', LONG));
  t.diagnostic(`first load, compressed as the browser asked: dashboard ${dashboard.bytes} bytes in ${dashboard.requests} requests, a session page ${session.bytes} bytes in ${session.requests} requests`);
  assert.ok(dashboard.bytes < 60_000, `the dashboard loads small: ${dashboard.bytes}`);
  assert.ok(session.bytes < 260_000, `a session page: ${session.bytes}`);
});

test('output that would freeze xterm.js (huge REP counts) is bounded in the browser too: the tab draws what follows at once', { timeout: LONG }, async () => {
  // REP ("repeat the last character") 2^31-1 and 10^8 times: unbounded, each froze the tab.
  const s = await server(`printf 'x\\033[2147483647by\\033[100000000b\\r\\n'; echo bounded-$((40+2)); exec sleep 600`);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${s.url}/?new=1&token=${TOKEN}`);
  await waitFor(async () => (await ccpty(page, 'text').catch(() => '')).includes('bounded-42'), 'the line after the sequences', 20_000, 100);
  const text = await ccpty(page, 'text');
  const ys = text.split('').filter((c) => c === 'y').length;
  assert.ok(ys >= 1 && ys <= 10_000, `the repeat ran, bounded: ${ys} y's`);
  // The page is responsive: the browser's own bounds ran (the server's mirror bounds its copy).
  await ccpty(page, 'feed', 'z\x1b[2147483647b\r\nafter-feed\r\n');
  await waitFor(async () => (await ccpty(page, 'text')).includes('after-feed'), 'fed text drawn', 5_000, 100);
  await ctx.close();
});

test('the tab that opened a session drives its size from the start: a window change resizes the PTY, no click needed', { timeout: LONG }, async () => {
  const s = await server(`exec bash --norc --noprofile -i`);
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await ctx.newPage();
  await page.goto(`${s.url}/?new=1&token=${TOKEN}`);
  await stateIs(page, 'idle', LONG);
  // The server greeted the socket with 80×24 while the page's own resize was on the way.
  await waitFor(async () => JSON.stringify(await ccpty(page, 'pty')) === JSON.stringify(await ccpty(page, 'size')) && (await ccpty(page, 'pty'))?.cols !== 80, 'the PTY at the window’s fit', 10_000, 100);
  assert.equal(await ccpty(page, 'driving'), true, 'still driving after the greeting');
  const before = await ccpty(page, 'pty');
  await page.setViewportSize({ width: 600, height: 500 });
  await waitFor(async () => {
    const p = await ccpty(page, 'pty');
    return !!p && !!before && p.cols < before.cols && JSON.stringify(p) === JSON.stringify(await ccpty(page, 'size'));
  }, 'the PTY resized to the smaller window', 10_000, 100);
  await ctx.close();
});
