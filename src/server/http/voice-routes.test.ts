import { test } from 'node:test';
import assert from 'node:assert/strict';
import { speakText } from './voice-routes.js';

test('a speak body: a text, or nothing (the last reply), else invalid', () => {
  assert.equal(speakText('{"text":"Hello there"}'), 'Hello there');
  assert.equal(speakText(''), null);
  assert.equal(speakText('  \n'), null);
  assert.equal(speakText('{}'), null);
  assert.equal(speakText('{"voice":"x"}'), null, 'other fields are ignored');
  for (const bad of ['{"text":""}', '{"text":"  "}', '{"text":42}', '[]', 'null', '"hi"', '{not json', `{"text":"${'a'.repeat(4097)}"}`]) {
    assert.equal(speakText(bad), undefined, bad);
  }
  assert.equal(speakText(`{"text":"${'a'.repeat(4096)}"}`)?.length, 4096);
});
