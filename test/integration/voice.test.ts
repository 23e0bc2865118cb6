/**
 * The voice endpoints as a device or script uses them (no browser): speech-to-text and
 * text-to-speech through local OpenAI-compatible servers (pocketsphinx, espeak-ng), the real
 * claude against the fake Anthropic API, access control on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { reply, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { speechToolsMissing, speechWav, startSttServer, startTtsServer, type SttServer, type TtsServer } from '../fixtures/speech-servers.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { SpeechToText, TextToSpeech } from '../../src/server/voice/speech-client.js';

const TOKEN = 'voice-owner-token-0123456789';
const TURN = 60_000;
const SAID = { list: 'list the files in this folder', yes: 'yes', two: 'option two' } as const;
const missing = speechToolsMissing();

let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let stt: SttServer;
let tts: TtsServer;
let server: RunningServer;
const workspace = tempDir('voice');
let id = '';

const auth = (secret = TOKEN): Record<string, string> => ({ authorization: `Bearer ${secret}` });

async function transcribe(query: string, body: BodyInit, type: string | null, secret = TOKEN, sessionId = id, base = server.url): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = auth(secret);
  if (type) headers['content-type'] = type;
  const res = await fetch(`${base}/api/sessions/${sessionId}/transcribe${query}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

const wav = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(fs.readFileSync(speechWav(text)));

async function stateOf(sessionId = id): Promise<string> {
  const res = await fetch(`${server.url}/api/${sessionId}/input`, { method: 'POST', headers: auth(), body: '{"type":"get_current_state"}' });
  return ((await res.json()) as { type: string }).type;
}

before(async () => {
  if (missing) return;
  fake = await startFakeAnthropic();
  fake.script((ctx) => {
    if (ctx.prompt?.includes(SAID.list)) return reply.bash('touch act-yes.txt', 'Create a file', 'I will create a file.');
    return undefined; // the Bash result: DONE
  });
  cenv = createClaudeEnv({ baseUrl: fake.url });
  stt = await startSttServer(Object.values(SAID));
  tts = await startTtsServer();
  server = await startServer({ workspace, env: { ...cenv.env, CCPTY_STT_KEY: 'sk-stt-secret', CCPTY_TTS_KEY: 'sk-tts-secret' }, token: TOKEN, extraArgs: ['--stt-url', stt.url, '--tts-url', tts.url, '--tts-voice', 'nova'] });
  const created = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: auth() }).then((r) => r.json()) as { id: string };
  id = created.id;
  await waitFor(async () => (await stateOf()) === 'session_idle', 'the session to be idle', TURN, 200);
});

after(async () => {
  await server?.stop();
  await stt?.close();
  await tts?.close();
  await fake?.close();
  cenv?.cleanup();
});

const skip = missing ?? false;

test('GET /api/voice says what the server offers', { skip }, async () => {
  const res = await fetch(`${server.url}/api/voice`, { headers: auth() });
  assert.deepEqual(await res.json(), { stt: true, tts: true, max_upload_bytes: 25 * 1024 * 1024 });
  assert.equal((await fetch(`${server.url}/api/voice`)).status, 401, 'a credential is needed');
});

test('transcribe: a raw WAV, and a multipart `file`, with the key on the upstream call only', { skip }, async () => {
  const raw = await transcribe('', wav(SAID.list), 'audio/wav');
  assert.deepEqual([raw.status, raw.json], [200, { text: SAID.list }]);
  const form = new FormData();
  form.append('file', new Blob([wav(SAID.yes)], { type: 'audio/wav' }), 'yes.wav');
  const multi = await transcribe('', form, null);
  assert.deepEqual([multi.status, multi.json], [200, { text: SAID.yes }]);
  const up = stt.requests.at(-1)!;
  assert.deepEqual([up.authorization, up.model, up.language, up.responseFormat, up.fileName, up.fileType], ['Bearer sk-stt-secret', 'whisper-1', null, 'json', 'audio.wav', 'audio/wav']);
  assert.equal(fake.prompts().length, 0, 'transcribing alone types nothing');
});

test('transcribe refuses bad uploads with stable codes', { skip }, async () => {
  const code = async (query: string, body: BodyInit, type: string | null, sessionId = id): Promise<string> => {
    const r = await transcribe(query, body, type, TOKEN, sessionId);
    return `${r.status} ${String(r.json.error_code)}`;
  };
  assert.equal(await code('', 'hello', 'text/plain'), '415 unsupported_media_type');
  assert.equal(await code('', 'OggS\0\0\0\0 not a wav', 'audio/wav'), '415 unsupported_media_type');
  assert.equal(await code('', wav(SAID.yes), 'audio/flac'), '415 unsupported_media_type');
  assert.equal(await code('', new Uint8Array(0), 'audio/wav'), '400 invalid_input');
  assert.equal(await code('?act=maybe', wav(SAID.yes), 'audio/wav'), '400 invalid_input');
  assert.equal(await code('', wav(SAID.yes), 'audio/wav', '00000000-0000-4000-8000-000000000000'), '404 session_not_found');
  assert.equal(await code('', wav(SAID.yes), 'audio/wav', 'not-a-uuid'), '400 invalid_input');
  const big = await fetch(`${server.url}/api/sessions/${id}/transcribe`, { method: 'POST', headers: { ...auth(), 'content-type': 'audio/wav' }, body: new Uint8Array(25 * 1024 * 1024 + 1) });
  assert.equal(big.status, 413);
});

test('upstream failures become coded errors: rate limit (with Retry-After), errors, a refused key', { skip }, async () => {
  try {
    stt.override({ status: 429, body: { error: { message: 'Rate limit reached' } }, headers: { 'retry-after': '7' } });
    const limited = await transcribe('?act=1', wav(SAID.yes), 'audio/wav');
    assert.deepEqual([limited.status, limited.json.error_code, limited.headers.get('retry-after')], [429, 'upstream_rate_limited', '7']);
    assert.match(String(limited.json.error_message), /rate-limiting \(429\): Rate limit reached/);
    stt.override({ status: 500, body: { error: 'failed to read audio' } });
    const broken = await transcribe('', wav(SAID.yes), 'audio/wav');
    assert.deepEqual([broken.status, broken.json.error_code, broken.json.error_message], [502, 'upstream_error', 'the speech-to-text server answered 500: failed to read audio']);
    stt.override({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-stt-secret' } } });
    const key = await transcribe('', wav(SAID.yes), 'audio/wav');
    assert.equal(key.json.error_code, 'upstream_error');
    assert.match(String(key.json.error_message), /refused the key \(401\)/);
    assert.doesNotMatch(String(key.json.error_message), /sk-stt-secret/, 'the key never reaches a client');
    stt.override({ status: 200, body: { nothing: true } });
    assert.equal((await transcribe('', wav(SAID.yes), 'audio/wav')).json.error_code, 'upstream_error');
  } finally {
    stt.override(null);
  }
  assert.equal(fake.prompts().length, 0, 'nothing was typed');
});

test('a client timeout and an unreachable server, on the speech clients themselves', { skip }, async () => {
  const hang: Server = createServer(() => undefined);
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  const port = (hang.address() as AddressInfo).port;
  try {
    const slow = new SpeechToText({ url: `http://127.0.0.1:${port}/v1`, key: null, model: 'whisper-1', language: null }, 300);
    const t = await slow.transcribe({ bytes: wav(SAID.yes), type: 'audio/wav' });
    assert.deepEqual(t.ok === false && [t.code, t.message], ['upstream_timeout', 'the speech-to-text server did not answer within 300 ms']);
    const slowTts = new TextToSpeech({ url: `http://127.0.0.1:${port}/v1`, key: null, model: 'tts-1', voice: 'alloy', format: 'mp3' }, 300);
    assert.equal((await slowTts.speak('hi')).ok === false, true);
  } finally {
    hang.closeAllConnections();
    hang.close();
  }
  // A port nothing listens on (taken, then given back).
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closed = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const gone = new SpeechToText({ url: `http://127.0.0.1:${closed}/v1`, key: null, model: 'whisper-1', language: null });
  const g = await gone.transcribe({ bytes: wav(SAID.yes), type: 'audio/wav' });
  assert.deepEqual(g.ok === false && [g.code, g.message], ['upstream_unreachable', 'cannot reach the speech-to-text server (ECONNREFUSED)']);
});

test('a device: transcribe?act=1 submits a spoken prompt, answers a dialog by the table, and speak reads the last reply', { skip, timeout: TURN * 3 }, async () => {
  const prompt = await transcribe('?act=1', wav(SAID.list), 'audio/wav');
  assert.deepEqual([prompt.status, prompt.json], [200, { text: SAID.list, action: { kind: 'prompt', text: SAID.list }, applied: true }], JSON.stringify(prompt.json));
  await waitFor(() => fake.prompts().includes(SAID.list), 'the spoken prompt at the API', TURN);
  await waitFor(async () => (await stateOf()) === 'session_pending', 'the Bash permission dialog', TURN, 200);

  // Anything but an answer is not typed into the dialog.
  const other = await transcribe('?act=1', wav(SAID.list), 'audio/wav');
  assert.equal(other.status, 200, JSON.stringify(other.json));
  assert.equal(other.json.applied, false);
  assert.match(String((other.json.action as { reason: string }).reason), /^Not sent: Claude is waiting for an answer\. Say yes, always, no/);

  const yes = await transcribe('?act=1', wav(SAID.yes), 'audio/wav');
  assert.deepEqual([yes.status, yes.json], [200, { text: 'yes', action: { kind: 'select', index: 0, label: 'Yes' }, applied: true }], JSON.stringify(yes.json));
  await waitFor(() => fs.existsSync(path.join(workspace, id, 'act-yes.txt')), 'the approved command to run', TURN);
  await waitFor(async () => (await stateOf()) === 'session_idle', 'idle after the tool', TURN, 200);

  // speak with no text: the last reply ("DONE"), read by the text-to-speech server.
  const last = await fetch(`${server.url}/api/sessions/${id}/speak`, { method: 'POST', headers: auth() });
  assert.equal(last.status, 200);
  assert.equal(last.headers.get('content-type'), 'audio/wav');
  assert.equal(Buffer.from(await last.arrayBuffer()).subarray(0, 4).toString(), 'RIFF');
  const spoken = tts.requests.at(-1)!;
  assert.deepEqual([spoken.input, spoken.model, spoken.voice, spoken.responseFormat, spoken.authorization], ['DONE', 'tts-1', 'nova', 'mp3', 'Bearer sk-tts-secret']);
  assert.equal((await fetch(`${server.url}/api/sessions/${id}/speak`, { method: 'POST', headers: auth(), body: '{}' })).status, 200);
});

test('speak: a given text; bad bodies; a session that never replied', { skip }, async () => {
  const res = await fetch(`${server.url}/api/sessions/${id}/speak`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Claude wants to run Bash. Yes, or no?' }) });
  assert.equal(res.status, 200);
  assert.equal(tts.requests.at(-1)!.input, 'Claude wants to run Bash. Yes, or no?');
  const bad = await fetch(`${server.url}/api/sessions/${id}/speak`, { method: 'POST', headers: auth(), body: '{"text":42}' });
  assert.deepEqual([bad.status, ((await bad.json()) as { error_code: string }).error_code], [400, 'invalid_input']);
  const other = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: auth() }).then((r) => r.json()) as { id: string };
  const none = await fetch(`${server.url}/api/sessions/${other.id}/speak`, { method: 'POST', headers: auth() });
  assert.deepEqual([none.status, ((await none.json()) as { error_code: string }).error_code], [404, 'not_found']);
  await fetch(`${server.url}/api/sessions/${other.id}`, { method: 'DELETE', headers: auth() });
});

test('share links: a control link may use voice, a view link may not', { skip }, async () => {
  const share = async (role: string): Promise<string> => ((await fetch(`${server.url}/api/sessions/${id}/shares`, { method: 'POST', headers: auth(), body: JSON.stringify({ role }) }).then((r) => r.json())) as { secret: string }).secret;
  const view = await share('view');
  const control = await share('control');
  const viewed = await transcribe('', wav(SAID.yes), 'audio/wav', view);
  assert.deepEqual([viewed.status, viewed.json.error_code], [403, 'forbidden']);
  const viewSpeak = await fetch(`${server.url}/api/sessions/${id}/speak`, { method: 'POST', headers: auth(view), body: '{"text":"hi"}' });
  assert.equal(viewSpeak.status, 403);
  const controlled = await transcribe('', wav(SAID.two), 'audio/wav', control);
  assert.deepEqual([controlled.status, controlled.json], [200, { text: SAID.two }]);
  assert.equal((await fetch(`${server.url}/api/voice`, { headers: auth(view) })).status, 200, 'any credential may ask what voice offers');
});

test('without speech servers: 503 with a stable code; the keys never reach a session', { skip, timeout: TURN }, async () => {
  const bare = await startServer({ command: 'cat', token: TOKEN });
  const keyed = await startServer({ command: 'env > session-env.txt; exec cat', token: TOKEN, env: { CCPTY_STT_KEY: 'sk-stt-secret' }, extraArgs: ['--stt-url', 'http://127.0.0.1:9/v1'] });
  try {
    const s = await fetch(`${bare.url}/api/sessions`, { method: 'POST', headers: auth() }).then((r) => r.json()) as { id: string };
    assert.deepEqual(await fetch(`${bare.url}/api/voice`, { headers: auth() }).then((r) => r.json()), { stt: false, tts: false, max_upload_bytes: 25 * 1024 * 1024 });
    const t = await transcribe('', wav(SAID.yes), 'audio/wav', TOKEN, s.id, bare.url);
    assert.deepEqual([t.status, t.json.error_code], [503, 'stt_not_configured']);
    const sp = await fetch(`${bare.url}/api/sessions/${s.id}/speak`, { method: 'POST', headers: auth(), body: '{"text":"hi"}' });
    assert.deepEqual([sp.status, ((await sp.json()) as { error_code: string }).error_code], [503, 'tts_not_configured']);

    const k = await fetch(`${keyed.url}/api/sessions`, { method: 'POST', headers: auth() }).then((r) => r.json()) as { id: string };
    const down = await transcribe('', wav(SAID.yes), 'audio/wav', TOKEN, k.id, keyed.url);
    assert.deepEqual([down.status, down.json.error_code], [502, 'upstream_unreachable']);
    const envFile = path.join(keyed.workspace, k.id, 'session-env.txt');
    await waitFor(() => fs.existsSync(envFile) && fs.readFileSync(envFile, 'utf8').includes('CLAUDE_SESSION_ID'), 'the session to write its environment', 10_000);
    assert.doesNotMatch(fs.readFileSync(envFile, 'utf8'), /CCPTY_STT_KEY|sk-stt-secret/);
  } finally {
    await bare.stop();
    await keyed.stop();
  }
});
