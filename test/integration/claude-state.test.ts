/**
 * Claude Code state over the WebSocket API, with the real `claude` binary against the fake
 * Anthropic API: running/idle/pending, replies, approvals, refusals, interrupts, resume,
 * thinking, the echokit-state variant, and a fresh folder that never asks for trust.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { allMessageTexts, DEFAULT_DONE_REPLY, DEFAULT_TEXT_REPLY, DEFAULT_THINKING, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { renderScreen, TestClient, type Msg } from '../helpers/ws-client.js';
import { waitFor } from '../helpers/wait.js';

const LONG = 60_000;
let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
const workspace = tempDir('claude-state');
const startToIdle: number[] = [];
const hookToSocket: number[] = [];
const hookToServer: number[] = [];

// A user's own hook: it must keep working beside ours, and its timestamps time our relay.
const userHook = (name: string) => ({
  hooks: [{ type: 'command', command: `echo "${name} $(date +%s%3N)" >> "$CLAUDE_PROJECT_DIR/user-hooks.txt"` }],
});

before(async () => {
  fake = await startFakeAnthropic();
  cenv = createClaudeEnv({
    baseUrl: fake.url,
    settings: { hooks: { UserPromptSubmit: [userHook('UserPromptSubmit')], PermissionRequest: [{ matcher: '*', ...userHook('PermissionRequest') }] } },
  });
  server = await startServer({ workspace, env: cenv.env });
});

after(async () => {
  await server?.stop();
  await fake?.close();
  cenv?.cleanup();
});

async function open(query = ''): Promise<{ id: string; c: TestClient; folder: string }> {
  const id = randomUUID();
  const c = await TestClient.connect(`${server.wsUrl}/ws/${id}${query}`);
  const t0 = Date.now();
  c.send({ type: 'create_session' });
  const idle = await c.next((m) => m.type === 'session_idle' || (m.type === 'session_state' && (m.current_state as { state: string }).state === 'Idle'), 'the first idle', 0, LONG);
  startToIdle.push(c.times[c.messages.indexOf(idle)]! - t0);
  return { id, c, folder: path.join(workspace, id) };
}

const after_ = (c: TestClient, m: Msg) => c.messages.indexOf(m) + 1;

function userHookTimes(folder: string, name: string): number[] {
  const file = path.join(folder, 'user-hooks.txt');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => Number(l.split(' ')[1]));
}

/** Hooks a server received for a session (from its debug log), with their arrival times. */
function hookLog(id: string, since: number, from: RunningServer = server): Array<{ hook: string; time: number }> {
  return from.stderr().split('\n').flatMap((line) => {
    try {
      const j = JSON.parse(line) as { session?: string; hook?: string; time?: number; msg?: string };
      return j.msg === 'hook' && j.session === id && (j.time ?? 0) >= since ? [{ hook: j.hook as string, time: j.time as number }] : [];
    } catch {
      return [];
    }
  });
}

const hooksSeen = (id: string, since: number, from: RunningServer = server): string[] => hookLog(id, since, from).map((h) => h.hook);

test('1. prompt → session_running → session_output with the reply → session_idle', { timeout: LONG }, async () => {
  const { id, c, folder } = await open();
  const from = c.messages.length;
  c.send({ type: 'input', input: 'say hi MOCK:text' });
  const running = await c.nextType('session_running', from, LONG);
  assert.equal(running.prompt, 'say hi MOCK:text');
  const out = await c.next((m) => m.type === 'session_output' && m.output === DEFAULT_TEXT_REPLY, 'the reply', from, LONG);
  assert.equal(out.is_thinking, false);
  await c.nextType('session_idle', after_(c, out), LONG);
  assert.ok(c.messages.indexOf(running) < c.messages.indexOf(out));
  // The user's own hook ran too, and times our relay: hook → socket message.
  const [hookAt] = userHookTimes(folder, 'UserPromptSubmit');
  assert.ok(hookAt, "the user's own UserPromptSubmit hook still ran");
  hookToSocket.push(c.times[c.messages.indexOf(running)]! - hookAt);
  const received = await waitFor(() => hookLog(id, 0).find((h) => h.hook === 'UserPromptSubmit'), 'the hook at the server');
  hookToServer.push(received.time - hookAt);
  await c.close();
});

