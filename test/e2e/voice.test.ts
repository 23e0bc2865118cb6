/**
 * Voice in Debian's chromium: chromium's fake microphone plays espeak-ng speech (one WAV per
 * browser, replayed each time the page opens the microphone), the real VAD runs in the page,
 * the server's speech-to-text is a local OpenAI-compatible server over pocketsphinx and its
 * text-to-speech one over espeak-ng, and the real claude runs against the fake Anthropic API.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createClaudeEnv, type ClaudeEnv } from '../fixtures/claude-env.js';
import { reply, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic.js';
import { speechToolsMissing, speechWav, startSttServer, startTtsServer, type SttServer, type TtsServer } from '../fixtures/speech-servers.js';
import { CHROMIUM, RESULTS } from '../helpers/browser.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'e2e-voice-token-0123456789';
const LONG = 60_000;
const SAID = {
  list: 'list the files in this folder',
  yes: 'yes',
  no: 'no',
  two: 'option two',
  hello: 'hello there',
} as const;
const HELLO_REPLY = 'Hello from the fake API.';
/** Hands-free rounds measured (each: speech → prompt → reply → read aloud → listening again). */
const ROUNDS = 3;

const missing = speechToolsMissing();
let fake: FakeAnthropic;
let cenv: ClaudeEnv;
let stt: SttServer;
let tts: TtsServer;
let server: RunningServer;
const workspace = tempDir('e2e-voice');
const browsers: Browser[] = [];
const foreign: string[] = [];
let sessionId = '';

