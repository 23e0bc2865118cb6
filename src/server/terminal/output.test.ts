import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringDecoder } from 'node:string_decoder';
import { OutputFrame, outputFrame, skipText } from './output.js';
import { prng as rng } from '../../../test/helpers/prng.js';


const SAMPLES = ['a', 'é', '€', '😀', '世', '\x1b[31m', '\r\n'].map((s) => Buffer.from(s));
const JUNK = [0x80, 0xbf, 0xc0, 0xc2, 0xe2, 0xed, 0xf0, 0xf4, 0xf8, 0xff];

test('skipText leaves the decoder where full decoding would (random valid and broken UTF-8)', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const r = rng(seed);
    const parts: Buffer[] = [];
    for (let i = 0; i < 30; i++) parts.push(r() < 0.8 ? (SAMPLES[Math.floor(r() * SAMPLES.length)] as Buffer) : Buffer.from([JUNK[Math.floor(r() * JUNK.length)] as number]));
    const bytes = Buffer.concat(parts);
    const full = new StringDecoder('utf8');
    const skipping = new StringDecoder('utf8');
    let at = 0;
    while (at < bytes.length) {
      const chunk = bytes.subarray(at, at + 1 + Math.floor(r() * 9));
      at += chunk.length;
      const expected = full.write(chunk);
      if (r() < 0.5) skipText(skipping, chunk);
      else assert.equal(skipping.write(chunk), expected, `seed ${seed}: a decoded chunk after skipped ones`);
    }
    assert.equal(skipping.end(), full.end(), `seed ${seed}: the tail`);
  }
});

test('a frame decodes only when a viewer reads JSON; JSON is encoded once and shared', () => {
  const d = new StringDecoder('utf8');
  const euro = Buffer.from('€');
  const binaryOnly = outputFrame(euro.subarray(0, 2), d, [{ binary: true }]);
  assert.equal((binaryOnly as unknown as { _text: string | null })._text, null);
  const json = outputFrame(Buffer.concat([euro.subarray(2), Buffer.from('!')]), d, [{ binary: true }, { binary: false }]);
  assert.equal(json.text, '€!', 'the character cut between the two chunks is whole');
  assert.equal(json.json, JSON.stringify({ type: 'session_pty_output', output: '€!' }));
  assert.equal(json.json, json.json);
  assert.ok(json.seq > binaryOnly.seq);
  assert.equal(new OutputFrame(Buffer.from('x'), null).text, 'x');
});
