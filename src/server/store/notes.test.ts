import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MAX_NOTE_CHARS, SessionNotes, tailLines } from './notes.js';

const ID = '5031c70b-f070-430b-a734-6f90c36e04d6';

test('notes: a name, the AI title, the first prompt kept once, an exit; removed with the session', () => {
  const notes = new SessionNotes(new Database(':memory:'));
  assert.equal(notes.get(ID), undefined);
  notes.noteFirstPrompt(ID, '  list the files  ');
  notes.noteFirstPrompt(ID, 'a later prompt');
  notes.setAiTitle(ID, 'Listing files');
  notes.setName(ID, 'My work');
  notes.noteExit(ID, 'stopped: idle timeout', ['a', 'b'], 0);
  assert.deepEqual(notes.get(ID), { id: ID, name: 'My work', ai_title: 'Listing files', first_prompt: 'list the files', exit_reason: 'stopped: idle timeout', exit_tail: '["a","b"]', quick_exits: 0 });
  notes.setName(ID, '   ');
  assert.equal(notes.get(ID)?.name, null, 'a blank name clears it');
  notes.noteFirstPrompt(ID, 'x'.repeat(2000));
  assert.equal(notes.get(ID)?.first_prompt, 'list the files');
  assert.equal(notes.all().size, 1);
  notes.remove(ID);
  assert.equal(notes.get(ID), undefined);
});

test('notes: long texts are cut; the stored tail reads back as lines', () => {
  const notes = new SessionNotes(new Database(':memory:'));
  notes.noteFirstPrompt(ID, 'y'.repeat(2000));
  assert.equal(notes.get(ID)?.first_prompt?.length, MAX_NOTE_CHARS);
  assert.deepEqual(tailLines('["one","two"]'), ['one', 'two']);
  assert.equal(tailLines(null), null);
  assert.deepEqual(tailLines('{bad'), []);
});
