/**
 * A state stream a blind client can trust (issue 10), with the real `claude` against the fake
 * Anthropic API, each case in a loop: one announced `session_pending` per dialog; input while a
 * dialog is coming or up is refused and never approves the tool; AskUserQuestion and plan
 * approval answered by index; prompts arrive exactly as sent (right after start-up, after a
 * cancel restored an earlier prompt); API errors and cut-off tools end clearly.
 * `CCPTY_TEST_CLAUDE=/path/to/claude` runs them against another Claude Code.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CLAUDE_CODE_VERSION, createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { renderScreen, TestClient, type Msg } from '../helpers/ws-client.js';
import { waitFor } from '../helpers/wait.js';

/** Each case runs this many times in one test run (issue 10: 10). */
const LOOPS = Number(process.env.CCPTY_DIALOG_LOOPS ?? 10);
const LONG = 120_000;
const TURN = 30_000;

let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
/** Test-side notice of each PermissionRequest hook (a user hook posts here), with arrival times. */
let hookServer: http.Server;
const permissionHooks: number[] = [];
const workspace = tempDir('claude-dialogs');
const stats = { pendingAnnounce: [] as number[], refusedAt: new Map<number, number>() };

before(async () => {
  fake = await startFakeAnthropic();
  hookServer = http.createServer((req, res) => {
    permissionHooks.push(Date.now());
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  const port = (hookServer.address() as AddressInfo).port;
  // The user's own PermissionRequest hook: tells the test the moment the hook fires (bash's
  // /dev/tcp, like ccpty's relay), then holds Claude Code 150 ms more, so the dialog is drawn
  // late and input sent "right after the hook" lands in the dangerous window.
  const notify = `exec 3<>/dev/tcp/127.0.0.1/${port}; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3 >/dev/null; sleep 0.15`;
  cenv = createClaudeEnv({
    baseUrl: fake.url,
    settings: { hooks: { PermissionRequest: [{ matcher: '*', hooks: [{ type: 'command', command: `bash -c ${JSON.stringify(notify)}` }] }] } },
  });
  server = await startServer({ workspace, env: cenv.env });
});

after(async () => {
  await server?.stop();
  await fake?.close();
  await new Promise<void>((r) => hookServer?.close(() => r()));
  cenv?.cleanup();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  process.stderr.write(`claude-dialogs on Claude Code ${CLAUDE_CODE_VERSION}: ${LOOPS} loops per case; hook → session_pending median ${median(stats.pendingAnnounce)} ms\n`);
});

async function open(): Promise<{ id: string; c: TestClient; folder: string }> {
  const id = randomUUID();
  const c = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
  c.send({ type: 'create_session' });
  await c.nextType('session_idle', 0, LONG);
  return { id, c, folder: path.join(workspace, id) };
}

const since = (c: TestClient, from: number, type: string): Msg[] => c.messages.slice(from).filter((m) => m.type === type);

/** A turn that asks for Bash permission: the one pending, with its options. */
async function bashDialog(c: TestClient, file: string, from: number): Promise<Msg> {
  c.send({ type: 'input', input: `MOCK:cmd=touch ${file}` });
  return c.nextType('session_pending', from, TURN);
}

test(`1. a Bash permission: one session_pending, with options and tool_use_id; no running until answered; get_current_state answers it (×${LOOPS})`, { timeout: LOOPS * TURN }, async () => {
  const { c, folder } = await open();
  for (let i = 0; i < LOOPS; i++) {
    const from = c.messages.length;
    const hooksBefore = permissionHooks.length;
    const pending = await bashDialog(c, `one-${i}.txt`, from);
    const request = since(c, from, 'session_tool_request').at(-1);
    assert.equal(pending.kind, 'permission');
    assert.equal(pending.tool_name, 'Bash');
    assert.ok((pending.options as string[]).length >= 2, `options on the first pending: ${JSON.stringify(pending.options)}`);
    assert.match((pending.options as string[])[0]!, /^Yes/);
    assert.equal(typeof pending.tool_use_id, 'string');
    assert.equal(pending.tool_use_id, request?.tool_use_id, 'the PreToolUse call it belongs to');
    if (permissionHooks.length > hooksBefore) stats.pendingAnnounce.push(c.times[c.messages.indexOf(pending)]! - permissionHooks[hooksBefore]!);
    const asked = c.messages.length;
    c.send({ type: 'get_current_state' });
    const current = await c.nextType('session_pending', asked);
    assert.deepEqual({ ...current }, { ...pending }, 'get_current_state answers the same pending');
    const answered = c.messages.length;
    c.send({ type: 'select', index: 0 });
    await waitFor(() => fs.existsSync(path.join(folder, `one-${i}.txt`)), 'the tool to run', TURN);
    await c.nextType('session_idle', answered, TURN);
    const window = c.messages.slice(from, answered);
    const announced = since(c, from, 'session_pending').filter((m) => m !== current);
    assert.equal(announced.length, 1, `exactly one session_pending for the dialog (besides the reply): ${JSON.stringify(c.messages.slice(from).map((m) => m.type))}`);
    const pendingAt = window.indexOf(pending);
    assert.ok(!window.slice(pendingAt).some((m) => m.type === 'session_running' || m.type === 'session_idle'), 'no running/idle while the dialog stays up');
    assert.ok(!since(c, from, 'session_error').length, 'nothing refused');
  }
  await c.close();
});

test(`2. input 0, 20, 50, 100 ms after the PermissionRequest hook fired is refused and never runs the tool (×${LOOPS})`, { timeout: LOOPS * TURN }, async () => {
  const { c, folder } = await open();
  const offsets = [0, 20, 50, 100];
  for (let i = 0; i < LOOPS; i++) {
    const offset = offsets[i % offsets.length]!;
    const from = c.messages.length;
    const hooksBefore = permissionHooks.length;
    c.send({ type: 'input', input: `MOCK:cmd=touch two-${i}.txt` });
    const firedAt = await waitFor(() => permissionHooks[hooksBefore], 'the PermissionRequest hook', TURN);
    const wait = firedAt + offset - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = c.messages.length;
    c.send({ type: 'input', input: 'yes do it' });
    const refusal = await c.nextType('session_error', sent, TURN);
    assert.equal(refusal.error_code, 'invalid_input_for_state', `input ${offset} ms after the hook: ${JSON.stringify(refusal)}`);
    assert.equal(refusal.error_state, 'pending');
    stats.refusedAt.set(offset, (stats.refusedAt.get(offset) ?? 0) + 1);
    // The dialog is still there, unanswered: the tool has not run.
    await c.nextType('session_pending', from, TURN);
    assert.equal(fs.existsSync(path.join(folder, `two-${i}.txt`)), false, 'the tool did not run');
    const cancelled = c.messages.length;
    c.send({ type: 'cancel' });
    await c.nextType('session_idle', cancelled, TURN);
    assert.equal(fs.existsSync(path.join(folder, `two-${i}.txt`)), false, 'declined: still not run');
    assert.ok(!fake.prompts().some((p) => p.includes('yes do it')), 'the refused text never reached Claude');
  }
  await c.close();
});

test(`3a. AskUserQuestion: select {index: 1} answers with the second label (×${LOOPS})`, { timeout: LOOPS * TURN }, async () => {
  const { c } = await open();
  for (let i = 0; i < LOOPS; i++) {
    const from = c.messages.length;
    c.send({ type: 'input', input: `pick a color ${i} MOCK:ask` });
    const pending = await c.nextType('session_pending', from, TURN);
    assert.equal(pending.kind, 'question');
    assert.equal(pending.tool_name, 'AskUserQuestion');
    assert.deepEqual((pending.options as string[]).slice(0, 2), ['Red', 'Blue']);
    assert.equal(pending.question, 'Which color do you prefer?');
    const results = fake.toolResults().length;
    c.send({ type: 'select', index: 1 });
    const result = await waitFor(() => fake.toolResults().slice(results).find((r) => r.toolName === 'AskUserQuestion'), 'the answer at the API', TURN);
    assert.match(result.text, /"Which color do you prefer\?"="Blue"/);
    await c.nextType('session_idle', from + 1, TURN);
    assert.equal(since(c, from, 'session_pending').length, 1, `one pending for the question: ${JSON.stringify(since(c, from, 'session_pending'))}`);
    assert.ok(!since(c, from, 'session_error').length, 'nothing refused');
  }
  await c.close();
});

test(`3b. two questions in one call: each reported and answered by index, then the review step (×${Math.ceil(LOOPS / 2)})`, { timeout: LOOPS * TURN }, async () => {
  const { c } = await open();
  for (let i = 0; i < Math.ceil(LOOPS / 2); i++) {
    const from = c.messages.length;
    c.send({ type: 'input', input: `two questions ${i} MOCK:ask2` });
    const q1 = await c.next((m) => m.type === 'session_pending' && m.question === 'Which color do you prefer?', 'the first question', from, TURN);
    const results = fake.toolResults().length;
    c.send({ type: 'select', index: 0 });
    const q2 = await c.next((m) => m.type === 'session_pending' && m.question === 'Which size do you need?', 'the second question', from, TURN);
    assert.equal(q2.tool_use_id, q1.tool_use_id, 'the same call');
    c.send({ type: 'select', index: 1 });
    const review = await c.next((m) => m.type === 'session_pending' && (m.options as string[])[0] === 'Submit answers', 'the review step', from, TURN);
    assert.equal(review.kind, 'question');
    c.send({ type: 'select', index: 0 });
    const result = await waitFor(() => fake.toolResults().slice(results).find((r) => r.toolName === 'AskUserQuestion'), 'the answers at the API', TURN);
    assert.match(result.text, /"Which color do you prefer\?"="Red"/);
    assert.match(result.text, /"Which size do you need\?"="Large"/);
    await c.nextType('session_idle', from + 1, TURN);
    assert.ok(!since(c, from, 'session_error').length, 'nothing refused');
  }
  await c.close();
});

test(`3c. plan approval: select {index: 0} approves the plan; the plan is in tool_input (×${LOOPS})`, { timeout: LOOPS * LONG }, async () => {
  for (let i = 0; i < LOOPS; i++) {
    const { c } = await open();
    // Plan mode: shift+tab cycles manual → accept edits → plan (the status line says so).
    // Claude Code drops keys while it settles after start-up: press until the mode shows.
    // The screen is rendered (Claude Code redraws a changed word with cursor moves), and the
    // mode read from its last lines.
    const mode = async (): Promise<string> => /(plan mode|accept edits|auto mode|bypass permissions|manual mode) on/.exec((await renderScreen(c.output, 80, 24)).split('\n').slice(-6).join('\n'))?.[1] ?? '';
    for (let press = 0; press < 8 && (await mode()) !== 'plan mode'; press++) {
      const before = await mode();
      c.sendBinary('\x1b[Z');
      await waitFor(async () => (await mode()) !== before || undefined, 'the mode to change', 2_000).catch(() => undefined);
    }
    assert.equal(await mode(), 'plan mode', 'in plan mode');
    const from = c.messages.length;
    c.send({ type: 'input', input: `make a plan ${i} MOCK:plan` });
    const pending = await c.next((m) => m.type === 'session_pending' && m.kind === 'plan', 'the plan dialog', from, TURN);
    assert.equal(pending.tool_name, 'ExitPlanMode');
    assert.match(String((pending.tool_input as { plan?: unknown }).plan), /Mock plan/);
    assert.match((pending.options as string[])[0] ?? '', /^Yes/, JSON.stringify(since(c, from, 'session_pending')));
    const results = fake.toolResults().length;
    c.send({ type: 'select', index: 0 });
    const result = await waitFor(() => fake.toolResults().slice(results).find((r) => r.toolName === 'ExitPlanMode'), 'the approval at the API', TURN);
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /approved/i);
    await c.nextType('session_idle', from + 1, TURN);
    assert.equal(since(c, from, 'session_pending').filter((m) => m.kind === 'plan').length, 1, 'one pending for the plan');
    await c.close();
  }
});

const LONG_PROMPT = (i: number): string => `exact ${i} MOCK:text ${'0123456789abcdefghijklmnopqrstuvwxyz-'.repeat(16)}`.slice(0, 600);

test(`4a. a 600-character prompt sent at the first session_idle arrives exactly (×${LOOPS})`, { timeout: LOOPS * LONG }, async () => {
  for (let i = 0; i < LOOPS; i++) {
    const id = randomUUID();
    const c = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    c.send({ type: 'create_session' });
    c.send({ type: 'input', input: LONG_PROMPT(i) }); // applied in order: waits for the first idle
    await c.nextType('session_idle', 0, LONG);
    const got = await waitFor(() => fake.prompts().find((p) => p.startsWith(`exact ${i} `)), 'the prompt at the API', TURN);
    assert.equal(got, LONG_PROMPT(i));
    assert.ok(!since(c, 0, 'session_error').length, 'not refused');
    await c.close();
  }
});

test(`4b. after a cancel restored an earlier prompt, the next prompt arrives exactly (×${LOOPS})`, { timeout: LOOPS * TURN }, async () => {
  const { c } = await open();
  for (let i = 0; i < LOOPS; i++) {
    const from = c.messages.length;
    c.send({ type: 'input', input: `held ${i} MOCK:delay=8000 MOCK:text` });
    await c.nextType('session_running', from, TURN);
    const cancelled = c.messages.length;
    c.send({ type: 'cancel' });
    await c.nextType('session_idle', cancelled, TURN);
    const typed = c.messages.length;
    c.send({ type: 'input', input: LONG_PROMPT(100 + i) });
    const got = await waitFor(() => fake.prompts().find((p) => p.includes(`exact ${100 + i} `)), 'the prompt at the API', TURN);
    assert.equal(got, LONG_PROMPT(100 + i), 'exactly the text sent (no restored prompt glued on)');
    await c.nextType('session_idle', typed, TURN);
    assert.ok(!since(c, from, 'session_error').length, 'nothing refused');
  }
  await c.close();
});

test(`5. a 500 from the API: the error text marked is_error, then session_idle (×${LOOPS})`, { timeout: LOOPS * TURN }, async () => {
  const { c } = await open();
  for (let i = 0; i < LOOPS; i++) {
    const from = c.messages.length;
    c.send({ type: 'input', input: `fail ${i} MOCK:error=500` });
    const err = await c.next((m) => m.type === 'session_output' && m.is_error === true, 'the error', from, TURN);
    assert.match(String(err.output), /500/);
    await c.nextType('session_idle', c.messages.indexOf(err), TURN);
    const replies = c.messages.slice(from).filter((m) => m.type === 'session_output' && m.is_error !== true);
    assert.deepEqual(replies, [], 'the error is never told as a reply');
  }
  await c.close();
});

test(`6. a tool cut off by cancel: session_tool_result with is_error (×${LOOPS})`, { timeout: LOOPS * TURN }, async () => {
  const { c } = await open();
  for (let i = 0; i < LOOPS; i++) {
    const from = c.messages.length;
    c.send({ type: 'input', input: `wait ${i} MOCK:sleep=30` });
    const request = await c.nextType('session_tool_request', from, TURN);
    // The tool runs (its command on the rendered screen: Claude Code redraws words with cursor moves).
    await waitFor(async () => (await renderScreen(c.output, 80, 24)).includes('sleep 30'), 'the tool to run', TURN);
    const cancelled = c.messages.length;
    c.send({ type: 'cancel' });
    const result = await c.nextType('session_tool_result', cancelled, TURN);
    assert.equal(result.is_error, true);
    assert.equal(result.interrupted, true);
    assert.equal(result.tool_use_id, request.tool_use_id);
    await c.nextType('session_idle', cancelled, TURN);
    c.output = '';
  }
  await c.close();
});
