import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundEscapesText, EscapeBounds, MAX_PARAM_DIGITS } from './escape-bounds.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const run = (...chunks: string[]): string => {
  const f = new EscapeBounds();
  return chunks.map((c) => dec(f.filter(enc(c)))).join('');
};

test('ordinary output passes through untouched (the same chunk, no copy)', () => {
  const f = new EscapeBounds();
  const chunk = enc('hello \x1b[1;31mred\x1b[0m \x1b[38;2;255;128;0mrgb\x1b[0m \x1b[24;80H\x1b[?2004h');
  assert.equal(f.filter(chunk), chunk);
});

test('REP with a huge count is cut to MAX_PARAM_DIGITS digits', () => {
  assert.equal(MAX_PARAM_DIGITS, 4);
  assert.equal(run('x\x1b[2147483647b'), 'x\x1b[2147b');
  assert.equal(run('x\x1b[100000000b'), 'x\x1b[1000b');
});

test('every parameter is bounded on its own; text after the sequence is kept', () => {
  assert.equal(run('\x1b[123456;7890123Hafter'), '\x1b[1234;7890Hafter');
  assert.equal(run('\x1b[?99999h'), '\x1b[?9999h');
  assert.equal(run('\x1b[38:2:12345:1:2m'), '\x1b[38:2:1234:1:2m');
});

test('a sequence split across chunks is bounded all the same', () => {
  assert.equal(run('x\x1b', '[21474', '83647', 'b!'), 'x\x1b[2147b!');
});

test('C1 CSI (U+009B) is bounded too; digits outside sequences are never touched', () => {
  assert.equal(run('\u009b99999999b'), '\u009b9999b');
  assert.equal(run('1234567890 \x1b[5m 1234567890'), '1234567890 \x1b[5m 1234567890');
});

test('a cancelled sequence (CAN) returns to text: later digits are text', () => {
  assert.equal(run('\x1b[12\x1812345678'), '\x1b[12\x1812345678');
});

test('text form: unchanged text is returned as is', () => {
  const f = new EscapeBounds();
  const t = 'plain text ✓ 日本';
  assert.equal(boundEscapesText(t, f), t);
  assert.equal(boundEscapesText('a\x1b[99999999b', f), 'a\x1b[9999b');
});

test('0xC2 before C1 CSI, twice, inside a sequence, split across chunks: bounded (a fuzzed `\\xc2\\xc2\\x9b2147483647b` hung the mirror)', () => {
  const f = new EscapeBounds();
  const bytes = (...b: Array<number | string>): Uint8Array => new Uint8Array(b.flatMap((x) => (typeof x === 'string' ? [...enc(x)] : [x])));
  assert.equal(dec(f.filter(bytes(0xc2, 0xc2, 0x9b, '2147483647b'))), '\ufffd\u009b2147b');
  assert.equal(dec(new EscapeBounds().filter(bytes('\x1b[12', 0xc2, 0x9b, '99999999b'))), '\x1b[12\u009b9999b');
  assert.equal(dec(new EscapeBounds().filter(bytes('\x1b', 0xc2, 0x9b, '99999999b'))), '\x1b\u009b9999b');
  const g = new EscapeBounds();
  assert.equal([g.filter(bytes(0xc2)), g.filter(bytes(0xc2)), g.filter(bytes(0x9b, '123456b'))].map((c) => [...c]).flat().length, 2 + 1 + 5);
});

/**
 * A reference reading of what a terminal makes of the bytes (UTF-8 decoded, as xterm.js does):
 * the longest run of digits in one parameter of any control sequence.
 */
function longestParam(text: string): number {
  let state: 'ground' | 'esc' | 'csi' = 'ground';
  let digits = 0;
  let longest = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c === 0x9b) {
      state = 'csi';
      digits = 0;
      continue;
    }
    if (c === 0x1b) {
      state = 'esc';
      continue;
    }
    if (state === 'esc') {
      state = c === 0x5b ? 'csi' : 'ground';
      digits = 0;
    } else if (state === 'csi') {
      if (c >= 0x30 && c <= 0x39) longest = Math.max(longest, ++digits);
      else if (c === 0x3b || c === 0x3a) digits = 0;
      else if (c === 0x18 || c === 0x1a || (c >= 0x40 && c <= 0x7e)) state = 'ground';
    }
  }
  return longest;
}

test('random mixes of ESC, C1 CSI, 0xC2, digits and finals, in random chunks: no parameter a terminal reads has more than MAX_PARAM_DIGITS digits', () => {
  let seed = 42;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const tokens: number[][] = [[0x1b], [0x5b], [0xc2], [0x9b], [0xc2, 0x9b], [0x18], [0x3b], [0x62], [0x78], [0xc3, 0xa9], [0x3f], ...'0123456789'.split('').map((d) => [d.charCodeAt(0)])];
  for (let round = 0; round < 3000; round++) {
    const bytes: number[] = [];
    const len = 1 + Math.floor(r() * 60);
    for (let i = 0; i < len; i++) bytes.push(...(tokens[Math.floor(r() * tokens.length)] as number[]));
    const f = new EscapeBounds();
    const out: number[] = [];
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(r() * 8);
      out.push(...f.filter(new Uint8Array(bytes.slice(at, at + n))));
      at += n;
    }
    const text = dec(new Uint8Array(out));
    assert.ok(longestParam(text) <= MAX_PARAM_DIGITS, `round ${round}: ${JSON.stringify(dec(new Uint8Array(bytes)))} → ${JSON.stringify(text)}`);
  }
});
