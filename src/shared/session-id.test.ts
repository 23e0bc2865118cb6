import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSessionId } from './session-id.js';

const LOWER = '0f8fad5b-d9cb-469f-a165-70867728950e';

const ACCEPTED: ReadonlyArray<readonly [string, string]> = [
  ['lowercase', LOWER],
  ['uppercase', LOWER.toUpperCase()],
  ['mixed case', '0F8fAd5B-d9cb-469F-A165-70867728950E'],
  ['all zeros (nil UUID)', '00000000-0000-0000-0000-000000000000'],
  ['all f', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
];

for (const [name, raw] of ACCEPTED) {
  test(`accepted: ${name} → lowercase`, () => {
    assert.equal(parseSessionId(raw), raw.toLowerCase());
  });
}

const REJECTED: ReadonlyArray<readonly [string, string]> = [
  ['empty', ''],
  ['one short', LOWER.slice(0, 35)],
  ['one long', LOWER + '0'],
  ['trailing newline', LOWER + '\n'],
  ['leading space', ' ' + LOWER.slice(1)],
  ['no dashes (32 hex)', LOWER.replaceAll('-', '')],
  ['no dashes padded to 36', LOWER.replaceAll('-', '') + '0000'],
  ['dashes misplaced', '0f8fad5bd-9cb-469f-a165-70867728950e'],
  ['non-hex letter', '0f8fad5b-d9cb-469f-a165-70867728950g'],
  ['non-hex uppercase letter', 'Z' + LOWER.slice(1)],
  ['braces', '{' + LOWER.slice(1, 35) + '}'],
  ['path traversal', '../../etc'],
  ['path traversal padded to 36', '../../etc/passwd/../../../../../....'],
  ['slash inside', '0f8fad5b/d9cb-469f-a165-70867728950e'],
  ['backslash inside', '0f8fad5b\\d9cb-469f-a165-70867728950e'],
  ['dot segments at 36', '0f8fad5b-d9cb-469f-a165-7086772895..'],
  ['NUL byte', '0f8fad5b-d9cb-469f-a165-70867728950\0'],
  ['non-ASCII digit', '0f8fad5b-d9cb-469f-a165-70867728950٠'],
  // 'İ'.toLowerCase() is two code units: must not slip past the length check.
  ['dotted capital I', '0f8fad5b-d9cb-469f-a165-70867728950İ'],
  ['URL-encoded', '%2e%2e%2f' + LOWER.slice(9)],
];

for (const [name, raw] of REJECTED) {
  test(`rejected: ${name}`, () => {
    assert.equal(parseSessionId(raw), null);
  });
}
