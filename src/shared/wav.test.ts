import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWav, readWavInfo } from './wav.js';

test('encodeWav writes a 44-byte PCM header and 16-bit little-endian samples', () => {
  const wav = encodeWav(new Float32Array([0, 1, -1, 0.5, -0.5, 2, -2, Number.NaN]), 16000);
  assert.equal(wav.length, 44 + 8 * 2);
  const view = new DataView(wav.buffer);
  const ascii = (o: number) => String.fromCharCode(...wav.slice(o, o + 4));
  assert.equal(ascii(0), 'RIFF');
  assert.equal(view.getUint32(4, true), wav.length - 8);
  assert.equal(ascii(8), 'WAVE');
  assert.equal(ascii(12), 'fmt ');
  assert.equal(view.getUint16(20, true), 1, 'PCM');
  assert.equal(view.getUint16(22, true), 1, 'mono');
  assert.equal(view.getUint32(24, true), 16000);
  assert.equal(view.getUint32(28, true), 32000, 'byte rate');
  assert.equal(view.getUint16(32, true), 2, 'block align');
  assert.equal(view.getUint16(34, true), 16);
  assert.equal(ascii(36), 'data');
  assert.equal(view.getUint32(40, true), 16);
  const samples = Array.from({ length: 8 }, (_, i) => view.getInt16(44 + i * 2, true));
  assert.deepEqual(samples, [0, 32767, -32768, 16384, -16384, 32767, -32768, 0], 'scaled, clipped, NaN as silence');
});

test('readWavInfo reads what encodeWav wrote, and the duration', () => {
  const info = readWavInfo(encodeWav(new Float32Array(16000 * 1.5), 16000));
  assert.deepEqual(info, { format: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16, dataBytes: 48000, durationMs: 1500 });
});

test('readWavInfo walks past other chunks (LIST) and odd-sized padding', () => {
  const pcm = encodeWav(new Float32Array(800), 8000);
  const list = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
  const withList = new Uint8Array(pcm.length + list.length);
  withList.set(pcm.slice(0, 36));
  withList.set(list, 36);
  withList.set(pcm.slice(36), 36 + list.length);
  assert.equal(readWavInfo(withList)?.durationMs, 100);
});

test('readWavInfo refuses what is not a WAV', () => {
  assert.equal(readWavInfo(new Uint8Array(0)), null);
  assert.equal(readWavInfo(new TextEncoder().encode('OggS\0\0\0\0\0\0\0\0\0\0')), null);
  const noData = encodeWav(new Float32Array(10), 16000).slice(0, 36);
  assert.equal(readWavInfo(noData), null, 'no data chunk');
  const zeroRate = encodeWav(new Float32Array(10), 16000);
  new DataView(zeroRate.buffer).setUint32(24, 0, true);
  assert.equal(readWavInfo(zeroRate), null, 'a zero sample rate');
});

test('encodeWav refuses a bad sample rate', () => {
  assert.throws(() => encodeWav(new Float32Array(1), 0), RangeError);
  assert.throws(() => encodeWav(new Float32Array(1), 44100.5), RangeError);
});
