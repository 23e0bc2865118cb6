import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { exposeGc, IdleCollector, type SetTimer } from './idle-collect.js';

const IDLE = 5000;
const AFTER = 1000;
const QUIET = 100;

/** A timer the test fires by hand: no waiting, no dependence on the machine's load. */
function manual(): { setTimer: SetTimer; pending: () => number; fire: () => void; lastMs: () => number } {
  let queue: Array<{ fn: () => void; ms: number }> = [];
  let last = 0;
  return {
    setTimer: (fn, ms) => {
      queue.push({ fn, ms });
      last = ms;
    },
    pending: () => queue.length,
    fire: () => {
      const due = queue;
      queue = [];
      for (const t of due) t.fn();
    },
    lastMs: () => last,
  };
}

function collector(busy = () => false): { k: IdleCollector; gcs: () => number; timer: ReturnType<typeof manual> } {
  let n = 0;
  const timer = manual();
  const k = new IdleCollector(() => n++, busy, timer.setTimer, IDLE, AFTER, QUIET);
  return { k, gcs: () => n, timer };
}

test('nothing happens below the work threshold', () => {
  const { k, gcs, timer } = collector();
  k.note(AFTER - 1);
  assert.equal(timer.pending(), 0, 'no timer armed');
  assert.equal(gcs(), 0);
});

test('past the threshold: one collection after a quiet window, and none again without new work', () => {
  const { k, gcs, timer } = collector();
  k.note(AFTER);
  assert.equal(timer.pending(), 1);
  assert.equal(timer.lastMs(), IDLE);
  k.note(AFTER); // more work while armed: still one timer
  assert.equal(timer.pending(), 1);
  timer.fire(); // this window saw AFTER ≥ QUIET bytes: not quiet
  assert.equal(gcs(), 0);
  assert.equal(timer.pending(), 1, 'the next window is armed');
  k.note(QUIET - 1); // a trickle (a spinner, a clock) does not put it off
  timer.fire();
  assert.equal(gcs(), 1);
  assert.equal(timer.pending(), 0);
  k.note(AFTER - 1);
  assert.equal(timer.pending(), 0, 'the count started again from zero');
});

test('steady heavy output keeps putting it off; a busy worker is never collected', () => {
  let busy = false;
  const { k, gcs, timer } = collector(() => busy);
  k.note(AFTER);
  for (let i = 0; i < 5; i++) {
    k.note(QUIET); // a flood: every window has too much
    timer.fire();
    assert.equal(gcs(), 0);
  }
  busy = true;
  timer.fire(); // quiet window, but something is queued or parsing
  assert.equal(gcs(), 0);
  assert.equal(timer.pending(), 1);
  busy = false;
  timer.fire();
  assert.equal(gcs(), 1);
});

test('without gc() it does nothing at all', () => {
  const timer = manual();
  const k = new IdleCollector(null, () => false, timer.setTimer, IDLE, AFTER, QUIET);
  k.note(AFTER * 10);
  assert.equal(timer.pending(), 0);
});

test('gc can be had, on the main thread and in a worker thread', async () => {
  const gc = exposeGc();
  assert.equal(typeof gc, 'function');
  gc?.();
  const url = new URL('./idle-collect.js', import.meta.url).href;
  const worker = new Worker(`import(${JSON.stringify(url)}).then((m) => { const gc = m.exposeGc(); gc(); require('node:worker_threads').parentPort.postMessage(typeof gc); });`, { eval: true });
  const got = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(got, 'function');
});
