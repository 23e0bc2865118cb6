import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedEncodings } from './static.js';

test('Accept-Encoding: the encodings offered, without those refused with q=0', () => {
  assert.deepEqual([...acceptedEncodings('gzip, deflate, br, zstd')], ['gzip', 'deflate', 'br', 'zstd']);
  assert.deepEqual([...acceptedEncodings('br;q=0, gzip;q=0.8')], ['gzip']);
  assert.deepEqual([...acceptedEncodings('GZIP ; q=1')], ['gzip']);
  assert.deepEqual([...acceptedEncodings(undefined)], []);
  assert.deepEqual([...acceptedEncodings(['gzip', 'br'])], ['gzip', 'br']);
});
