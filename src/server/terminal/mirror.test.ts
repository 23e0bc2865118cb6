import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalMirror } from './mirror.js';

function snapshot(m: TerminalMirror): Promise<string> {
  return new Promise((resolve) => m.snapshot(resolve));
}

function write(m: TerminalMirror, text: string): void {
  m.write(Buffer.from(text));
}

/** Waits until everything written so far is parsed (a snapshot runs at that point). */
async function settled(m: TerminalMirror): Promise<void> {
  await snapshot(m);
}

function withMirror(cols: number, rows: number, fn: (m: TerminalMirror) => Promise<void>): () => Promise<void> {
  return async () => {
    const m = new TerminalMirror(cols, rows);
    try {
      await fn(m);
    } finally {
      m.dispose();
    }
  };
}

test(
  'snapshot contains what was written before it and nothing written after',
  withMirror(80, 24, async (m) => {
    write(m, 'AAAA\r\n');
    const snap = snapshot(m);
    write(m, 'BBBB\r\n'); // right after asking: not yet parsed
    const text = await snap;
    assert.ok(text.includes('AAAA'), JSON.stringify(text));
    assert.ok(!text.includes('BBBB'), JSON.stringify(text));

    const later = await snapshot(m);
    assert.ok(later.includes('AAAA') && later.includes('BBBB'), JSON.stringify(later));
  }),
);

test(
  'snapshots interleaved with many writes each see exactly the writes before them',
  withMirror(40, 5, async (m) => {
    const snaps: Array<Promise<string>> = [];
    for (let i = 0; i < 20; i++) {
      write(m, `<${i}>`);
      snaps.push(snapshot(m));
    }
    const texts = await Promise.all(snaps);
    texts.forEach((text, i) => {
      assert.ok(text.includes(`<${i}>`), `snapshot ${i} lacks its write`);
      assert.ok(!text.includes(`<${i + 1}>`), `snapshot ${i} has a later write`);
    });
  }),
);

test(
  'snapshot begins with a full reset (ESC c)',
  withMirror(80, 24, async (m) => {
    assert.ok((await snapshot(m)).startsWith('\x1bc'), 'empty mirror');
    write(m, '\x1b[31mred\x1b[0m');
    assert.ok((await snapshot(m)).startsWith('\x1bc'), 'after output');
  }),
);

test(
  'snapshot includes the scrollback: 200 numbered lines in a 10-row mirror',
  withMirror(80, 10, async (m) => {
    for (let i = 1; i <= 200; i++) write(m, `line ${i}\r\n`);
    const text = await snapshot(m);
    const lines = text.slice(2).split('\r\n');
    for (let i = 1; i <= 200; i++) assert.equal(lines[i - 1], `line ${i}`);
    // Only the last rows are on screen.
    assert.equal(m.screenLines()[0], 'line 192');
  }),
);

test(
  'a snapshot replayed into a fresh mirror reproduces the screen',
  withMirror(30, 6, async (m) => {
    write(m, '\x1b[1mbold\x1b[0m plain\r\n\x1b[32mgreen\x1b[0m\r\nwide 世界\r\n');
    for (let i = 0; i < 20; i++) write(m, `row ${i}\r\n`);
    write(m, 'prompt> ');
    const text = await snapshot(m);

    const copy = new TerminalMirror(30, 6);
    try {
      copy.write(Buffer.from('garbage that the reset must clear\r\n'));
      copy.write(Buffer.from(text));
      await settled(copy);
      assert.deepEqual(copy.screenLines(), m.screenLines());
      assert.equal(await snapshot(copy), text);
    } finally {
      copy.dispose();
    }
  }),
);

test(
  'UTF-8 characters split across two writes render correctly',
  withMirror(40, 4, async (m) => {
    const bytes = Buffer.from('é€😀ok');
    // Split inside each multi-byte character in turn.
    for (const at of [1, 3, 4, 6, 8]) {
      write(m, '\x1b[2J\x1b[H');
      m.write(bytes.subarray(0, at));
      m.write(bytes.subarray(at));
      await settled(m);
      assert.equal(m.screenLines()[0], 'é€😀ok', `split at byte ${at}`);
    }
  }),
);

test(
  'resize changes cols and rows; the same size is a no-op',
  withMirror(80, 24, async (m) => {
    assert.deepEqual([m.cols, m.rows], [80, 24]);
    m.resize(100, 30);
    assert.deepEqual([m.cols, m.rows], [100, 30]);
    assert.equal(m.screenLines().length, 30);
    m.resize(100, 30);
    assert.deepEqual([m.cols, m.rows], [100, 30]);
    m.resize(20, 5);
    assert.deepEqual([m.cols, m.rows], [20, 5]);
    assert.equal(m.screenLines().length, 5);
  }),
);

