import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerMessage } from '../../shared/protocol.js';
import type { CommandTarget, SessionDirectory } from '../sessions/commands.js';
import { actOnTranscript, spokenContext, type ActOutcome } from './act.js';

const BASH: ServerMessage = {
  type: 'session_pending', session_id: 's', kind: 'permission', tool_name: 'Bash', tool_input: { command: 'touch a' },
  options: ['Yes', 'Yes, and always allow access to tmp/ from this project', 'No'], tool_use_id: 't1',
};

/** A session that records what it is asked to do; only what `execute` uses of it. */
function fakeSession(current: ServerMessage, calls: string[]): CommandTarget {
  const state = current.type === 'session_pending' ? 'pending' : current.type === 'session_idle' ? 'idle' : current.type === 'session_ended' ? 'stopped' : 'running';
  return {
    id: 's',
    state,
    isRunning: state !== 'stopped',
    isReady: true,
    whenReady: async () => true,
    inputBacklogged: false,
    inputWritable: async () => undefined,
    stateMessage: () => current,
    currentState: async () => current,
    write: () => calls.push('write'),
    submit: async (text: string) => {
      calls.push(`submit:${text}`);
      return { ok: true };
    },
    type: () => calls.push('type'),
    pressEnter: () => calls.push('enter'),
    cancel: () => calls.push('cancel'),
    confirm: async () => true,
    select: async (index: number) => {
      calls.push(`select:${index}`);
      return { ok: true };
    },
    resize: () => undefined,
  } as unknown as CommandTarget;
}

function directory(session: CommandTarget | undefined): SessionDirectory {
  return {
    info: (id: string) => (session && id === 's' ? {} : undefined),
    get: (id: string) => (id === 's' ? session : undefined),
    open: () => ({ ok: true, session: session! }),
    start: () => ({ ok: true }),
  } as unknown as SessionDirectory;
}

test('the state message decides the table\'s context', () => {
  assert.deepEqual(spokenContext(BASH), { state: 'pending', pending: { kind: 'permission', options: ['Yes', 'Yes, and always allow access to tmp/ from this project', 'No'] } });
  assert.deepEqual(spokenContext({ type: 'session_idle', session_id: 's' }), { state: 'idle', pending: null });
  assert.deepEqual(spokenContext({ type: 'session_ended', session_id: 's' }), { state: 'stopped', pending: null });
  assert.deepEqual(spokenContext({ type: 'session_running', session_id: 's' }), { state: 'running', pending: null });
});

test('a dialog: "yes" selects its Yes, "no" its No, other words nothing', async () => {
  for (const [said, call] of [['Yes.', 'select:0'], ['always', 'select:1'], ['no', 'select:2'], ['cancel', 'cancel']] as const) {
    const calls: string[] = [];
    const out: ActOutcome = await actOnTranscript(directory(fakeSession(BASH, calls)), 'owner', 's', said);
    assert.equal(out.kind, 'decided');
    assert.deepEqual(out.kind === 'decided' && out.result, { ok: true });
    assert.deepEqual(calls, [call], said);
  }
  const calls: string[] = [];
  const out = await actOnTranscript(directory(fakeSession(BASH, calls)), 'control', 's', 'list the files');
  assert.equal(out.kind === 'decided' && out.action.kind, 'none');
  assert.equal(out.kind === 'decided' && out.result, null);
  assert.deepEqual(calls, [], 'nothing typed into the dialog');
});

test('idle: a prompt is submitted; running: "stop" interrupts', async () => {
  const calls: string[] = [];
  const out = await actOnTranscript(directory(fakeSession({ type: 'session_idle', session_id: 's' }, calls)), 'owner', 's', 'List the files.');
  assert.deepEqual(out.kind === 'decided' && out.action, { kind: 'prompt', text: 'List the files.' });
  assert.deepEqual(calls, ['submit:List the files.']);
  const running: string[] = [];
  await actOnTranscript(directory(fakeSession({ type: 'session_running', session_id: 's' }, running)), 'owner', 's', 'stop');
  assert.deepEqual(running, ['cancel']);
});

test('an unknown session is refused before anything is decided; a view role acts on nothing', async () => {
  const out = await actOnTranscript(directory(undefined), 'owner', 's', 'yes');
  assert.equal(out.kind, 'refused');
  assert.equal(out.kind === 'refused' && out.result.error.error_code, 'session_not_found');
  const calls: string[] = [];
  const viewed = await actOnTranscript(directory(fakeSession(BASH, calls)), 'view', 's', 'yes');
  assert.equal(viewed.kind === 'decided' && viewed.result?.ok, false, 'the one door refuses a view link');
  assert.deepEqual(calls, []);
});
