/**
 * The voice routes (appended to ROUTES): what the server offers (`GET /api/voice`), speech to
 * text for a session (`POST /api/sessions/{id}/transcribe`, `?act=1` also applies it through
 * the one door), and text to speech (`POST /api/sessions/{id}/speak`). Both session routes need
 * `control`: they spend the owner's speech-service quota, and a view link can do nothing with a
 * transcript. Errors are `session_error` bodies, as on the other session routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { E, type ErrorCode } from '../../shared/errors.js';
import { sessionError } from '../../shared/protocol.js';
import { parseSessionIdSegment } from '../../shared/session-id.js';
import { replySpeech } from '../../shared/speech-text.js';
import type { Principal } from '../auth/guard.js';
import { sendSessionError } from '../errors.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { actOnTranscript } from '../voice/act.js';
import { MAX_AUDIO_BYTES, readAudioUpload } from '../voice/audio.js';
import { TTS_MAX_CHARS, type SpeechFailure } from '../voice/speech-client.js';
import type { Voice } from '../voice/voice.js';
import { BodyTooLarge, readBody, sendJson } from './json.js';

/** A `speak` body: `{"text": …}` with at most TTS_MAX_CHARS characters, well under this. */
const MAX_SPEAK_BODY_BYTES = 64 * 1024;

/** What the voice routes need of the route context (RouteContext has it). */
export interface VoiceRouteContext {
  registry: SessionRegistry;
  /** Absent: voice is off (every voice route answers as not configured). */
  voice?: Voice;
}

export interface VoiceRoute {
  method: 'GET' | 'POST';
  path: string;
  access: 'any' | 'session-control';
  handler: (ctx: VoiceRouteContext, req: IncomingMessage, res: ServerResponse, params: string[], principal: Principal) => Promise<void> | void;
}

function fail(res: ServerResponse, id: string, code: ErrorCode, message: string, status?: number, extra: Record<string, unknown> = {}): void {
  sendSessionError(res, { ...sessionError(id, code, { error_message: message }), ...extra }, status);
}

/** A slot for one speech request, or null once refused with 429 (MAX_SPEECH_REQUESTS busy). */
function speechSlot(ctx: VoiceRouteContext, req: IncomingMessage, res: ServerResponse, id: string): (() => void) | null {
  const done = ctx.voice?.slots.begin() ?? null;
  if (done) return done;
  req.resume();
  res.setHeader('Retry-After', '1');
  fail(res, id, E.rate_limited, 'too many speech requests at once on this server; try again in a moment');
  return null;
}

function upstreamFailed(res: ServerResponse, id: string, f: SpeechFailure): void {
  if (f.retryAfter) res.setHeader('Retry-After', f.retryAfter);
  fail(res, id, f.code, f.message);
}

/** The `{id}` of a known session, or null once refused (400 not a UUID, 404 unknown). */
function knownSession(ctx: VoiceRouteContext, req: IncomingMessage, res: ServerResponse, raw: string | undefined): string | null {
  const id = parseSessionIdSegment(raw ?? '');
  if (!id) {
    req.resume();
    fail(res, '', E.invalid_input, 'session id must be a UUID');
    return null;
  }
  if (!ctx.registry.info(id)) {
    req.resume();
    fail(res, id, E.session_not_found, 'no session with this id');
    return null;
  }
  return id;
}

/** `?act=1` / `?act=true` (apply), absent / 0 / false (only transcribe); anything else null. */
function actParam(req: IncomingMessage): boolean | null {
  const v = new URL(req.url ?? '/', 'http://x').searchParams.get('act');
  if (v === null || v === '0' || v === 'false') return false;
  return v === '1' || v === 'true' ? true : null;
}

