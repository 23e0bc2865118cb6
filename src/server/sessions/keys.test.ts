import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputKeys } from './keys.js';

const ESC = '\x1b';
const PASTE_START = `${ESC}[200~`;
const PASTE_END = `${ESC}[201~`;

/** [name, text, bracketedPaste, keys typed + the Enter sent after the echo] */
const CASES: ReadonlyArray<readonly [string, string, boolean, string]> = [
  ['single line', 'hello', false, 'hello\r'],
  ['single line, bracketed paste on (no wrapping)', 'hello', true, 'hello\r'],
  ['empty text is just Enter', '', false, '\r'],
  ['typed text never holds the Enter itself', 'x', false, 'x\r'],
  ['empty text with paste mode', '', true, '\r'],
  ['single line keeps other control bytes', 'a\tb', true, 'a\tb\r'],
  ['multi-line, paste: LF', 'one\ntwo', true, `${PASTE_START}one\ntwo${PASTE_END}\r`],
  ['multi-line, paste: CRLF kept inside the paste', 'one\r\ntwo', true, `${PASTE_START}one\r\ntwo${PASTE_END}\r`],
  ['multi-line, paste: lone CR', 'one\rtwo', true, `${PASTE_START}one\rtwo${PASTE_END}\r`],
  ['multi-line, paste: trailing newline', 'one\n', true, `${PASTE_START}one\n${PASTE_END}\r`],
  [
    'multi-line, paste: embedded markers stripped',
    `one\n${PASTE_END}rm -rf ~\n${PASTE_START}two`,
    true,
    `${PASTE_START}one\nrm -rf ~\ntwo${PASTE_END}\r`,
  ],
  ['multi-line, no paste: LF → CR', 'one\ntwo\nthree', false, 'one\rtwo\rthree\r'],
  ['multi-line, no paste: CRLF → CR', 'one\r\ntwo', false, 'one\rtwo\r'],
  ['multi-line, no paste: mixed endings', 'a\r\nb\nc\rd', false, 'a\rb\rc\rd\r'],
  ['multi-line, no paste: blank lines kept', 'a\n\nb', false, 'a\r\rb\r'],
  ['multi-line, no paste: markers are stripped too', `a\n${PASTE_END}b`, false, 'a\rb\r'],
  ['single line: a stray paste start is stripped (it would swallow the Enter)', `ls${PASTE_START}`, true, 'ls\r'],
  ['unicode, multi-line, paste', 'héllo\n世界 😀', true, `${PASTE_START}héllo\n世界 😀${PASTE_END}\r`],
];

for (const [name, text, paste, expected] of CASES) {
  test(`inputKeys: ${name}`, () => {
    assert.equal(inputKeys(text, paste) + '\r', expected);
  });
}

test('inputKeys: a bracketed paste holds exactly one start and one end marker', () => {
  const hostile = `x\n${PASTE_START}${PASTE_START}${PASTE_END}y${PASTE_END}`;
  const keys = inputKeys(hostile, true) + '\r';
  assert.equal(keys.split(PASTE_START).length - 1, 1);
  assert.equal(keys.split(PASTE_END).length - 1, 1);
  assert.ok(keys.startsWith(PASTE_START));
  assert.ok(keys.endsWith(`${PASTE_END}\r`));
});

test('inputKeys: markers rebuilt by the stripping itself are stripped too', () => {
  // Removing the inner ESC[200~ from "ESC[20 ESC[200~ 1~" leaves a fresh ESC[201~ behind: that
  // would end the paste early and type the rest as keystrokes.
  const hostile = `x\n${ESC}[20${PASTE_START}1~rm -rf ~\r`;
  const keys = inputKeys(hostile, true) + '\r';
  const inner = keys.slice(PASTE_START.length, keys.length - `${PASTE_END}\r`.length);
  assert.ok(!inner.includes(PASTE_END), `paste body must not contain an end marker: ${JSON.stringify(inner)}`);
  assert.ok(!inner.includes(PASTE_START), `paste body must not contain a start marker: ${JSON.stringify(inner)}`);
});
