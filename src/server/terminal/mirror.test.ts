import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { LAG, TerminalMirror } from './mirror.js';

function snapshot(m: TerminalMirror): Promise<string> {
  return new Promise((resolve) => m.snapshot(resolve));
}

function lines(m: TerminalMirror): Promise<string[]> {
  return new Promise((resolve) => m.readScreenLines(resolve));
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
    const rows = text.slice(2).split('\r\n');
    for (let i = 1; i <= 200; i++) assert.equal(rows[i - 1], `line ${i}`);
    // Only the last rows are on screen.
    assert.equal((await lines(m))[0], 'line 192');
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
      assert.deepEqual(await lines(copy), await lines(m));
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
      assert.equal((await lines(m))[0], 'é€😀ok', `split at byte ${at}`);
    }
  }),
);

test(
  'resize changes cols and rows; the same size is a no-op',
  withMirror(80, 24, async (m) => {
    assert.deepEqual([m.cols, m.rows], [80, 24]);
    m.resize(100, 30);
    assert.deepEqual([m.cols, m.rows], [100, 30]);
    assert.equal((await lines(m)).length, 30);
    m.resize(100, 30);
    assert.deepEqual([m.cols, m.rows], [100, 30]);
    m.resize(20, 5);
    assert.deepEqual([m.cols, m.rows], [20, 5]);
    assert.equal((await lines(m)).length, 5);
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
      assert.deepEqual(await lines(copy), await lines(m));
      assert.deepEqual(await lines(copy), rows.slice(14));
    } finally {
      copy.dispose();
    }
  }),
);

test(
  'readScreenLines gives the visible rows as plain text, once everything written is parsed',
  withMirror(20, 4, async (m) => {
    assert.deepEqual(await lines(m), ['', '', '', '']);
    write(m, 'one\r\n\x1b[31mtwo\x1b[0m\r\n\r\nfour');
    assert.deepEqual(await lines(m), ['one', 'two', '', 'four']);
    write(m, '\r\nfive');
    assert.deepEqual(await lines(m), ['two', '', 'four', 'five']);
  }),
);

test(
  'bracketedPaste follows the program’s mode switches at once, before the parse',
  withMirror(20, 4, async (m) => {
    assert.equal(m.bracketedPaste, false);
    write(m, '\x1b[?2004h');
    assert.equal(m.bracketedPaste, true, 'synchronous: as of everything written');
    await settled(m);
    assert.equal(m.bracketedPaste, true);
    write(m, 'x\x1b[?20');
    write(m, '04l');
    assert.equal(m.bracketedPaste, false);
    write(m, '\x1b[?2004h\x1bc');
    assert.equal(m.bracketedPaste, false, 'a full reset turns it off');
    await settled(m);
    assert.equal(m.bracketedPaste, false);
  }),
);

test(
  'resize is ordered with the writes around it',
  withMirror(10, 3, async (m) => {
    write(m, '0123456789ABCDE'); // wraps at 10 columns
    m.resize(20, 3);
    write(m, '\r\nnext');
    assert.deepEqual(await lines(m), ['0123456789', 'ABCDE', 'next']);
  }),
);

test(
  'whenParsed and readScreenLines answer in order with snapshots',
  withMirror(20, 3, async (m) => {
    const order: string[] = [];
    write(m, 'a');
    m.whenParsed(() => order.push('parsed a'));
    m.snapshot(() => order.push('snap'));
    write(m, 'b');
    m.readScreenLines((l) => order.push(`lines ${l[0]}`));
    await settled(m);
    assert.deepEqual(order, ['parsed a', 'snap', 'lines ab']);
  }),
);

test(
  'viewers joining at the same point share one snapshot; a write between makes a new one',
  withMirror(20, 3, async (m) => {
    write(m, 'x');
    const [a, b] = await Promise.all([snapshot(m), snapshot(m)]);
    assert.equal(a, b);
    const c = snapshot(m);
    write(m, 'y');
    const d = snapshot(m);
    assert.ok(!(await c).includes('xy'));
    assert.ok((await d).includes('xy'));
  }),
);

test('many mirrors share a few workers and stay separate', async () => {
  const ms = Array.from({ length: 12 }, () => new TerminalMirror(20, 2));
  try {
    ms.forEach((m, i) => write(m, `mirror ${i}`));
    const got = await Promise.all(ms.map((m) => lines(m)));
    got.forEach((l, i) => assert.equal(l[0], `mirror ${i}`));
  } finally {
    for (const m of ms) m.dispose();
  }
});