export const VOICE_ROUTES: readonly VoiceRoute[] = [
  {
    // What this server's voice can do, so a client can say why a mic is off.
    method: 'GET',
    path: '/api/voice',
    access: 'any',
    handler: (ctx, _req, res) => sendJson(res, 200, { stt: !!ctx.voice?.stt, tts: !!ctx.voice?.tts, max_upload_bytes: MAX_AUDIO_BYTES }),
  },
  {
    method: 'POST',
    path: '/api/sessions/{id}/transcribe',
    access: 'session-control',
    handler: async (ctx, req, res, [raw], principal) => {
      const id = knownSession(ctx, req, res, raw);
      if (!id) return;
      const act = actParam(req);
      if (act === null) {
        req.resume();
        return fail(res, id, E.invalid_input, 'act must be 1 or 0');
      }
      const stt = ctx.voice?.stt;
      if (!stt) {
        req.resume();
        return fail(res, id, E.stt_not_configured, 'speech-to-text is not configured on this server (start it with --stt-url)');
      }
      const done = speechSlot(ctx, req, res, id);
      if (!done) return;
      let heard: Awaited<ReturnType<typeof stt.transcribe>>;
      try {
        const upload = await readAudioUpload(req);
        if (!upload.ok) return fail(res, id, upload.code, upload.message, upload.status);
        heard = await stt.transcribe(upload.audio);
      } finally {
        done();
      }
      if (!heard.ok) return upstreamFailed(res, id, heard);
      if (!act) return sendJson(res, 200, { text: heard.text });
      const role = principal.kind === 'owner' ? 'owner' : principal.share.role;
      const outcome = await actOnTranscript(ctx.registry, role, id, heard.text);
      if (outcome.kind === 'refused') return sendSessionError(res, { ...outcome.result.error, text: heard.text } as typeof outcome.result.error);
      const { action, result } = outcome;
      if (result && !result.ok) return sendSessionError(res, { ...result.error, text: heard.text, action } as typeof result.error);
      sendJson(res, 200, { text: heard.text, action, applied: result !== null });
    },
  },
  {
    method: 'POST',
    path: '/api/sessions/{id}/speak',
    access: 'session-control',
    handler: async (ctx, req, res, [raw]) => {
      const id = knownSession(ctx, req, res, raw);
      if (!id) return;
      const tts = ctx.voice?.tts;
      if (!tts) {
        req.resume();
        return fail(res, id, E.tts_not_configured, 'text-to-speech is not configured on this server (start it with --tts-url)');
      }
      let body: string;
      try {
        body = await readBody(req, MAX_SPEAK_BODY_BYTES);
      } catch (err) {
        const tooLarge = err instanceof BodyTooLarge;
        return fail(res, id, E.invalid_input, tooLarge ? `body larger than ${MAX_SPEAK_BODY_BYTES} bytes` : 'could not read the request body', tooLarge ? 413 : 400);
      }
      const given = speakText(body);
      if (given === undefined) return fail(res, id, E.invalid_input, `body must be {} or {"text": a string of 1-${TTS_MAX_CHARS} characters}`);
      let text = given;
      if (text === null) {
        const last = ctx.voice?.replies.get(id);
        if (!last) return fail(res, id, E.not_found, 'this session has no reply to read yet');
        text = replySpeech(last.text, last.isError);
      }
      const done = speechSlot(ctx, req, res, id);
      if (!done) return;
      const spoken = await tts.speak(text).finally(done);
      if (!spoken.ok) return upstreamFailed(res, id, spoken);
      res.writeHead(200, { 'Content-Type': spoken.contentType, 'Content-Length': spoken.audio.length, 'Cache-Control': 'no-store' });
      res.end(spoken.audio);
    },
  },
];

/** The text a `speak` body asks for: a string, null for the last reply (empty body or no text), undefined if invalid. */
export function speakText(body: string): string | null | undefined {
  if (body.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const text = (json as { text?: unknown }).text;
  if (text === undefined) return null;
  if (typeof text !== 'string' || text.trim() === '' || text.length > TTS_MAX_CHARS) return undefined;
  return text;
}
