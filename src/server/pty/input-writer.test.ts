import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { InputWriter } from './input-writer.js';
import { waitFor } from '../../../test/helpers/wait.js';

const FD = 1_000_000; // never a real descriptor: every write goes to the stand-in below

/** A terminal stand-in: `take(n)` decides how much of each write it accepts, or throws. */
function terminal(take: (wanted: number) => number): { got: () => Buffer; calls: () => number; restore: () => void } {
  const got: Buffer[] = [];
  let calls = 0;
  const m = mock.method(fs, 'writeSync', (fd: number, buf: Buffer) => {
    assert.equal(fd, FD);
    calls++;
    const n = take(buf.length);
    got.push(Buffer.from(buf.subarray(0, n)));
    return n;
  });
  return { got: () => Buffer.concat(got), calls: () => calls, restore: () => m.mock.restore() };
}

function errno(code: string): Error {
  return Object.assign(new Error(code), { code });
}

test('partial writes: every byte once, in order, and the count of what waits is exact', async () => {
  const t = terminal((n) => Math.min(n, 3));
  try {
    const w = new InputWriter(FD, () => false);
    w.write(Buffer.from('hello '));
    assert.equal(w.pending, 3);
    w.write(Buffer.from('world'));
    assert.equal(w.pending, 8);
    await waitFor(() => w.pending === 0, 'the queue to drain', 5000, 1);
    assert.equal(t.got().toString(), 'hello world');
  } finally {
    t.restore();
  }
});

test('a terminal that takes nothing is retried less and less often (at most every 16 ms)', async () => {
  const t = terminal(() => {
    throw errno('EAGAIN');
  });
  const w = new InputWriter(FD, () => false);
  try {
    w.write(Buffer.from('x'));
    const t0 = performance.now();
    await waitFor(() => performance.now() - t0 >= 300, '300 ms of retries', 5000, 5);
    // Every 1 ms that would be ~300 tries; backing off 1, 2, 4, 8, then 16 ms: ~23.
    assert.ok(t.calls() <= 40, `${t.calls()} tries in 300 ms`);
    assert.ok(t.calls() >= 3, 'but it does retry');
    assert.equal(w.pending, 1);
  } finally {
    w.clear(); // no retries left running into the next test
    t.restore();
  }
});

test('EIO drops what waits (the program is gone); a passing error keeps it for a retry', async () => {
  let fail = 'EINTR';
  const t = terminal((n) => {
    if (fail) throw errno(fail);
    return n;
  });
  try {
    const w = new InputWriter(FD, () => false);
    w.write(Buffer.from('abc'));
    assert.equal(w.pending, 3, 'kept after EINTR');
    fail = '';
    await waitFor(() => w.pending === 0, 'the retry', 5000, 1);
    assert.equal(t.got().toString(), 'abc');

    fail = 'EAGAIN';
    w.write(Buffer.from('def'));
    assert.equal(w.pending, 3);
    fail = 'EIO';
    await waitFor(() => w.pending === 0, 'the drop', 5000, 1);
    fail = '';
    w.write(Buffer.from('g'));
    assert.equal(t.got().toString(), 'abcg', 'what waited at EIO was dropped, not written later');
  } finally {
    t.restore();
  }
});