test('a 10,000-line scrollback snapshot is quick (the fast serializer)', async () => {
    const big = new TerminalMirror(120, 40, 10_000);
    try {
      let data = '';
      for (let i = 0; i < 10_100; i++) data += `\x1b[32m${String(i).padStart(6)}\x1b[0m ${'lorem ipsum '.repeat(8)}\r\n`;
      big.write(Buffer.from(data));
      await snapshot(big);
      write(big, 'one more line');
      const t = performance.now();
      const text = await snapshot(big);
      const ms = performance.now() - t;
      assert.ok(text.includes('one more line') && text.includes('  9999\x1b[0m lorem') && text.includes('   100\x1b[0m lorem'));
      assert.ok(!text.includes('    60\x1b[0m lorem'), 'scrollback is bounded');
      assert.ok(ms < 500, `10,000-line snapshot took ${ms.toFixed(0)} ms`);
    } finally {
      big.dispose();
    }
});

// ---- backpressure ----
// mirror.ts pauses the PTY when more than LAG.sessionHigh bytes are written but not yet parsed
// (or all mirrors together are more than LAG.totalHigh behind and this one more than LAG.floor),
// and resumes it below the low marks. The worker parses concurrently, but its progress reaches
// the main thread only between tasks: writes made in one synchronous run are all unparsed.
// The limits are scaled down here (the real ones are tens of MiB).

const MiB = 1024 * 1024;
/** 1 MiB that parses fast and leaves one short line: printable text and CR. */
const CHUNK = Buffer.from('abcdefghijklmno\r'.repeat(MiB / 16));
const REAL_LAG = { ...LAG };

function flood(m: TerminalMirror, bytes: number): void {
  for (let left = bytes; left > 0; left -= MiB) m.write(left >= MiB ? CHUNK : CHUNK.subarray(0, left));
}

beforeEach(() => Object.assign(LAG, { sessionHigh: 6 * MiB, sessionLow: 2 * MiB, totalHigh: 12 * MiB, totalLow: 9 * MiB, floor: 1 * MiB }));
afterEach(() => Object.assign(LAG, REAL_LAG));

test(
  'backpressure: pause above LAG.sessionHigh unparsed, resume at or below LAG.sessionLow',
  withMirror(20, 3, async (m) => {
    const events: string[] = [];
    let behindAtResume = -1;
    m.setBackpressure({
      pause: () => events.push('pause'),
      resume: () => {
        events.push('resume');
        behindAtResume = m.unparsedBytes;
      },
    });
    flood(m, LAG.sessionHigh);
    assert.deepEqual(events, [], 'exactly at the limit: not paused');
    m.write(Buffer.from('!'));
    assert.deepEqual(events, ['pause'], 'one byte more: paused at once');
    await settled(m);
    assert.deepEqual(events, ['pause', 'resume']);
    assert.ok(behindAtResume >= 0 && behindAtResume <= LAG.sessionLow, `resumed with ${behindAtResume} bytes unparsed`);
    assert.equal(m.unparsedBytes, 0);
  }),
);

test(
  'backpressure: no pause without a target, and detaching while paused resumes once',
  withMirror(20, 3, async (m) => {
    flood(m, LAG.sessionHigh + MiB); // no target: nothing to pause
    await settled(m);

    const events: string[] = [];
    m.setBackpressure({ pause: () => events.push('pause'), resume: () => events.push('resume') });
    flood(m, LAG.sessionHigh + MiB);
    assert.deepEqual(events, ['pause']);
    m.setBackpressure(null);
    assert.deepEqual(events, ['pause', 'resume']);
    await settled(m);
    assert.deepEqual(events, ['pause', 'resume'], 'no second resume once parsed');
  }),
);

