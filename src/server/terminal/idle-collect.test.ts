import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { exposeGc, IdleCollector } from './idle-collect.js';
import { waitFor } from '../../../test/helpers/wait.js';

const IDLE = 40;
const AFTER = 1000;

function counting(): { gc: () => void; times: number[] } {
  const times: number[] = [];
  return { gc: () => times.push(performance.now()), times };
}

test('collects once, IDLE after the last work, and only past the work threshold', async () => {
  const big = counting();
  const small = counting();
  const a = new IdleCollector(big.gc, () => false, IDLE, AFTER);
  const b = new IdleCollector(small.gc, () => false, IDLE, AFTER);
  const t0 = performance.now();
  a.note(AFTER);
  b.note(AFTER - 1);
  await waitFor(() => big.times.length === 1, 'the collection');
  assert.ok((big.times[0] as number) - t0 >= IDLE - 1, 'not before the worker has been quiet for IDLE');
  // Well past b's idle time too (the wait above took ≥ IDLE): below the threshold, never.
  await waitFor(() => performance.now() - t0 > 3 * IDLE, 'three idle periods');
  assert.equal(small.times.length, 0);
  assert.equal(big.times.length, 1, 'once, not again without new work');
});

test('work keeps postponing it; a busy worker is not collected until it is quiet', async () => {
  const c = counting();
  let busy = false;
  const k = new IdleCollector(c.gc, () => busy, IDLE, AFTER);
  let last = 0;
  for (let i = 0; i < 8; i++) {
    k.note(AFTER);
    last = performance.now();
    await waitFor(() => performance.now() - last >= IDLE / 4, 'a quarter idle period', 1000, 2);
  }
  await waitFor(() => c.times.length === 1, 'the collection');
  assert.ok((c.times[0] as number) - last >= IDLE - 1, 'IDLE after the last work, not after the first');

  busy = true;
  k.note(AFTER);
  const noted = performance.now();
  await waitFor(() => performance.now() - noted > 3 * IDLE, 'three idle periods');
  assert.equal(c.times.length, 1, 'not while something is queued or parsing');
  busy = false;
  await waitFor(() => c.times.length === 2, 'the collection once quiet');
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
