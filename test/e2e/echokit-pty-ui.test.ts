/**
 * echokit_pty's own web UI flow against ccpty (issue 11), in a real browser: the page connects
 * to `/ws/<id>`, sends `create_session` and `get_current_state`, never a size, and submits a
 * spoken prompt the way its voice path does: the text as a binary frame (bytes, no Enter),
 * then `{"type":"confirm"}` in idle, which presses Enter. The page here follows that flow
 * (second-state/echokit_pty static/app.js, described, not copied); it is served from another
 * loopback origin that the server allows with --allowed-origin.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const LONG = 60_000;
let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
let page: http.Server;
let pageOrigin = '';
let browser: Browser;

/** The echokit_pty client flow: connect, create, ask the state; later bytes + confirm. */
const PAGE = (wsBase: string): string => `<!doctype html><meta charset="utf-8"><title>echokit_pty flow</title>
<pre id="log"></pre>
<script>
const id = new URLSearchParams(location.search).get('id');
const log = (s) => { document.getElementById('log').textContent += s + '\\n'; };
window.frames_ = [];
const ws = new WebSocket(${JSON.stringify(wsBase)} + '/ws/' + id);
ws.binaryType = 'arraybuffer';
ws.onopen = () => { ws.send(JSON.stringify({ type: 'create_session' })); ws.send(JSON.stringify({ type: 'get_current_state' })); };
ws.onmessage = (e) => {
  if (typeof e.data !== 'string') return;
  const m = JSON.parse(e.data);
  window.frames_.push(m);
  if (m.type !== 'session_pty_output') log(m.type);
};
// Its voice submit: the recognised text typed as bytes, then confirm (Enter) once the user says "ok".
window.voiceSubmit = (text) => {
  ws.send(new TextEncoder().encode(text));
  setTimeout(() => ws.send(JSON.stringify({ type: 'confirm' })), 400);
};
</script>`;

before(async () => {
  fake = await startFakeAnthropic();
  cenv = createClaudeEnv({ baseUrl: fake.url });
  page = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE(server.wsUrl));
  });
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
  pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  server = await startServer({ workspace: tempDir('echokit-ui'), env: cenv.env, extraArgs: ['--allowed-origin', pageOrigin] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((r) => page?.close(() => r()));
  await fake?.close();
  cenv?.cleanup();
});

test("echokit_pty's web UI flow: bytes, then confirm in idle, submits the prompt; the session runs 80×24", { timeout: 3 * LONG }, async () => {
  const id = randomUUID();
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(`${pageOrigin}/?id=${id}`);
  const frames = async (): Promise<Array<{ type: string }>> => p.evaluate(() => (window as unknown as { frames_: Array<{ type: string }> }).frames_);
  await waitFor(async () => (await frames()).some((m) => m.type === 'session_idle'), 'the session to be idle', LONG);
  const prompt = `spoken through echokit_pty ${id.slice(0, 8)} MOCK:text`;
  await p.evaluate((t) => (window as unknown as { voiceSubmit: (t: string) => void }).voiceSubmit(t), prompt);
  const got = await waitFor(() => fake.prompts().find((x) => x.includes(id.slice(0, 8))), 'the prompt at the API', LONG);
  assert.equal(got, prompt);
  await waitFor(async () => (await frames()).filter((m) => m.type === 'session_idle').length >= 2, 'idle after the reply', LONG);
  assert.ok(!(await frames()).some((m) => m.type === 'session_error'), 'the confirm in idle was accepted (it presses Enter)');
  const info = (await (await fetch(`${server.url}/api/sessions/${id}`)).json()) as { cols: number; rows: number };
  assert.deepEqual([info.cols, info.rows], [80, 24], 'no viewer sized it: 80×24, as echokit_pty runs');
  await ctx.close();
});