test('2. a Bash tool waits for permission; confirm runs it; idle after', { timeout: LONG }, async () => {
  const { id, c, folder } = await open();
  const from = c.messages.length;
  c.send({ type: 'input', input: 'please create the greeting file' });
  const request = await c.nextType('session_tool_request', from, LONG);
  assert.equal(request.tool_name, 'Bash');
  const pending = await c.next((m) => m.type === 'session_pending' && (m.options as string[]).length > 0, 'pending with options', from, LONG);
  assert.equal(pending.tool_name, 'Bash');
  assert.match((pending.tool_input as { command: string }).command, /touch hello-from-tool\.txt/);
  assert.match((pending.options as string[])[0]!, /^Yes/);
  assert.ok((pending.options as string[]).some((o) => /^No/.test(o)), 'a No option');
  const [permAt] = userHookTimes(folder, 'PermissionRequest');
  if (permAt) {
    hookToSocket.push(c.times[c.messages.indexOf(pending)]! - permAt);
    const received = await waitFor(() => hookLog(id, 0).find((h) => h.hook === 'PermissionRequest'), 'the hook at the server');
    hookToServer.push(received.time - permAt);
  }

  c.send({ type: 'get_current_state' });
  await c.next((m) => m.type === 'session_pending' && m !== pending, 'get_current_state answers pending with the tool', after_(c, pending));

  // From another viewer (a confirm within 2 s after an input from the same socket belongs to
  // that input and is absorbed; this socket sent the prompt).
  const phone = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
  const at = c.messages.length;
  phone.send({ type: 'confirm' });
  await waitFor(() => fs.existsSync(path.join(folder, 'hello-from-tool.txt')), 'the command to create the file', LONG);
  const result = await c.nextType('session_tool_result', at, LONG);
  assert.equal(result.is_error, false);
  const done = await c.next((m) => m.type === 'session_output' && m.output === DEFAULT_DONE_REPLY, 'DONE', at, LONG);
  await c.nextType('session_idle', after_(c, done), LONG);
  assert.ok(!phone.messages.some((m) => m.type === 'session_error'), 'confirm was accepted');
  await phone.close();
  await c.close();
});

test('3a. select "No": nothing runs, back to idle', { timeout: LONG }, async () => {
  const { c, folder } = await open();
  const from = c.messages.length;
  c.send({ type: 'input', input: 'MOCK:cmd=touch denied.txt' });
  const pending = await c.next((m) => m.type === 'session_pending' && (m.options as string[]).length > 0, 'pending with options', from, LONG);
  const options = pending.options as string[];
  const at = c.messages.length;
  c.send({ type: 'select', index: options.length + 3 });
  assert.equal((await c.nextType('session_error', at)).error_code, 'invalid_input');
  c.send({ type: 'select', index: options.findIndex((o) => /^No/.test(o)) });
  await c.nextType('session_idle', at, LONG);
  assert.ok(!fs.existsSync(path.join(folder, 'denied.txt')), 'the refused command did not run');
  await c.close();
});

test('3b. cancel in a permission prompt: nothing runs, back to idle', { timeout: LONG }, async () => {
  const { c, folder } = await open();
  const from = c.messages.length;
  c.send({ type: 'input', input: 'MOCK:cmd=touch cancelled.txt' });
  const pending = await c.next((m) => m.type === 'session_pending' && (m.options as string[]).length > 0, 'pending', from, LONG);
  // 5. input while pending is refused (it would be typed into the dialog)
  const at = c.messages.length;
  c.send({ type: 'input', input: 'hello?' });
  const refused = await c.nextType('session_error', at);
  assert.equal(refused.error_code, 'invalid_input_for_state');
  assert.equal(refused.error_state, 'pending');
  assert.equal(refused.error_input, 'input');
  c.send({ type: 'cancel' });
  await c.nextType('session_idle', after_(c, pending), LONG);
  assert.ok(!fs.existsSync(path.join(folder, 'cancelled.txt')));
  await c.close();
});

test('4. cancel while running → idle, with no hook having fired', { timeout: LONG }, async () => {
  const { id, c } = await open();
  const from = c.messages.length;
  c.send({ type: 'input', input: 'MOCK:delay=20000 MOCK:text' });
  await c.nextType('session_running', from, LONG);
  await waitFor(async () => (await renderScreen(c.output)).includes('esc to interrupt'), 'the busy marker', LONG, 100);
  await waitFor(() => hooksSeen(id, 0).includes('UserPromptSubmit'), "the prompt's own hook", LONG);
  const cancelledAt = Date.now();
  const at = c.messages.length;
  c.send({ type: 'cancel' });
  const idle = await c.nextType('session_idle', at, 15_000);
  assert.ok(c.times[c.messages.indexOf(idle)]! - cancelledAt < 10_000, 'idle well before the reply would have come');
  assert.deepEqual(hooksSeen(id, cancelledAt), [], 'no hook fired for the interrupt');
  await c.close();
});

