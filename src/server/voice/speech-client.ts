/**
 * Clients of OpenAI-compatible speech servers: speech-to-text (`POST {base}/audio/transcriptions`,
 * multipart `file`, `model`, `language`, `response_format=json` → `{"text": …}`) and
 * text-to-speech (`POST {base}/audio/speech`, JSON `{model, input, voice, response_format}` →
 * audio bytes). Works with OpenAI, Groq, speaches, LocalAI and whisper.cpp's server (its
 * `/inference` path, given as the whole URL). Keys stay here: nothing of them is ever answered.
 * Every failure becomes a coded error (`upstream_*`), never an exception.
 */
import { E, type ErrorCode } from '../../shared/errors.js';
import type { SttConfig, TtsConfig } from '../config.js';
import { AUDIO_TYPES, type Audio, type Bytes } from './audio.js';

/**
 * Long enough for OpenAI to transcribe a 25 MiB upload (tens of minutes of audio); a browser's
 * utterance takes 0.5-3 s, so only a stuck server ever reaches it.
 */
export const STT_TIMEOUT_MS = 60_000;
/** OpenAI's tts-1 renders a 4096-character input in 5-15 s; a short reply in under 2 s. */
export const TTS_TIMEOUT_MS = 30_000;
/** OpenAI's limit for one speech request's input. */
export const TTS_MAX_CHARS = 4096;
/** Most bytes read of a transcription answer (a 25 MiB upload's verbose text is far smaller). */
const MAX_TRANSCRIPT_ANSWER_BYTES = 1024 * 1024;
/** Most bytes of audio accepted for one speech request (4096 characters of WAV at 24 kHz ≈ 15 MiB). */
const MAX_SPEECH_AUDIO_BYTES = 32 * 1024 * 1024;
/** An upstream error message is passed on cut to this many characters. */
const UPSTREAM_MESSAGE_MAX_CHARS = 200;

export type SpeechFailure = { ok: false; code: ErrorCode; message: string; retryAfter?: string };
export type Transcribed = { ok: true; text: string } | SpeechFailure;
export type Spoken = { ok: true; audio: Bytes; contentType: string } | SpeechFailure;

const SPEECH_TYPES: Readonly<Record<TtsConfig['format'], string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg', // OpenAI sends Opus in an Ogg container
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
};

/** `{base}/audio/transcriptions`, or the URL as given when it already names the endpoint. */
export function transcriptionUrl(base: string): string {
  return /\/(audio\/transcriptions|inference)$/.test(base) ? base : `${base}/audio/transcriptions`;
}

export function speechUrl(base: string): string {
  return /\/audio\/speech$/.test(base) ? base : `${base}/audio/speech`;
}

export class SpeechToText {
  constructor(
    private readonly config: SttConfig,
    private readonly timeoutMs = STT_TIMEOUT_MS,
  ) {}

  /**
   * The text of `audio`. No `prompt` is sent: Whisper models are known to echo their prompt on
   * near-silence, and a vocabulary hint of a dialog's answers ("Yes. No.") could then answer it.
   */
  async transcribe(audio: Audio): Promise<Transcribed> {
    const form = new FormData();
    form.append('file', new Blob([audio.bytes], { type: audio.type }), `audio.${AUDIO_TYPES[audio.type]}`);
    form.append('model', this.config.model);
    form.append('response_format', 'json');
    if (this.config.language) form.append('language', this.config.language);
    const answer = await call('speech-to-text', transcriptionUrl(this.config.url), this.config.key, form, this.timeoutMs, MAX_TRANSCRIPT_ANSWER_BYTES);
    if (!answer.ok) return answer;
    const body = new TextDecoder().decode(answer.body);
    if (/json/i.test(answer.contentType)) {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return fail(E.upstream_error, 'the speech-to-text server answered JSON that does not parse');
      }
      const text = (json as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') return fail(E.upstream_error, 'the speech-to-text server answered without a "text"');
      return { ok: true, text: text.trim() };
    }
    if (/^text\/plain/i.test(answer.contentType)) return { ok: true, text: body.trim() };
    return fail(E.upstream_error, `the speech-to-text server answered ${answer.contentType || 'no content type'}, not a transcript`);
  }
}

export class TextToSpeech {
  constructor(
    private readonly config: TtsConfig,
    private readonly timeoutMs = TTS_TIMEOUT_MS,
  ) {}

