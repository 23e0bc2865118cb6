import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAutomaticReply } from './terminal-replies.js';

test("the terminal's own answers are automatic", () => {
  for (const s of [
    '\x1b[I',
    '\x1b[O',
    '\x1b[?1;2c',
    '\x1b[>0;276;0c',
    '\x1b[12;40R',
    '\x1b[0n',
    '\x1b[?2004;1$y',
    '\x1b[?0u',
    '\x1b[8;24;80t',
    '\x1b]11;rgb:1d1d/2323/2a2a\x1b\\',
    '\x1b]10;rgb:d7d7/dddd/e4e4\x07',
    '\x1bP>|xterm.js(6.0.0)\x1b\\',
    '\x1b[I\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?1;2c', // several in one chunk
  ]) {
    assert.equal(isAutomaticReply(s), true, JSON.stringify(s));
  }
});

test('keys a person types are not', () => {
  for (const s of ['a', 'hello', '\r', '\x1b', '\x1b[A', '\x1b[5~', '\x03', '\t', '\x1b[Z', '\x1b[I' + 'x', '']) {
    assert.equal(isAutomaticReply(s), false, JSON.stringify(s));
  }
});