test('6. /exit ends the session; create_session resumes the same conversation', { timeout: LONG }, async () => {
  const { id, c } = await open();
  let from = c.messages.length;
  c.send({ type: 'input', input: 'remember MOCK:text' });
  await c.next((m) => m.type === 'session_output' && m.output === DEFAULT_TEXT_REPLY, 'the reply', from, LONG);
  await c.nextType('session_idle', from, LONG);
  from = c.messages.length;
  c.send({ type: 'input', input: '/exit' });
  await c.nextType('session_ended', from, LONG);
  from = c.messages.length;
  c.send({ type: 'create_session' });
  await c.nextType('session_idle', from, LONG);
  const info = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { command: string };
  assert.equal(info.command, `claude --resume ${id}`);
  const before = fake.mainRequests().length;
  c.send({ type: 'input', input: 'and again MOCK:text' });
  const req = await fake.waitForRequest((r) => r.kind === 'main' && fake.mainRequests().indexOf(r) >= before, LONG);
  assert.ok(allMessageTexts(req.body).some((t) => t.includes('remember MOCK:text')), 'the fake API sees the earlier messages');
  await c.close();
});

test('7. a thinking block → session_output with is_thinking: true', { timeout: LONG }, async () => {
  const { c } = await open();
  const from = c.messages.length;
  c.send({ type: 'input', input: 'ponder MOCK:think' });
  const thought = await c.next((m) => m.type === 'session_output' && m.is_thinking === true, 'a thinking output', from, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}; got ${JSON.stringify(c.messages.slice(from).filter((m) => m.type !== 'session_pty_output'))}`);
  });
  assert.equal(thought.output, DEFAULT_THINKING);
  await c.next((m) => m.type === 'session_output' && m.is_thinking === false, 'the answer after it', after_(c, thought), LONG);
  await c.nextType('session_idle', from, LONG);
  await c.close();
});

test('8. echokit-state variant: the documented sequences for a reply and for a tool', { timeout: LONG }, async () => {
  const { c, folder } = await open('?protocol=echokit-state');
  const states = (from: number) => c.messages.slice(from).filter((m) => m.type === 'session_state').map((m) => m.current_state as Record<string, unknown>);
  assert.ok(!c.messages.some((m) => /^session_(idle|running|pending)$/.test(m.type)), 'no baseline state messages on this variant');

  // The EchoKit server sends Input, then Confirm 300 ms later: Input submits, the Confirm is absorbed.
  let from = c.messages.length;
  c.send({ type: 'Input', input: 'hello MOCK:text' });
  c.send({ type: 'Confirm' });
  await c.next((m) => m.type === 'session_state' && (m.current_state as { state: string }).state === 'Idle', 'Idle', from + 1, LONG);
  await waitFor(() => states(from).some((s) => s.state === 'Output'), 'Output');
  let seq = states(from);
  assert.ok(!seq.some((s) => s.state === 'Working'), 'running is not announced on this variant');
  assert.deepEqual(seq.find((s) => s.state === 'Output'), { state: 'Output', output: DEFAULT_TEXT_REPLY, is_thinking: false });
  assert.equal(seq.at(-1)?.state, 'Idle');

  from = c.messages.length;
  c.send({ type: 'Input', input: 'please create the greeting file' });
  c.send({ type: 'Confirm' });
  const pendingState = await c.next((m) => m.type === 'session_state' && (m.current_state as { is_pending?: boolean }).is_pending === true, 'PreUseTool pending', from, LONG);
  assert.ok((pendingState.current_state as { request: Array<{ id: string }> }).request[0]?.id, 'the pending request carries the tool use id');
  // A spoken prompt while the tool waits: the Input is not typed into the dialog, and the
  // Confirm that the EchoKit server sends after it does not approve the tool; neither is an
  // error (the EchoKit server would end the device's session on one).
  const during = c.messages.length;
  c.send({ type: 'Input', input: 'what is the weather' });
  c.send({ type: 'Confirm' });
  c.send({ type: 'ping' }); // messages of a socket apply in order: its pong follows both
  await c.nextType('pong', during, LONG);
  assert.ok(!c.messages.slice(during).some((m) => m.type === 'session_error'), 'absorbed, not refused with an error');
  assert.ok(!fs.existsSync(path.join(folder, 'hello-from-tool.txt')), 'the Confirm did not approve the tool');
  c.send({ type: 'Select', index: 0 });
  await waitFor(() => fs.existsSync(path.join(folder, 'hello-from-tool.txt')), 'the tool ran', LONG);
  await waitFor(() => states(from).some((s) => s.state === 'Output' && s.output === DEFAULT_DONE_REPLY) && states(from).at(-1)?.state === 'Idle', 'Output DONE then Idle', LONG);
  seq = states(from);
  const names = seq.map((s) => (s.state === 'PreUseTool' ? `PreUseTool(${String(s.is_pending)})` : s.state as string));
  const order = ['PreUseTool(false)', 'PreUseTool(true)', 'StopUseTool', 'Idle'];
  let i = 0;
  for (const n of names) if (n === order[i]) i++;
  assert.equal(i, order.length, `sequence ${names.join(' → ')} contains ${order.join(' → ')} in order`);
  assert.equal(names.filter((n) => n === 'PreUseTool(true)').length, 1, 'one PreUseTool is_pending for the dialog');
  const pre = seq.find((s) => s.state === 'PreUseTool') as { request: Array<{ name: string; input: { command: string }; done: boolean; id: string }> };
  assert.equal(pre.request[0]?.name, 'Bash');
  assert.match(pre.request[0]!.input.command, /touch hello-from-tool/);
  assert.equal(pre.request[0]?.done, false);
  assert.ok(pre.request[0]?.id, 'the tool use id');
  assert.deepEqual(seq.find((s) => s.state === 'StopUseTool'), { state: 'StopUseTool', is_error: false });
  await c.close();
});

test('9. a fresh workspace folder never shows the trust dialog', { timeout: LONG }, async () => {
  const config = JSON.parse(fs.readFileSync(path.join(cenv.cfg, '.claude.json'), 'utf8')) as { projects?: Record<string, { hasTrustDialogAccepted?: boolean }> };
  const { c, folder } = await open();
  assert.ok(!Object.keys(config.projects ?? {}).includes(folder), 'the session folder itself was never marked trusted');
  assert.equal(config.projects?.[workspace]?.hasTrustDialogAccepted, true, 'the workspace is, from server start');
  assert.ok(!c.output.includes('trust this folder'), 'no trust dialog was ever drawn');
  await c.close();
});

test('10. under TLS the hooks still arrive (they get a loopback listener of their own)', { timeout: LONG }, async () => {
  const dir = tempDir('tls');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const tls = await startServer({ workspace, env: { ...cenv.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' }, extraArgs: ['--tls-cert', path.join(dir, 'c.pem'), '--tls-key', path.join(dir, 'k.pem')] });
  try {
    const id = randomUUID();
    const c = await TestClient.connect(`${tls.wsUrl}/ws/${id}`, {}, { rejectUnauthorized: false });
    c.send({ type: 'create_session' });
    await c.nextType('session_idle', 0, LONG);
    const from = c.messages.length;
    c.send({ type: 'input', input: 'over tls MOCK:text' });
    await c.next((m) => m.type === 'session_output' && m.output === DEFAULT_TEXT_REPLY, 'the reply (hooks + transcript)', from, LONG);
    assert.ok(hooksSeen(id, 0, tls).includes('UserPromptSubmit'), 'the hook reached the server');
    await c.close();
  } finally {
    await tls.stop();
  }
});

test('11. a reply of two text blocks: both told, in order, then the idle with no wait (the Stop hook names only the last block)', { timeout: LONG }, async () => {
  fake.script((ctx) => (ctx.prompt?.includes('two blocks') ? { blocks: [{ type: 'text', text: 'First part.' }, { type: 'text', text: 'Second part.' }] } : undefined));
  try {
    const { id, c } = await open();
    const from = c.messages.length;
    const since = Date.now();
    c.send({ type: 'input', input: 'two blocks please' });
    const first = await c.next((m) => m.type === 'session_output' && m.output === 'First part.', 'the first block', from, LONG);
    const second = await c.next((m) => m.type === 'session_output' && m.output === 'Second part.', 'the second block', after_(c, first), LONG);
    const idle = await c.nextType('session_idle', after_(c, second), LONG);
    assert.deepEqual(c.messages.slice(from).filter((m) => m.type === 'session_output').map((m) => m.output), ['First part.', 'Second part.']);
    // Matched at once: the tracker did not wait out its 3 s for a reply it never saw.
    const hookAt = await waitFor(() => hookLog(id, since).find((h) => h.hook === 'Stop'), 'the Stop hook at the server');
    assert.ok(c.times[c.messages.indexOf(idle)]! - hookAt.time < 2000, `the idle ${c.times[c.messages.indexOf(idle)]! - hookAt.time} ms after the Stop hook`);
    const unmatched = server.stderr().split('\n').filter((l) => l.includes(id) && l.includes('the transcript does not have'));
    assert.deepEqual(unmatched, [], 'the Stop hook named a reply that was told');
    await c.close();
  } finally {
    fake.script(undefined);
  }
});

test('timings (medians)', (t) => {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  assert.ok(startToIdle.length >= 5 && hookToSocket.length >= 2, 'earlier tests measured');
  t.diagnostic(`create_session → session_idle: median ${median(startToIdle)} ms over ${startToIdle.length} sessions (${startToIdle.join(', ')})`);
  t.diagnostic(`hook fired → first socket message for it (hook or screen, whichever first): median ${median(hookToSocket)} ms over ${hookToSocket.length} (${hookToSocket.join(', ')})`);
  t.diagnostic(`hook fired → relayed hook at the server: median ${median(hookToServer)} ms over ${hookToServer.length} (${hookToServer.join(', ')})`);
});