  /** The audio of `text` (at most TTS_MAX_CHARS characters: the caller checks). */
  async speak(text: string): Promise<Spoken> {
    const body = JSON.stringify({ model: this.config.model, input: text, voice: this.config.voice, response_format: this.config.format });
    const answer = await call('text-to-speech', speechUrl(this.config.url), this.config.key, body, this.timeoutMs, MAX_SPEECH_AUDIO_BYTES);
    if (!answer.ok) return answer;
    const type = answer.contentType.split(';')[0]!.trim().toLowerCase();
    if (/json|text\//.test(type)) return fail(E.upstream_error, 'the text-to-speech server answered text, not audio');
    if (answer.body.length === 0) return fail(E.upstream_error, 'the text-to-speech server answered no audio');
    // Some servers answer application/octet-stream (or nothing): the requested format tells.
    return { ok: true, audio: answer.body, contentType: /^audio\/[\w.+-]+$/.test(type) ? type : SPEECH_TYPES[this.config.format] };
  }
}

function fail(code: ErrorCode, message: string, retryAfter?: string): SpeechFailure {
  return retryAfter ? { ok: false, code, message, retryAfter } : { ok: false, code, message };
}

type Answer = { ok: true; body: Bytes; contentType: string } | SpeechFailure;

async function call(what: string, url: string, key: string | null, body: FormData | string, timeoutMs: number, maxBytes: number): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (typeof body === 'string') headers['content-type'] = 'application/json';
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'error' });
  } catch (err) {
    return failedFetch(what, err, timeoutMs);
  }
  let bytes: Bytes | null;
  try {
    bytes = await readCapped(res, maxBytes);
  } catch (err) {
    return failedFetch(what, err, timeoutMs);
  }
  if (bytes === null) return fail(E.upstream_error, `the ${what} server answered more than ${maxBytes} bytes`);
  if (res.ok) return { ok: true, body: bytes, contentType: res.headers.get('content-type') ?? '' };
  const detail = key ? upstreamMessage(bytes).split(key).join('[key]') : upstreamMessage(bytes);
  const said = detail ? `: ${detail}` : '';
  if (res.status === 429) {
    const retry = res.headers.get('retry-after');
    return fail(E.upstream_rate_limited, `the ${what} server is rate-limiting (429)${said}`, retry && /^[\w ,:.-]{1,40}$/.test(retry) ? retry : undefined);
  }
  if (res.status === 401 || res.status === 403) return fail(E.upstream_error, `the ${what} server refused the key (${res.status})${said}`);
  if (res.status === 408 || res.status === 504) return fail(E.upstream_timeout, `the ${what} server timed out (${res.status})${said}`);
  return fail(E.upstream_error, `the ${what} server answered ${res.status}${said}`);
}

function failedFetch(what: string, err: unknown, timeoutMs: number): SpeechFailure {
  const e = err as { name?: string; message?: string; cause?: { code?: string; name?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.cause?.name === 'TimeoutError') {
    return fail(E.upstream_timeout, `the ${what} server did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`);
  }
  if (/redirect/i.test(`${e.message ?? ''} ${e.cause?.message ?? ''}`)) {
    return fail(E.upstream_error, `the ${what} server answered with a redirect; give its final URL`);
  }
  const code = typeof e.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return fail(E.upstream_unreachable, `cannot reach the ${what} server${code}`);
}

/** The body, or null past `max` bytes (read no further). */
async function readCapped(res: Response, max: number): Promise<Bytes | null> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    return null;
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) return null; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  return Buffer.concat(chunks) as Bytes;
}

/** The message of an upstream error body: OpenAI `{error:{message}}`, `{error:"…"}` (whisper.cpp), `{detail}` (FastAPI), or text. */
export function upstreamMessage(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 8192)).trim();
  let message = text;
  try {
    const j = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    const err = j.error as { message?: unknown } | string | undefined;
    const m = typeof err === 'string' ? err : typeof err?.message === 'string' ? err.message : typeof j.detail === 'string' ? j.detail : typeof j.message === 'string' ? j.message : null;
    if (m !== null) message = m;
  } catch {
    // not JSON: the text itself
  }
  message = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return message.length > UPSTREAM_MESSAGE_MAX_CHARS ? `${message.slice(0, UPSTREAM_MESSAGE_MAX_CHARS)}…` : message;
}