test('backpressure: all mirrors together are bounded, but a quiet one is never paused for the others', async () => {
  const n = Math.floor(LAG.totalHigh / (LAG.sessionHigh - MiB)) + 1; // enough to pass the total
  const ms = Array.from({ length: n + 1 }, () => new TerminalMirror(20, 3));
  const events = ms.map(() => [] as string[]);
  ms.forEach((m, i) => m.setBackpressure({ pause: () => events[i]?.push('pause'), resume: () => events[i]?.push('resume') }));
  try {
    const each = LAG.sessionHigh - MiB; // below the per-session limit
    for (let i = 0; i < n; i++) flood(ms[i] as TerminalMirror, each);
    assert.ok(events.slice(0, n).some((e) => e.includes('pause')), 'a flooding mirror is paused once the total passes the limit');
    const quiet = ms[n] as TerminalMirror;
    quiet.write(Buffer.from('a keystroke echo'));
    assert.deepEqual(events[n], [], 'the quiet one is not');
    await Promise.all(ms.map((m) => settled(m)));
    for (const e of events) assert.equal(e.filter((x) => x === 'pause').length, e.filter((x) => x === 'resume').length, 'every pause is resumed');
  } finally {
    for (const m of ms) m.dispose();
  }
});

test('a new mirror answers an empty screen at once; the worker serializes an empty screen the same', async () => {
  const m = new TerminalMirror(50, 10);
  try {
    assert.equal(await snapshot(m), '\x1bc');
    m.resize(30, 5);
    assert.equal(await snapshot(m), '\x1bc');
    write(m, '\x1b[0m'); // something written, nothing drawn: now the worker answers
    assert.equal(await snapshot(m), '\x1bc');
  } finally {
    m.dispose();
  }
});

test('a failed worker is replaced: each terminal is rebuilt from its recent output, waiting requests answered from it', async () => {
  const { failWorkersForTest } = await import('./mirror-pool.js');
  const a = new TerminalMirror(40, 5);
  const b = new TerminalMirror(40, 5);
  try {
    write(a, 'alpha one\r\nalpha two');
    write(b, 'beta');
    await Promise.all([settled(a), settled(b)]);
    failWorkersForTest();
    const waiting = snapshot(a); // asked while the worker fails
    write(b, ' more');
    const [snapA, linesB] = await Promise.all([waiting, lines(b)]);
    assert.ok(snapA.includes('alpha one') && snapA.includes('alpha two'), JSON.stringify(snapA));
    assert.equal(linesB[0], 'beta more');
    write(a, '\r\nalpha three');
    assert.deepEqual((await lines(a)).slice(0, 3), ['alpha one', 'alpha two', 'alpha three']);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('compact: the screen kept as a deflated snapshot comes back exactly, and later output and sizes apply to it', async () => {
  const m = new TerminalMirror(40, 5, 100);
  try {
    for (let i = 0; i < 30; i++) write(m, `\x1b[3${i % 8}mline ${i}\x1b[0m\r\n`);
    write(m, 'prompt$ ');
    const before = await snapshot(m);
    m.compact();
    await waitFor(() => m.isCompact, 'the mirror to be compacted');
    assert.equal(await snapshot(m), before, 'the same screen and scrollback after a round trip');
    assert.equal(m.isCompact, false, 'a request reopened it');
    m.compact();
    await waitFor(() => m.isCompact, 'compacted again');
    write(m, 'typed');
    m.resize(30, 6);
    const after = await lines(m);
    assert.equal(after.length, 6);
    assert.ok(after.some((l) => l.includes('prompt$ typed')), JSON.stringify(after));
    const text = await snapshot(m);
    assert.ok(text.includes('line 0') && text.includes('line 29'), 'scrollback kept');
  } finally {
    m.dispose();
  }
});

test('compact does nothing when the mirror is written to before its snapshot is taken', async () => {
  const m = new TerminalMirror(40, 5);
  try {
    write(m, 'one');
    m.compact();
    write(m, ' two');
    await settled(m);
    assert.equal(m.isCompact, false);
    assert.equal((await lines(m))[0], 'one two');
  } finally {
    m.dispose();
  }
});

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('an idle mirror worker does not keep the process alive: a process with a mirror and nothing waiting exits by itself', async (t) => {
  const { spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-idle-mirror-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Nothing asked of it at all, or output parsed and a snapshot answered (a request made and done).
  for (const script of ['new TerminalMirror(80, 24);', "const m = new TerminalMirror(80, 24); m.write(Buffer.from('hi')); m.snapshot(() => {});"]) {
    // A file, not `-e`: a worker inherits the process's flags, and `--input-type` fails in it.
    const file = path.join(dir, 'main.mjs');
    fs.writeFileSync(file, `import { TerminalMirror } from ${JSON.stringify(new URL('./mirror.js', import.meta.url).href)};\n${script}\n`);
    const child = spawn(process.execPath, [file], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, `${script}: exited by itself (null: still running after 15 s)`);
  }
});
