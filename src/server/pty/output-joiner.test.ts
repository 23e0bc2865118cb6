import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { OutputJoiner } from './output-joiner.js';

const KiB = 1024;

/** A joiner on mocked timers and a clock the test moves; `out` is what it delivered. */
function rig(t: TestContext): { j: OutputJoiner; out: Buffer[]; now: () => number; at: (ms: number) => void; tick: (ms: number) => void } {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 1000;
  const out: Buffer[] = [];
  const j = new OutputJoiner((c) => out.push(c), () => now);
  return { j, out, now: () => now, at: (ms) => (now = ms), tick: (ms) => { now += ms; t.mock.timers.tick(ms); } };
}

const chunk = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

test('a chunk that comes alone goes out at once, whatever its size', (t) => {
  const r = rig(t);
  r.j.push(chunk(4 * KiB, 1));
  r.at(1010);
  r.j.push(chunk(3, 2)); // an echo
  r.at(1020);
  r.j.push(chunk(4 * KiB, 3));
  assert.deepEqual(r.out.map((c) => c.length), [4 * KiB, 3, 4 * KiB]);
});

test('small chunks close together are never held (keystroke echoes, a redraw)', (t) => {
  const r = rig(t);
  for (let i = 0; i < 20; i++) {
    r.j.push(chunk(200, i));
    r.at(1000 + (i + 1) * 0.1);
  }
  assert.equal(r.out.length, 20);
});

test('a burst is joined: in order, every byte once, out at MAX_BYTES', (t) => {
  const r = rig(t);
  const sent: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const c = chunk(4 * KiB, i);
    sent.push(c);
    r.j.push(c);
    r.at(1000 + (i + 1) * 0.2);
  }
  // The first goes at once; then 16 reads (64 KiB) per chunk; the rest waits for the timer.
  assert.deepEqual(r.out.map((c) => c.length), [4 * KiB, 64 * KiB, 64 * KiB]);
  r.tick(2);
  assert.deepEqual(r.out.map((c) => c.length), [4 * KiB, 64 * KiB, 64 * KiB, 28 * KiB]);
  assert.deepEqual(Buffer.concat(r.out), Buffer.concat(sent));
});

test('held bytes wait at most MAX_MS; flush() hands them out at once', (t) => {
  const r = rig(t);
  r.j.push(chunk(4 * KiB, 1));
  r.at(1000.3);
  r.j.push(chunk(4 * KiB, 2));
  assert.equal(r.out.length, 1, 'the second is held');
  r.tick(1);
  assert.equal(r.out.length, 1);
  r.tick(1);
  assert.equal(r.out.length, 2, 'out after 2 ms');
  r.at(1002.5);
  r.j.push(chunk(4 * KiB, 3)); // 2.2 ms after the last read: alone, out at once
  assert.equal(r.out.length, 3);
  r.at(1002.7);
  r.j.push(chunk(4 * KiB, 4));
  assert.equal(r.out.length, 3, 'held');
  r.j.flush();
  assert.equal(r.out.length, 4);
  r.j.flush();
  assert.equal(r.out.length, 4, 'flush with nothing held delivers nothing');
});

test('every burst gets its own timer: one flushed by the timer, or by flush(), does not leave the next held', (t) => {
  const r = rig(t);
  /** Two reads 0.2 ms apart, long after the last: the first goes at once, the second is held. */
  const burst = (fill: number): void => {
    r.at(r.now() + 5);
    r.j.push(chunk(4 * KiB, fill));
    r.at(r.now() + 0.2);
    r.j.push(chunk(4 * KiB, fill + 1));
  };
  burst(1);
  assert.equal(r.out.length, 1);
  r.tick(2);
  assert.equal(r.out.length, 2, 'the first burst, by its timer');
  burst(3);
  assert.equal(r.out.length, 3);
  r.tick(2);
  assert.equal(r.out.length, 4, 'the second, by a timer of its own');
  burst(5);
  r.j.flush();
  assert.equal(r.out.length, 6);
  burst(7);
  assert.equal(r.out.length, 7);
  r.tick(2);
  assert.equal(r.out.length, 8, 'after a flush(), the next burst still goes out within MAX_MS');
});

test('while bytes are held, any chunk joins them (the order is kept), even a small one after a gap', (t) => {
  const r = rig(t);
  r.j.push(chunk(4 * KiB, 1));
  r.at(1000.2);
  r.j.push(chunk(4 * KiB, 2));
  r.at(1001.9);
  r.j.push(chunk(5, 3));
  assert.equal(r.out.length, 1);
  r.tick(2);
  assert.deepEqual(r.out.map((c) => c.length), [4 * KiB, 4 * KiB + 5]);
  assert.equal(r.out[1]![4 * KiB], 3);
});
