import { test } from 'node:test';
import assert from 'node:assert/strict';
import headless from '@xterm/headless';
import { PasteModeTracker } from './paste-mode.js';
import { prng as rng } from '../../../test/helpers/prng.js';


/** What programs send, and the odd cases xterm's parser treats in its own way. */
const FRAGMENTS = [
  '\x1b[?2004h',
  '\x1b[?2004l',
  '\x1b[?1;2004h',
  '\x1b[?2004;1049l',
  '\x1b[?1049;2004;25h',
  '\x1b[?02004h',
  '\x1b[?2004:1h',
  '\x1b[?1:2004l', // 2004 as a sub-parameter: not the mode
  '\x1b[?2004$p', // DECRQM: a query, not a change
  '\x1b[?2004$h', // an intermediate: another function
  '\x1b[2004h', // ANSI mode, not DEC private
  '\x1b[?>2004h', // a second private marker: ignored
  '\x1b[?2005h',
  '\x1b[?200h',
  '\x1b[?20004h',
  '\x1b[?2004\nh', // a C0 control inside: executed, the CSI goes on
  '\x1b[?20\r04h',
  '\x1b[?2004\x18h', // CAN cancels
  '\x1b[?2004\x1b[?2004l', // ESC restarts
  '\x1b[?2004\x7fh', // DEL is ignored
  '\x1bc', // full reset
  '\x1b[!p', // soft reset
  '\x1b(c', // not a reset
  '\x1b[?25l\x1b[?2026h',
  '\xc2\x9b?2004h', // C1 CSI (UTF-8 encoded U+009B)
  '\xc2\x9b?2004l',
  '\x1b]0;title \x1b[?2004h\x07', // ESC inside an OSC ends it: a CSI
  '\x1bP+q\x1b[?2004l\x1b\\',
  '\x1b[31mred\x1b[0m plain text\r\n',
  'é 世界 😀 °',
  'abc',
  '\x1b',
  '\x1b[',
  '\x1b[?',
  '\xc2',
];

async function check(seed: number): Promise<void> {
  const r = rng(seed);
  const term = new headless.Terminal({ cols: 40, rows: 5, allowProposedApi: true });
  const tracker = new PasteModeTracker();
  let stream = '';
  for (let i = 0; i < 40; i++) stream += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)];
  const bytes = Buffer.from(stream, 'latin1'); // the fragments are written byte for byte
  // Split into chunks at random places (inside sequences too).
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + Math.floor(r() * 12);
    const chunk = bytes.subarray(at, at + n);
    at += n;
    tracker.write(chunk);
    await new Promise<void>((resolve) => term.write(chunk, resolve));
    assert.equal(tracker.bracketedPaste, term.modes.bracketedPasteMode, `seed ${seed}, after byte ${at} of ${JSON.stringify(stream)}`);
  }
  term.dispose();
}

test('follows xterm on 500 random streams cut at random places', async () => {
  for (let seed = 1; seed <= 500; seed++) await check(seed);
});

test('a sequence cut between chunks takes effect when its last byte arrives', () => {
  const t = new PasteModeTracker();
  t.write(Buffer.from('text \x1b[?20'));
  assert.equal(t.bracketedPaste, false);
  t.write(Buffer.from('04'));
  assert.equal(t.bracketedPaste, false);
  t.write(Buffer.from('h more'));
  assert.equal(t.bracketedPaste, true);
  t.write(Buffer.from('\x1b'));
  t.write(Buffer.from('c'));
  assert.equal(t.bracketedPaste, false);
});

test('an endless CSI is dropped after a bound (memory stays small)', () => {
  const t = new PasteModeTracker();
  t.write(Buffer.from('\x1b[?'));
  for (let i = 0; i < 100; i++) t.write(Buffer.from('1;'.repeat(50)));
  assert.equal(t.idle, true);
  t.write(Buffer.from('\x1b[?2004h'));
  assert.equal(t.bracketedPaste, true);
});

test('resync takes the real parser’s value', () => {
  const t = new PasteModeTracker();
  t.resync(true);
  assert.equal(t.bracketedPaste, true);
  t.resync(false);
  assert.equal(t.bracketedPaste, false);
});
