import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { encodeWav } from '../../shared/wav.js';
import { checkAudio, MAX_AUDIO_BYTES, readAudioUpload, sniffAudio, type Bytes, type Upload } from './audio.js';

const WAV = encodeWav(new Float32Array(1600), 16000);
const bytes = (...b: number[]): Bytes => new Uint8Array([...b, ...new Array<number>(16).fill(0)]);
const WEBM = bytes(0x1a, 0x45, 0xdf, 0xa3);
const OGG = new TextEncoder().encode('OggS\0\x02\0\0\0\0\0\0\0\0') as Bytes;
const MP3_ID3 = new TextEncoder().encode('ID3\x04\0\0\0\0\0\0') as Bytes;
const MP3_FRAME = bytes(0xff, 0xfb, 0x90, 0x44);
const AAC_ADTS = bytes(0xff, 0xf1, 0x50, 0x80);

function request(body: Uint8Array | string, headers: Record<string, string>): IncomingMessage {
  const stream = Readable.from([typeof body === 'string' ? Buffer.from(body) : Buffer.from(body)]) as unknown as IncomingMessage;
  stream.headers = headers;
  return stream;
}

const code = (u: Upload): string => (u.ok ? `ok:${u.audio.type}` : `${u.code}${u.status ? `/${u.status}` : ''}`);

test('sniffing: WAV, WebM, Ogg, MP3 (ID3 or a frame), not AAC or text', () => {
  assert.equal(sniffAudio(WAV), 'audio/wav');
  assert.equal(sniffAudio(WEBM), 'audio/webm');
  assert.equal(sniffAudio(OGG), 'audio/ogg');
  assert.equal(sniffAudio(MP3_ID3), 'audio/mpeg');
  assert.equal(sniffAudio(MP3_FRAME), 'audio/mpeg');
  assert.equal(sniffAudio(AAC_ADTS), null, 'ADTS (layer 00) is AAC');
  assert.equal(sniffAudio(new TextEncoder().encode('hello world, not audio') as Bytes), null);
  assert.equal(sniffAudio(WAV.slice(0, 20) as Bytes), null, 'a RIFF/WAVE header without its chunks');
});

test('the declared type must be an accepted one and match the bytes', () => {
  assert.equal(code(checkAudio('audio/wav', WAV)), 'ok:audio/wav');
  assert.equal(code(checkAudio('audio/x-wav', WAV)), 'ok:audio/wav', 'aliases');
  assert.equal(code(checkAudio('audio/mp3', MP3_ID3)), 'ok:audio/mpeg');
  assert.equal(code(checkAudio('audio/webm', WEBM)), 'ok:audio/webm');
  assert.equal(code(checkAudio('audio/ogg', OGG)), 'ok:audio/ogg');
  assert.equal(code(checkAudio('audio/wav', OGG)), 'unsupported_media_type', 'bytes that are not what the type says');
  assert.equal(code(checkAudio('audio/flac', WAV)), 'unsupported_media_type');
  assert.equal(code(checkAudio('', WEBM)), 'ok:audio/webm', 'no type: the bytes decide');
  assert.equal(code(checkAudio('application/octet-stream', WAV)), 'ok:audio/wav');
  assert.equal(code(checkAudio('application/octet-stream', AAC_ADTS)), 'unsupported_media_type');
  assert.equal(code(checkAudio('audio/wav', new Uint8Array(0))), 'invalid_input', 'empty');
  assert.equal(code(checkAudio('audio/wav', new Uint8Array(MAX_AUDIO_BYTES + 1))), 'invalid_input/413');
});

test('a raw body with its Content-Type (parameters ignored)', async () => {
  assert.equal(code(await readAudioUpload(request(WAV, { 'content-type': 'audio/wav' }))), 'ok:audio/wav');
  assert.equal(code(await readAudioUpload(request(WEBM, { 'content-type': 'audio/webm;codecs=opus' }))), 'ok:audio/webm');
  assert.equal(code(await readAudioUpload(request('hello', { 'content-type': 'text/plain' }))), 'unsupported_media_type', 'refused before reading');
  assert.equal(code(await readAudioUpload(request(WAV, { 'content-type': 'audio/wav', 'content-length': String(MAX_AUDIO_BYTES + 1) }))), 'invalid_input/413', 'by its declared length');
});

test('a multipart `file` part', async () => {
  const form = new FormData();
  form.append('file', new Blob([WAV], { type: 'audio/wav' }), 'utterance.wav');
  form.append('model', 'ignored');
  const req = new Request('http://x/', { method: 'POST', body: form });
  const body = new Uint8Array(await req.arrayBuffer());
  const upload = await readAudioUpload(request(body, { 'content-type': req.headers.get('content-type')! }));
  assert.equal(code(upload), 'ok:audio/wav');
  assert.deepEqual(upload.ok && [...upload.audio.bytes.slice(0, 4)], [...WAV.slice(0, 4)]);

  const none = new FormData();
  none.append('audio', new Blob([WAV], { type: 'audio/wav' }), 'a.wav');
  const noneReq = new Request('http://x/', { method: 'POST', body: none });
  const noFile = await readAudioUpload(request(new Uint8Array(await noneReq.arrayBuffer()), { 'content-type': noneReq.headers.get('content-type')! }));
  assert.deepEqual(noFile, { ok: false, code: 'invalid_input', message: 'the multipart body has no "file" part' });
  assert.equal(code(await readAudioUpload(request('garbage', { 'content-type': 'multipart/form-data; boundary=x' }))), 'invalid_input');
});
