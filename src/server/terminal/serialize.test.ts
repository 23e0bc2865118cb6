import { test } from 'node:test';
import assert from 'node:assert/strict';
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import { fastSerializeSupported, serializeTerminal } from './serialize.js';
import { prng as rng } from '../../../test/helpers/prng.js';

const PIECES: Array<(r: () => number) => string> = [
  (r) => 'abcdefghij klmnopqrstuvwxyz0123456789'.slice(0, 1 + Math.floor(r() * 30)),
  () => '\r\n',
  () => '\n',
  () => '\r',
  () => '世界',
  () => '😀',
  () => 'e\u0301', // combining: a combined cell
  () => '\u200b', // zero width
  () => 'ｗｉｄｅ',
  (r) => `\x1b[${30 + Math.floor(r() * 8)}m`,
  (r) => `\x1b[${90 + Math.floor(r() * 8)}m`,
  (r) => `\x1b[${40 + Math.floor(r() * 8)}m`,
  (r) => `\x1b[${100 + Math.floor(r() * 8)}m`,
  (r) => `\x1b[38;5;${Math.floor(r() * 256)}m`,
  (r) => `\x1b[48;5;${Math.floor(r() * 256)}m`,
  (r) => `\x1b[38;2;${Math.floor(r() * 256)};${Math.floor(r() * 256)};${Math.floor(r() * 256)}m`,
  (r) => `\x1b[48;2;${Math.floor(r() * 256)};${Math.floor(r() * 256)};${Math.floor(r() * 256)}m`,
  (r) => `\x1b[${[1, 2, 3, 4, 5, 7, 8, 9, 53, 21, 22, 23, 24, 25, 27, 28, 29, 55, 39, 49][Math.floor(r() * 20)]}m`,
  () => '\x1b[0m',
  () => '\x1b[m',
  (r) => `\x1b[4:${Math.floor(r() * 6)}m`, // underline styles (extended attributes)
  (r) => `\x1b[58:5:${Math.floor(r() * 256)}m`, // underline colour
  () => '\x1b[59m',
  () => '\x1b]8;;https://example.com\x07link\x1b]8;;\x07', // hyperlink (urlId)
  () => '\x1b[K',
  () => '\x1b[1K',
  () => '\x1b[2K',
  () => '\x1b[J',
  (r) => `\x1b[${1 + Math.floor(r() * 5)}X`,
  (r) => `\x1b[${1 + Math.floor(r() * 10)};${1 + Math.floor(r() * 30)}H`,
  (r) => `\x1b[${1 + Math.floor(r() * 3)}A`,
  (r) => `\x1b[${1 + Math.floor(r() * 3)}B`,
  (r) => `\x1b[${1 + Math.floor(r() * 9)}C`,
  (r) => `\x1b[${1 + Math.floor(r() * 9)}D`,
  (r) => `\x1b[${1 + Math.floor(r() * 3)}@`,
  (r) => `\x1b[${1 + Math.floor(r() * 3)}P`,
  (r) => `\x1b[${1 + Math.floor(r() * 2)}L`,
  (r) => `\x1b[${1 + Math.floor(r() * 2)}M`,
  (r) => `\x1b[${1 + Math.floor(r() * 2)}S`,
  (r) => `\x1b[${1 + Math.floor(r() * 3)};${4 + Math.floor(r() * 4)}r`,
  () => '\x1b[r',
  () => '\x1b[?1049h',
  () => '\x1b[?1049l',
  () => '\x1b[?7l',
  () => '\x1b[?7h',
  () => '\x1b[?1h',
  () => '\x1b[?2004h',
  () => '\x1b[?1000h',
  () => '\x1b[?1003h',
  () => '\x1b[?6h',
  () => '\x1b[?6l',
  () => '\x1b[4h',
  () => '\x1b[4l',
  () => '\t',
  () => '\x1b7',
  () => '\x1b8',
  () => '\x1bM',
  (r) => 'x'.repeat(20 + Math.floor(r() * 60)), // wraps
];

function randomOutput(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (PIECES[Math.floor(r() * PIECES.length)] as (r: () => number) => string)(r);
  return s;
}

function write(term: headless.Terminal, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

function pair(cols: number, rows: number, scrollback: number): { term: headless.Terminal; addon: serialize.SerializeAddon } {
  const term = new headless.Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const addon = new serialize.SerializeAddon();
  term.loadAddon(addon);
  return { term, addon };
}

test('the fast path is available on this xterm build', () => {
  const { term } = pair(80, 24, 100);
  assert.equal(fastSerializeSupported(term), true);
  term.dispose();
});

test('byte-identical to @xterm/addon-serialize on 400 random screens', async () => {
  for (let seed = 1; seed <= 400; seed++) {
    const r = rng(seed);
    const cols = 2 + Math.floor(r() * 40);
    const rows = 1 + Math.floor(r() * 12);
    const { term, addon } = pair(cols, rows, Math.floor(r() * 30));
    await write(term, randomOutput(r, 10 + Math.floor(r() * 150)));
    if (r() < 0.3) {
      term.resize(2 + Math.floor(r() * 40), 1 + Math.floor(r() * 12));
      await write(term, randomOutput(r, 20));
    }
    for (const sb of [0, 3, 1000]) {
      assert.equal(serializeTerminal(term, sb), addon.serialize({ scrollback: sb }), `seed ${seed}, scrollback ${sb}`);
    }
    term.dispose();
  }
});

test('byte-identical on plain scrolled output, an empty screen, and a full-screen program', async () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['lines', Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\r\n')],
    ['colored', Array.from({ length: 300 }, (_, i) => `\x1b[3${i % 8}m${i}\x1b[0m text \x1b[1mbold\x1b[0m`).join('\r\n')],
    ['alt', 'before\r\n\x1b[?1049h\x1b[H\x1b[44mfull screen\x1b[0m\x1b[5;5Hhere'],
    ['bg to the end of lines', '\x1b[41mred\x1b[K\r\n\x1b[0mplain\r\n\x1b[42m\x1b[2K'],
  ];
  for (const [name, data] of cases) {
    const { term, addon } = pair(40, 10, 100);
    await write(term, data);
    assert.equal(serializeTerminal(term, 100), addon.serialize({ scrollback: 100 }), name);
    term.dispose();
  }
});

test('a 10,000-line scrollback serializes far faster than the addon', async () => {
  const { term, addon } = pair(120, 40, 10_000);
  let data = '';
  for (let i = 0; i < 10_100; i++) data += `\x1b[32m${String(i).padStart(6)}\x1b[0m some text \x1b[1mbold\x1b[0m ${'lorem ipsum '.repeat(6)}\r\n`;
  await write(term, data);
  const best = (fn: () => string): { ms: number; text: string } => {
    let ms = Infinity;
    let text = '';
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      text = fn();
      ms = Math.min(ms, performance.now() - t); // the first run also warms the JIT
    }
    return { ms, text };
  };
  const fast = best(() => serializeTerminal(term, 10_000));
  const slow = best(() => addon.serialize({ scrollback: 10_000 }));
  assert.equal(fast.text, slow.text);
  assert.ok(fast.ms < slow.ms / 3, `fast ${fast.ms.toFixed(1)} ms vs addon ${slow.ms.toFixed(1)} ms`);
  term.dispose();
});
