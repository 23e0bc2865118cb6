/**
 * EchoKit devices end to end (issue 11): a client that behaves and decodes exactly like the
 * EchoKit server's Claude bridge, through the base-URL form with the token
 * (`ws://HOST:PORT/t/<token>/echokit/ws` + `/<id>`), against the real `claude` and the fake
 * Anthropic API. Five devices run the whole flow at once; every frame must decode and none
 * may be a session_error (either would end the real device's session).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { DEFAULT_DONE_REPLY, DEFAULT_TEXT_REPLY, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { BridgeClient, decodeBridgeFrame, isState } from '../helpers/echokit-bridge.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'echokit-device-test-token-0123456789abcdef';
const DEVICES = Number(process.env.CCPTY_DEVICE_RUNS ?? 5);
/** The bridge does not read its socket while the user is silent; longer than the old 60 s cut. */
const SILENCE_MS = Number(process.env.CCPTY_DEVICE_SILENCE_MS ?? 75_000);
const TURN = 60_000;

let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let server: RunningServer;
const workspace = tempDir('echokit-device');

before(async () => {
  fake = await startFakeAnthropic();
  cenv = createClaudeEnv({ baseUrl: fake.url });
  server = await startServer({ workspace, env: cenv.env, token: TOKEN });
});

after(async () => {
  await server?.stop();
  await fake?.close();
  cenv?.cleanup();
});

test('the strict decoder refuses what the real bridge refuses', () => {
  const id = randomUUID();
  assert.throws(() => decodeBridgeFrame(JSON.stringify({ type: 'session_state', session_id: id, current_state: { state: 'Working', prompt: 'x' } })), /unknown variant `Working`/);
  assert.throws(() => decodeBridgeFrame(JSON.stringify({ type: 'session_running', session_id: id })), /unknown variant/);
  assert.throws(() => decodeBridgeFrame(JSON.stringify({ type: 'session_error', session_id: id, error_code: 'internal_error', error_message: 'x' })), /unknown variant/);
  assert.throws(() => decodeBridgeFrame(JSON.stringify({ type: 'session_error', session_id: id, error_code: 'forbidden' })), /unknown variant/);
  assert.throws(() => decodeBridgeFrame(JSON.stringify({ type: 'session_state', session_id: id, current_state: 'Idle' })), /internally tagged/);
  assert.throws(() => decodeBridgeFrame(JSON.stringify({ type: 'session_error', session_id: id, error_code: 'invalid_input_for_state', error_state: 'pending' })), /missing field `error_input`/);
  assert.equal(decodeBridgeFrame(JSON.stringify({ type: 'session_state', session_id: id, current_state: { state: 'Idle' }, extra: 1 })).type, 'session_state');
});

