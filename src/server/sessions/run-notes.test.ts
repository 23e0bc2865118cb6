import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { SessionStore } from '../store/store.js';
import { RunNotes } from './run-notes.js';

const ID = '5031c70b-f070-430b-a734-6f90c36e04d6';

function setup(): { store: SessionStore; notes: RunNotes } {
  const store = new SessionStore(new Database(':memory:'));
  store.insert({ id: ID, folder: '/w/x', command: 'claude', created_at: 0, last_active_at: 0, last_state: 'stopped' });
  return { store, notes: new RunNotes(ID, store, (w) => w()) };
}

const screen = (lines: string[]) => (cb: (l: string[]) => void): void => cb(lines);

test('two runs in a row that end by themselves within seconds of starting block input restarts', () => {
  const { store, notes } = setup();
  notes.started(1000);
  notes.exited(3, null, screen(['claude: cannot start', '']), 1400);
  assert.equal(notes.blocksRestart, false, 'one crash is not yet a loop');
  notes.started(2000);
  notes.exited(3, null, screen(['claude: cannot start']), 2300);
  assert.equal(notes.blocksRestart, true);
  const n = store.notes.get(ID);
  assert.equal(n?.quick_exits, 2);
  assert.match(n?.exit_reason ?? '', /2 times in a row/);
  assert.equal(n?.exit_tail, '["claude: cannot start"]');
  // Known again after a restart of the server (read back from the store).
  assert.equal(new RunNotes(ID, store, (w) => w()).blocksRestart, true);
});

test('a run stopped by the server is no crash; a long run resets the count', () => {
  const { notes } = setup();
  notes.started(0);
  notes.stopping('idle timeout');
  notes.exited(0, 'SIGHUP', screen([]), 500);
  assert.equal(notes.quickExits, 0);
  notes.started(1000);
  notes.exited(1, null, screen([]), 1200);
  assert.equal(notes.quickExits, 1);
  notes.started(2000);
  notes.exited(0, null, screen([]), 60_000);
  assert.equal(notes.quickExits, 0);
});

test('the first prompt is kept once; a title only when it changes', () => {
  const { store, notes } = setup();
  notes.prompt('  ');
  notes.prompt('list the files');
  notes.prompt('another');
  notes.title('Listing files');
  assert.equal(store.notes.get(ID)?.first_prompt, 'list the files');
  assert.equal(store.notes.get(ID)?.ai_title, 'Listing files');
});
