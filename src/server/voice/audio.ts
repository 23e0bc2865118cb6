/**
 * An audio upload for speech-to-text: the raw body with its Content-Type, or a multipart
 * `file` part. Only the formats every OpenAI-compatible server takes are accepted, and the
 * bytes must be what the type says (checked by their magic numbers), so a wrong upload is
 * refused here with a clear code instead of an upstream puzzle.
 */
import type { IncomingMessage } from 'node:http';
import { E, type ErrorCode } from '../../shared/errors.js';
import { readWavInfo } from '../../shared/wav.js';
import { BodyTooLarge, readBodyBytes } from '../http/json.js';

/** OpenAI's limit for /audio/transcriptions (Groq's free tier and others take the same). */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;
/** Multipart framing around the file (boundaries, headers, other fields) on top of the audio. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The accepted types, each with the file extension the upstream server is told. */
export const AUDIO_TYPES = { 'audio/wav': 'wav', 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3' } as const;
export type AudioType = keyof typeof AUDIO_TYPES;
const ALIASES: Readonly<Record<string, AudioType>> = {
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
};
/** Types that say nothing: the bytes decide. */
const UNTYPED = new Set(['', 'application/octet-stream']);

/** Bytes backed by a plain ArrayBuffer (what Blob and fetch take). */
export type Bytes = Uint8Array<ArrayBuffer>;

export interface Audio {
  bytes: Bytes;
  type: AudioType;
}

export type Upload = { ok: true; audio: Audio } | { ok: false; code: ErrorCode; message: string; status?: number };

const TOO_LARGE: Upload = { ok: false, code: E.invalid_input, message: `audio larger than ${MAX_AUDIO_BYTES} bytes (25 MiB)`, status: 413 };

function unsupported(what: string): Upload {
  return { ok: false, code: E.unsupported_media_type, message: `${what}; send audio/wav, audio/webm, audio/ogg or audio/mpeg` };
}

/** The declared type, lowercased, without parameters (`audio/webm;codecs=opus` → `audio/webm`). */
function baseType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The type the bytes are, by their magic numbers (null: none of ours). */
export function sniffAudio(b: Uint8Array): AudioType | null {
  const at = (i: number, s: string): boolean => [...s].every((c, k) => b[i + k] === c.charCodeAt(0));
  if (at(0, 'RIFF') && at(8, 'WAVE')) return readWavInfo(b) ? 'audio/wav' : null;
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'audio/webm';
  if (at(0, 'OggS')) return 'audio/ogg';
  // An MPEG frame sync (11 bits) with a layer that is not 00 (00 is AAC's ADTS, not ours).
  if (at(0, 'ID3') || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0 && (((b[1] ?? 0) >> 1) & 3) !== 0)) return 'audio/mpeg';
  return null;
}

/** Checks declared type against the bytes. */
export function checkAudio(declared: string, bytes: Bytes): Upload {
  if (bytes.length === 0) return { ok: false, code: E.invalid_input, message: 'the audio is empty' };
  if (bytes.length > MAX_AUDIO_BYTES) return TOO_LARGE;
  const sniffed = sniffAudio(bytes);
  if (UNTYPED.has(declared)) return sniffed ? { ok: true, audio: { bytes, type: sniffed } } : unsupported('the audio format is not recognised');
  const type = (declared in AUDIO_TYPES ? declared : ALIASES[declared]) as AudioType | undefined;
  if (!type) return unsupported(`"${declared.slice(0, 60)}" is not an accepted audio type`);
  if (sniffed !== type) return unsupported(`the body is not ${type}`);
  return { ok: true, audio: { bytes, type } };
}

/** Whether a Content-Type can carry an upload at all (checked before the body is read). */
function acceptableEnvelope(ct: string): boolean {
  return ct === 'multipart/form-data' || UNTYPED.has(ct) || ct in AUDIO_TYPES || ct in ALIASES;
}

export async function readAudioUpload(req: IncomingMessage): Promise<Upload> {
  const ct = baseType(req.headers['content-type']);
  if (!acceptableEnvelope(ct)) {
    req.resume();
    return unsupported(`"${ct.slice(0, 60)}" is not an accepted audio type`);
  }
  const multipart = ct === 'multipart/form-data';
  const body = await readBytes(req, MAX_AUDIO_BYTES + (multipart ? MULTIPART_OVERHEAD_BYTES : 0));
  if (body === 'too_large') return TOO_LARGE;
  if (body === 'unreadable') return { ok: false, code: E.invalid_input, message: 'could not read the request body' };
  if (!multipart) return checkAudio(ct, body);
  let file: FormDataEntryValue | null;
  try {
    const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] as string } }).formData();
    file = form.get('file');
  } catch {
    return { ok: false, code: E.invalid_input, message: 'the multipart body does not parse' };
  }
  if (!file || typeof file === 'string') return { ok: false, code: E.invalid_input, message: 'the multipart body has no "file" part' };
  return checkAudio(baseType(file.type), new Uint8Array(await file.arrayBuffer()));
}

/** The whole body, refusing more than `limit` bytes without buffering them. */
async function readBytes(req: IncomingMessage, limit: number): Promise<Bytes | 'too_large' | 'unreadable'> {
  try {
    return (await readBodyBytes(req, limit)) as Bytes; // a Buffer's memory is an ArrayBuffer
  } catch (err) {
    return err instanceof BodyTooLarge ? 'too_large' : 'unreadable';
  }
}