/** The whole device flow for one device; returns how long its socket sat unread. */
async function deviceFlow(base: string, n: number): Promise<number> {
  const id = randomUUID();
  const folder = path.join(workspace, id);
  const d = await BridgeClient.connect(base, id);
  try {
    await d.next((m) => isState(m, 'Idle'), `device ${n}: Idle after CreateSession`, 0, TURN);

    // An utterance: Input, Confirm 300 ms later → the reply as Output → Idle.
    let from = d.states.length;
    await d.say(`hello from device ${n} MOCK:text`);
    const out = await d.next((m) => isState(m, 'Output') && (m as { current_state: { output: string } }).current_state.output === DEFAULT_TEXT_REPLY, `device ${n}: the reply`, from, TURN);
    await d.next((m) => isState(m, 'Idle'), `device ${n}: Idle after the reply`, out.index, TURN);
    assert.equal(fake.prompts().filter((p) => p === `hello from device ${n} MOCK:text`).length, 1, 'submitted once (the Confirm did not press Enter again)');

    // A Bash tool: one PreUseTool is_pending → Select 0 → the file → StopUseTool → Output → Idle.
    from = d.states.length;
    await d.say(`MOCK:cmd=touch yes-${n}.txt`);
    const ask = await d.next((m) => isState(m, 'PreUseTool') && (m as { current_state: { is_pending: boolean } }).current_state.is_pending, `device ${n}: the tool prompt`, from, TURN);
    const tool = (ask.m as { current_state: { request: Array<{ id: string; name: string }> } }).current_state.request[0]!;
    assert.equal(tool.name, 'Bash');
    assert.match(tool.id, /^toolu_/, 'the real tool_use id');
    d.send({ type: 'Select', index: 0 });
    await waitFor(() => fs.existsSync(path.join(folder, `yes-${n}.txt`)), `device ${n}: the approved file`, TURN);
    const stop = await d.next((m) => isState(m, 'StopUseTool'), `device ${n}: StopUseTool`, ask.index, TURN);
    const done = await d.next((m) => isState(m, 'Output') && (m as { current_state: { output: string } }).current_state.output === DEFAULT_DONE_REPLY, `device ${n}: DONE`, stop.index, TURN);
    await d.next((m) => isState(m, 'Idle'), `device ${n}: Idle after the tool`, done.index, TURN);
    const prompts = d.states.slice(from).filter((s) => isState(s.m, 'PreUseTool') && (s.m as { current_state: { is_pending: boolean } }).current_state.is_pending);
    assert.equal(prompts.length, 1, `device ${n}: one PreUseTool is_pending per dialog`);

    // A second tool, declined with Cancel: no file, back to Idle.
    from = d.states.length;
    await d.say(`MOCK:cmd=touch no-${n}.txt`);
    const ask2 = await d.next((m) => isState(m, 'PreUseTool') && (m as { current_state: { is_pending: boolean } }).current_state.is_pending, `device ${n}: the second tool prompt`, from, TURN);
    d.send({ type: 'Cancel' });
    await d.next((m) => isState(m, 'Idle'), `device ${n}: Idle after Cancel`, ask2.index, TURN);
    assert.equal(fs.existsSync(path.join(folder, `no-${n}.txt`)), false, 'the declined tool did not run');
    // A late duplicate answer to a dialog already gone is absorbed, not an error.
    d.send({ type: 'Select', index: 0 });

    // The user is silent: the bridge reads nothing (answers no ping) for SILENCE_MS.
    const silentFrom = Date.now();
    d.pause();
    await new Promise((r) => setTimeout(r, SILENCE_MS));
    d.resume();
    const silent = Date.now() - silentFrom;
    assert.equal(d.closed, null, `device ${n}: the socket survived ${silent} ms of silence`);

    from = d.states.length;
    await d.say(`after the silence ${n} MOCK:text`);
    const late = await d.next((m) => isState(m, 'Output') && (m as { current_state: { output: string } }).current_state.output === DEFAULT_TEXT_REPLY, `device ${n}: the reply after the silence`, from, TURN);
    await d.next((m) => isState(m, 'Idle'), `device ${n}: Idle at the end`, late.index, TURN);
    assert.deepEqual(d.failures, [], `device ${n}: every frame decoded, no session_error`);
    assert.equal(d.closed, null);
    return silent;
  } catch (err) {
    // The server's own account of this session (debug log), for a failure seen only in CI.
    const lines = `${server.stdout()}${server.stderr()}`.split('\n').filter((l) => l.includes(id));
    (err as Error).message += `\n  server log for ${id} (last 40 of ${lines.length}):\n${lines.slice(-40).join('\n')}`;
    throw err;
  } finally {
    await d.close();
  }
}

test(`${DEVICES} EchoKit devices through /t/<token>/echokit/ws: reply, approve, decline, ${SILENCE_MS / 1000} s unread, reply`, { timeout: 2 * SILENCE_MS + 6 * TURN }, async () => {
  const base = `${server.wsUrl}/t/${TOKEN}/echokit/ws`;
  const silences = await Promise.all(Array.from({ length: DEVICES }, (_, n) => deviceFlow(base, n)));
  // Timers may fire a millisecond early against Date.now(): the silence lasted the full span.
  assert.ok(silences.every((s) => s >= SILENCE_MS - 20), `silences: ${silences.join(', ')} ms`);
});

test('the echokit path form without a token is refused when auth is on; a view link is refused at the upgrade', async () => {
  const id = randomUUID();
  await assert.rejects(BridgeClient.connect(`${server.wsUrl}/echokit/ws`, id), /upgrade refused: 401/);
  const share = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  const s = (await share.json()) as { id: string };
  const link = await fetch(`${server.url}/api/sessions/${s.id}/shares`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'view' }),
  });
  const { secret } = (await link.json()) as { secret: string };
  await assert.rejects(BridgeClient.connect(`${server.wsUrl}/t/${secret}/echokit/ws`, s.id), /upgrade refused: 403/);
  await fetch(`${server.url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
});