/** A chromium whose microphone plays `wav` (from its start, each time a page opens it). */
async function browserSaying(wav: string, extraArgs: string[] = []): Promise<Browser> {
  const b = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}%noloop`, ...extraArgs],
  });
  browsers.push(b);
  return b;
}

/**
 * One browser saying "yes" serves three tests (each launch costs a VAD load); voice.test is
 * this machine (loopback) by its resolver, but not a secure context.
 */
let yesBrowser: Promise<Browser> | null = null;
const sayingYes = (): Promise<Browser> => (yesBrowser ??= browserSaying(speechWav(SAID.yes), ['--host-resolver-rules=MAP voice.test 127.0.0.1']));

/**
 * A context whose requests may go to `origin` only (no CDN may be needed). Tall enough that
 * the approval panel leaves Claude Code's dialogs room in the terminal (at 760 px a question's
 * panel leaves 8 rows, too few for its dialog to take a key).
 */
async function context(b: Browser, origin: string): Promise<BrowserContext> {
  const ctx = await b.newContext({ viewport: { width: 1100, height: 1000 } });
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  return ctx;
}

const stateOf = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { ccpty: { state(): string } }).ccpty.state());

interface VoiceEvent {
  t: number;
  kind: string;
  text?: string;
}
const events = (page: Page): Promise<VoiceEvent[]> => page.evaluate(() => [...(window as unknown as { ccptyVoice: { events: VoiceEvent[] } }).ccptyVoice.events]);

async function openSession(b: Browser, url: string, id: string | null, state: string): Promise<Page> {
  const ctx = await context(b, new URL(url).origin);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  if (process.env.CCPTY_VOICE_DEBUG) {
    page.on('console', (m) => console.error(`page ${m.type()}: ${m.text()}`));
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => typeof f.payload === 'string' && !f.payload.includes('pty_output') && console.error(`${Date.now()} ws <- ${f.payload.slice(0, 300)}`));
      ws.on('framesent', (f) => typeof f.payload === 'string' && !f.payload.includes('"ack"') && console.error(`${Date.now()} ws -> ${f.payload.slice(0, 300)}`));
    });
  }
  await page.goto(`${url}/?token=${TOKEN}${id ? `&id=${id}` : '&new=1'}`);
  await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
  await waitFor(async () => (await stateOf(page).catch(() => '')) === state, `the session to be ${state}`, LONG, 100);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="mic"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: LONG });
  return page;
}

/** A hold that heard nothing is tried again (the microphone reopens, so the file plays again). */
const HOLD_ATTEMPTS = 3;
/**
 * Listening this long with no utterance means the words were lost: the speech (≤ 3 s after
 * ≤ 2.5 s of silence) plus the VAD's 0.8 s end of speech take 6 s at most; a CPU starved by
 * other work can drop the fake microphone's frames.
 */
const HEARD_NOTHING_MS = 15_000;

/** Holds the mic button (hold-to-talk) until `done`, then lets go. */
async function holdMic(page: Page, done: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const box = await page.getByTestId('mic').boundingBox();
  assert.ok(box, 'the mic button shows');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let attempt = 1; ; attempt++) {
    const from = (await events(page)).length;
    const pressedAt = Date.now();
    // Lost words: nothing recognised (an empty transcript), or no utterance at all in time.
    const lost = async (): Promise<boolean> => {
      if (attempt >= HOLD_ATTEMPTS) return false;
      const since = (await events(page)).slice(from);
      return since.some((e) => e.kind === 'transcribed' && e.text === '') || (!since.some((e) => e.kind === 'speech-end') && Date.now() - pressedAt > HEARD_NOTHING_MS);
    };
    await page.mouse.down();
    let retry = false;
    try {
      await waitFor(async () => (await done()) || (retry = await lost()), what, LONG, 100);
    } catch (err) {
      // What the page heard and did, and what the speech server got: the failure's story.
      const status = await page.getByTestId('voice-status').textContent().catch(() => '?');
      const phase = await page.getByTestId('voice-state').getAttribute('data-phase').catch(() => '?');
      throw new Error(`${(err as Error).message} (attempt ${attempt})\nphase ${phase}, status "${status}"\nevents ${JSON.stringify(await events(page).catch(() => []))}\nstt ${JSON.stringify(stt?.requests.slice(-3).map((r) => r.text))}`);
    } finally {
      await page.mouse.up();
    }
    if (!retry || (await done())) return;
    console.log(`voice test: the words were lost (attempt ${attempt} for ${what}); holding again`);
    await waitFor(async () => (await page.getByTestId('voice-state').getAttribute('data-phase')) === 'ready', 'the mic to be let go', 10_000, 100);
  }
}

const fileIn = (name: string): string => path.join(workspace, sessionId, name);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

before(async () => {
  if (missing) return;
  fs.mkdirSync(RESULTS, { recursive: true });
  fake = await startFakeAnthropic();
  fake.script((ctx) => {
    const p = ctx.prompt;
    if (p === undefined) return undefined; // tool results: the default script (Bash → DONE, a question → its answer)
    if (p.includes(SAID.list)) return reply.bash('touch voice-yes.txt', 'Create a file', 'I will create a file.');
    if (p.includes('make the no file')) return reply.bash('touch voice-no.txt', 'Create a file', 'I will create another file.');
    if (p.includes('ask me')) return reply.ask();
    if (p.includes(SAID.hello)) return reply.text(HELLO_REPLY);
    return undefined;
  });
  cenv = createClaudeEnv({ baseUrl: fake.url });
  stt = await startSttServer(Object.values(SAID));
  tts = await startTtsServer();
  server = await startServer({ workspace, env: cenv.env, token: TOKEN, extraArgs: ['--stt-url', stt.url, '--tts-url', tts.url, '--stt-language', 'en'] });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await server?.stop();
  await stt?.close();
  await tts?.close();
  await fake?.close();
  cenv?.cleanup();
});

test('hold to talk: a spoken prompt lands in the message box to edit, and sent reaches the API as the prompt', { skip: missing ?? false, timeout: LONG * 2 }, async () => {
  const b = await browserSaying(speechWav(SAID.list));
  const page = await openSession(b, server.url, null, 'idle');
  sessionId = new URL(page.url()).searchParams.get('id')!;
  const vadFiles = (): Promise<string[]> => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/assets/vad')));
  assert.deepEqual(await vadFiles(), [], 'nothing of the VAD loads before the mic is used');
  const compose = page.getByTestId('compose');
  await holdMic(page, async () => (await compose.inputValue()) !== '', 'the words to be transcribed');
  assert.ok((await vadFiles()).some((n) => n.endsWith('silero_vad_v5.onnx')), 'the model came from this server');
  const peak = await page.evaluate(() => (window as unknown as { ccptyVoice: { peakLevel(): number } }).ccptyVoice.peakLevel());
  assert.ok(peak > 0.3, `the level meter moved (peak ${peak})`);
  assert.equal(await compose.inputValue(), SAID.list);
  assert.equal(fake.prompts().length, 0, 'nothing is sent before the person sends it');
  await page.screenshot({ path: path.join(RESULTS, 'voice-hold-heard.png') });
  await compose.press('Enter');
  await waitFor(() => fake.prompts().includes(SAID.list), 'the spoken prompt at the API', LONG);
  // Its answer is a Bash call that needs permission: the next test says "yes" to it.
  await waitFor(async () => (await stateOf(page)) === 'pending', 'the Bash permission dialog', LONG, 100);
  const e = await events(page);
  assert.ok(e.some((x) => x.kind === 'speech-end') && e.some((x) => x.kind === 'transcribed' && x.text === SAID.list), JSON.stringify(e));
  const req = stt.requests.at(-1)!;
  assert.deepEqual([req.model, req.language, req.responseFormat, req.fileName, req.fileType, req.prompt], ['whisper-1', 'en', 'json', 'audio.wav', 'audio/wav', null]);
  await page.context().close();
});

test('while Bash waits for permission, a spoken "yes" runs it', { skip: missing ?? false, timeout: LONG * 2 }, async () => {
  const page = await openSession(await sayingYes(), server.url, sessionId, 'pending');
  await holdMic(page, () => fs.existsSync(fileIn('voice-yes.txt')), 'the approved command to create its file');
  assert.match((await page.getByTestId('voice-status').textContent()) ?? '', /Heard “yes”: Yes/);
  await waitFor(async () => (await stateOf(page)) === 'idle', 'idle after the tool', LONG, 100);
  await page.context().close();
});

test('a spoken "no" declines another: no file', { skip: missing ?? false, timeout: LONG * 2 }, async () => {
  const page = await openSession(await browserSaying(speechWav(SAID.no)), server.url, sessionId, 'idle');
  await page.getByTestId('compose').fill('please make the no file');
  await page.getByTestId('compose').press('Enter');
  await waitFor(async () => (await stateOf(page)) === 'pending', 'the second Bash dialog', LONG, 100);
  await holdMic(page, async () => (await stateOf(page)) === 'idle', 'the dialog to be declined');
  assert.match((await page.getByTestId('voice-status').textContent()) ?? '', /Heard “no”: No/);
  assert.equal(fs.existsSync(fileIn('voice-no.txt')), false, 'the declined command did not run');
  await page.context().close();
});

test('a spoken "option two" picks the second option of a question', { skip: missing ?? false, timeout: LONG * 2 }, async () => {
  const page = await openSession(await browserSaying(speechWav(SAID.two)), server.url, sessionId, 'idle');
  await page.getByTestId('compose').fill('ask me a question');
  await page.getByTestId('compose').press('Enter');
  await waitFor(async () => (await stateOf(page)) === 'pending', 'the question dialog', LONG, 100);
  await holdMic(page, () => fake.toolResults().some((r) => r.toolName === 'AskUserQuestion'), 'the answer to reach the API');
  const answer = fake.toolResults().find((r) => r.toolName === 'AskUserQuestion')!;
  assert.match(answer.text, /Blue/, answer.text);
  assert.doesNotMatch(answer.text, /Red/);
  await waitFor(async () => (await stateOf(page)) === 'idle', 'idle after the answer', LONG, 100);
  await page.context().close();
});

test('hands-free: the reply is read aloud, then the page listens again and the next utterance goes through', { skip: missing ?? false, timeout: LONG * 3 }, async () => {
  // 2.5 s of silence first: the reply (≈1.5 s of speech) is read out before the next words come.
  const page = await openSession(await browserSaying(speechWav(SAID.hello, { leadSec: 2.5 })), server.url, sessionId, 'idle');
  await page.getByTestId('voice-handsfree').check();
  const before = fake.prompts().filter((p) => p === SAID.hello).length;
  await page.getByTestId('mic').click();
  await waitFor(() => fake.prompts().filter((p) => p === SAID.hello).length >= before + ROUNDS, `${ROUNDS} spoken prompts`, LONG * 2, 200);
  await waitFor(async () => (await events(page)).filter((e) => e.kind === 'played').length >= ROUNDS, 'the replies to be played', LONG, 100);
  await page.screenshot({ path: path.join(RESULTS, 'voice-handsfree.png') });
  await page.getByTestId('mic').click(); // hands-free off
  await waitFor(async () => (await page.getByTestId('voice-state').getAttribute('data-phase')) === 'off', 'hands-free off', 10_000, 100);

  const e = await events(page);
  assert.ok(tts.requests.some((r) => r.input === HELLO_REPLY), `the TTS server read the reply: ${JSON.stringify(tts.requests.map((r) => r.input))}`);
  assert.deepEqual(tts.requests.map((r) => [r.model, r.voice, r.responseFormat])[0], ['tts-1', 'alloy', 'mp3']);
  // Each round: the reply arrived, its audio played, then the page listened again.
  const replies = e.filter((x) => x.kind === 'reply' && x.text === HELLO_REPLY);
  const played = e.filter((x) => x.kind === 'played');
  const listening = e.filter((x) => x.kind === 'listening');
  for (const r of replies.slice(0, ROUNDS)) assert.ok(played.some((p) => p.t >= r.t), 'audio played after the reply');
  // Listening again only once the reply has been read out (the mic would hear it otherwise).
  for (const r of replies.slice(0, ROUNDS - 1)) {
    const read = e.find((x) => x.kind === 'read' && x.t >= r.t);
    const next = listening.find((l) => l.t >= r.t);
    assert.ok(read && next && next.t >= read.t, `listening again after the reply was read: read ${read?.t}, listening ${next?.t}`);
  }
  // The numbers for the report: end of speech (the VAD's) → the prompt at the fake API, and
  // the reply at the page → its first audio out.
  const prompts = fake.requests.filter((r) => r.prompt === SAID.hello).slice(before);
  const ends = e.filter((x) => x.kind === 'speech-end');
  const toPrompt = prompts.map((p) => p.receivedAt - (ends.filter((x) => x.t <= p.receivedAt).at(-1)?.t ?? Number.NaN)).filter(Number.isFinite);
  const toAudio = replies.map((r) => (played.find((p) => p.t >= r.t)?.t ?? Number.NaN) - r.t).filter(Number.isFinite);
  const toText = ends.map((x) => (e.find((y) => y.kind === 'transcribed' && y.t >= x.t)?.t ?? Number.NaN) - x.t).filter(Number.isFinite);
  console.log(`voice latency: end of speech → prompt at the API, median ${median(toPrompt)} ms (${toPrompt.join(', ')}; of which speech-to-text ${median(toText)} ms); reply → first audio, median ${median(toAudio)} ms (${toAudio.join(', ')})`);
  assert.ok(toPrompt.length >= ROUNDS && toAudio.length >= ROUNDS);
  await page.context().close();
});

test('speech-to-text down: the page says so and nothing is typed', { skip: missing ?? false, timeout: LONG * 2 }, async () => {
  const down = await startServer({ command: 'cat', token: TOKEN, extraArgs: ['--stt-url', 'http://127.0.0.1:9/v1'] });
  try {
    const page = await openSession(await sayingYes(), down.url, null, 'idle');
    const status = page.getByTestId('voice-status');
    await holdMic(page, async () => (await status.getAttribute('data-code')) === 'upstream_unreachable', 'the error to show');
    assert.match((await status.textContent()) ?? '', /Speech-to-text failed: cannot reach the speech-to-text server/);
    assert.equal(await page.getByTestId('compose').inputValue(), '');
    const screen = await page.evaluate(() => (window as unknown as { ccpty: { text(): string } }).ccpty.text());
    assert.doesNotMatch(screen, /yes/, 'nothing reached the terminal');
    await page.screenshot({ path: path.join(RESULTS, 'voice-stt-down.png') });
    await page.context().close();
  } finally {
    await down.stop();
  }
});

test('the mic says in one line why it is off: no speech-to-text on the server; plain HTTP on a LAN name', { skip: missing ?? false, timeout: LONG }, async () => {
  const bare = await startServer({ command: 'cat', token: TOKEN, extraArgs: ['--allowed-host', 'voice.test'] });
  try {
    const b = await sayingYes();
    for (const [origin, why] of [[bare.url, /^Voice input is off: this server has no speech-to-text \(--stt-url; README, Voice\)/], [bare.url.replace('127.0.0.1', 'voice.test'), /^The microphone needs HTTPS on this address: see the README, Security \(TLS\)/]] as const) {
      const page = await (await context(b, new URL(origin).origin)).newPage();
      await page.goto(`${origin}/?token=${TOKEN}&new=1`);
      await page.waitForURL(/\/\?id=[0-9a-f-]{36}$/, { timeout: LONG });
      await waitFor(async () => why.test((await page.getByTestId('voice-status').textContent()) ?? ''), `the reason (${origin})`, LONG, 100);
      assert.equal(await page.getByTestId('mic').isDisabled(), true);
      await page.context().close();
    }
  } finally {
    await bare.stop();
  }
});

test('an upload over 25 MiB is refused with 413', { skip: missing ?? false }, async () => {
  const body = new Uint8Array(30 * 1024 * 1024);
  body.set(fs.readFileSync(speechWav(SAID.yes)).subarray(0, 44));
  const res = await fetch(`${server.url}/api/sessions/${sessionId}/transcribe`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'audio/wav' }, body });
  assert.equal(res.status, 413);
  assert.equal(((await res.json()) as { error_code: string }).error_code, 'invalid_input');
});

test('the voice pages asked for nothing but their server', { skip: missing ?? false }, () => {
  assert.deepEqual(foreign, [], `requests to other hosts: ${foreign.join(', ')}`);
});
