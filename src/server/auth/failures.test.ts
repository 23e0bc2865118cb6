import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLimiter } from './failures.js';

test('ten failures from one address: that address is limited for the window, others are not', () => {
  const f = new FailureLimiter();
  const t0 = 1_000_000;
  for (let i = 0; i < 9; i++) f.note('127.0.0.1', 'bearer', t0 + i);
  assert.equal(f.limited('127.0.0.1', 'bearer', t0 + 10), false);
  f.note('127.0.0.1', 'bearer', t0 + 10);
  assert.equal(f.limited('127.0.0.1', 'bearer', t0 + 11), true);
  assert.equal(f.limited('127.0.0.2', 'bearer', t0 + 11), false);
  assert.equal(f.limited('127.0.0.1', 'bearer', t0 + 60_011), false, 'the window passes');
});

test('a spray over many addresses is limited in total, per kind of credential', () => {
  const f = new FailureLimiter();
  const t0 = 5_000_000;
  for (let i = 0; i < 60; i++) f.note(`127.0.${i}.1`, 'prefix', t0 + i);
  assert.equal(f.limited('127.9.9.9', 'prefix', t0 + 100), true, 'a fresh address guessing the same kind');
  assert.equal(f.limited('127.9.9.9', 'bearer', t0 + 100), false, 'another kind has its own count');
});

test('the address map is bounded', () => {
  const f = new FailureLimiter();
  for (let i = 0; i < 12_000; i++) f.note(`10.${i >> 8}.${i & 255}.1`, 'link', 1);
  assert.ok((f as unknown as { byAddress: Map<string, unknown> }).byAddress.size <= 10_000);
});