test(
  'a snapshot after a resize is taken at the new size (not a cached one of the old size)',
  withMirror(80, 24, async (m) => {
    // A full-screen program (alternate buffer): shrinking drops rows, so the screen changes.
    const rows = Array.from({ length: 24 }, (_, i) => `row ${i}`);
    write(m, `\x1b[?1049h\x1b[H${rows.join('\r\n')}`);
    const before = await snapshot(m);
    assert.ok(before.includes('row 0\r\n'));
    m.resize(40, 10);
    const after = await snapshot(m);
    assert.notEqual(after, before);
    assert.ok(!after.includes('row 0\r\n'), JSON.stringify(after));

    const copy = new TerminalMirror(40, 10);
    try {
      copy.write(Buffer.from(after));
      await settled(copy);
      assert.deepEqual(copy.screenLines(), m.screenLines());
      assert.deepEqual(copy.screenLines(), rows.slice(14));
    } finally {
      copy.dispose();
    }
  }),
);

test(
  'screenLines returns the visible rows as plain text',
  withMirror(20, 4, async (m) => {
    assert.deepEqual(m.screenLines(), ['', '', '', '']);
    write(m, 'one\r\n\x1b[31mtwo\x1b[0m\r\n\r\nfour');
    await settled(m);
    assert.deepEqual(m.screenLines(), ['one', 'two', '', 'four']);
    write(m, '\r\nfive');
    await settled(m);
    assert.deepEqual(m.screenLines(), ['two', '', 'four', 'five']);
  }),
);

test(
  'bracketedPaste follows the program’s mode switches',
  withMirror(20, 4, async (m) => {
    assert.equal(m.bracketedPaste, false);
    write(m, '\x1b[?2004h');
    await settled(m);
    assert.equal(m.bracketedPaste, true);
    write(m, '\x1b[?2004l');
    await settled(m);
    assert.equal(m.bracketedPaste, false);
  }),
);

// ---- backpressure ----
// mirror.ts pauses the PTY when more than 8 MiB are written but not yet parsed and resumes it
// below 1 MiB (PARSE_HIGH / PARSE_LOW, not exported). xterm parses asynchronously, so writes in
// one tick pile up unparsed; snapshot callbacks mark points in the parse queue.

const MiB = 1024 * 1024;
/** 1 MiB that parses fast and leaves one short line: printable text and CR. */
const CHUNK = Buffer.from('abcdefghijklmno\r'.repeat(MiB / 16));

test(
  'backpressure: pause above 8 MiB unparsed, resume below 1 MiB',
  withMirror(20, 3, async (m) => {
    const events: string[] = [];
    m.setBackpressure({ pause: () => events.push('pause'), resume: () => events.push('resume') });
    for (let i = 1; i <= 8; i++) {
      m.write(CHUNK);
      // A plain callback, not a promise: xterm parses many chunks in one task, so a promise's
      // continuation would run after later chunks' callbacks.
      m.snapshot(() => events.push(`parsed ${i} MiB`));
    }
    assert.deepEqual(events, [], 'exactly 8 MiB unparsed: not paused');
    m.write(Buffer.from('!'));
    assert.deepEqual(events, ['pause'], 'one byte more: paused at once');
    await settled(m);
    // Resumed when the 8th MiB is parsed (1 byte left), not at 7 (1 MiB + 1 byte left).
    assert.deepEqual(events, [
      'pause',
      ...Array.from({ length: 7 }, (_, i) => `parsed ${i + 1} MiB`),
      'resume',
      'parsed 8 MiB',
    ]);
  }),
);

test(
  'backpressure: no pause without a target, and detaching while paused resumes once',
  withMirror(20, 3, async (m) => {
    for (let i = 0; i < 9; i++) m.write(CHUNK); // no target: nothing to pause
    await settled(m);

    const events: string[] = [];
    m.setBackpressure({ pause: () => events.push('pause'), resume: () => events.push('resume') });
    for (let i = 0; i < 9; i++) m.write(CHUNK);
    assert.deepEqual(events, ['pause']);
    m.setBackpressure(null);
    assert.deepEqual(events, ['pause', 'resume']);
    await settled(m);
    assert.deepEqual(events, ['pause', 'resume'], 'no second resume once parsed');
  }),
);
