import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitReason, lastLines } from './exit-note.js';

test('a run stopped by us says why', () => {
  assert.equal(exitReason({ ranMs: 500, stopReason: 'idle timeout', exitCode: 0, signal: 'SIGHUP', quickExits: 0 }), 'stopped: idle timeout');
});

test('a crash at start says how soon; the second in a row says input no longer restarts it', () => {
  assert.equal(exitReason({ ranMs: 400, stopReason: null, exitCode: 3, signal: null, quickExits: 1 }), 'the program exited with code 3, 0.4 s after it started');
  assert.match(exitReason({ ranMs: 400, stopReason: null, exitCode: 3, signal: null, quickExits: 2 }), /2 times in a row: input no longer restarts it \(Resume does\)$/);
});

test('a long run that ends by itself, or is killed from outside', () => {
  assert.equal(exitReason({ ranMs: 60_000, stopReason: null, exitCode: 0, signal: null, quickExits: 0 }), 'the program exited with code 0');
  assert.equal(exitReason({ ranMs: 60_000, stopReason: null, exitCode: 0, signal: 'SIGKILL', quickExits: 0 }), 'the program was killed by SIGKILL');
});

test('the last lines of a screen: trailing blanks and spaces dropped, at most max', () => {
  assert.deepEqual(lastLines(['a  ', '', 'b', 'c', '   ', ''], 2), ['b', 'c']);
  assert.deepEqual(lastLines(['', ''], 5), []);
});
