import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dialogKindOf, SESSION_STATES, type PendingTool, type SessionStateName } from './state.js';
import { actionAllowed, INITIAL, next, type ActionName, type MachineState, type ScreenDialog, type StateEvent } from './state-machine.js';

const BASH = { tool_name: 'Bash', tool_input: { command: 'touch f' } };
const BASH_OPTIONS = ['Yes', 'Yes, and always allow access to /tmp/t/proj from this project', 'No'];
const TOOL: PendingTool = { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: BASH_OPTIONS, question: 'Do you want to proceed?' };
const BASH_DIALOG: ScreenDialog = { kind: 'permission', options: BASH_OPTIONS, question: 'Do you want to proceed?' };

/**
 * The states of the table. A pending comes in two forms: `pending` whose dialog has been on
 * screen (seen), and `pending (unseen)`: only its hook came so far (the dialog is not drawn yet).
 */
type From = SessionStateName | 'pending (unseen)';
const FROM: readonly From[] = [...SESSION_STATES, 'pending (unseen)'];

function machine(from: From): MachineState {
  if (from === 'pending') return { name: 'pending', pending: TOOL, seen: true, announced: true };
  if (from === 'pending (unseen)') return { name: 'pending', pending: { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: [] }, seen: false, announced: false };
  return { name: from, pending: null, seen: false, announced: false };
}

/** One concrete event of each kind. */
const EVENTS: Readonly<Record<StateEvent['type'], StateEvent>> = {
  spawned: { type: 'spawned' },
  exited: { type: 'exited' },
  output: { type: 'output' },
  quiet: { type: 'quiet' },
  prompt: { type: 'prompt' },
  tool: { type: 'tool' },
  permission: { type: 'permission', ...BASH, tool_use_id: 'toolu_02' },
  tool_done: { type: 'tool_done' },
  turn_done: { type: 'turn_done' },
  screen_busy: { type: 'screen_busy' },
  screen_idle: { type: 'screen_idle' },
  screen_dialog: { type: 'screen_dialog', dialog: BASH_DIALOG, tool: { ...BASH, tool_use_id: 'toolu_02' } },
  announce: { type: 'announce', options: ['Red', 'Blue'] },
  dialog_lost: { type: 'dialog_lost' },
};

type Row = Readonly<Record<StateEvent['type'], SessionStateName>>;

/**
 * next(state, event).name for every pair. Activity drives a plain command (printing → running,
 * quiet → idle) and never leaves a pending prompt. Claude Code's hooks and screen move any
 * live state; the tracker's timers (announce, dialog_lost) only act on a pending; a stopped
 * session changes only when spawned.
 */
const live = (own: Pick<Row, 'output' | 'quiet' | 'announce' | 'dialog_lost'>): Row => ({
  spawned: 'starting',
  exited: 'stopped',
  prompt: 'running',
  tool: 'running',
  permission: 'pending',
  tool_done: 'running',
  turn_done: 'idle',
  screen_busy: 'running',
  screen_idle: 'idle',
  screen_dialog: 'pending',
  ...own,
});

const NEXT: Readonly<Record<From, Row>> = {
  starting: live({ output: 'running', quiet: 'idle', announce: 'starting', dialog_lost: 'starting' }),
  running: live({ output: 'running', quiet: 'idle', announce: 'running', dialog_lost: 'running' }),
  idle: live({ output: 'running', quiet: 'idle', announce: 'idle', dialog_lost: 'idle' }),
  // A seen dialog: the screen ends it (answered, declined), another tool call does not.
  pending: { ...live({ output: 'pending', quiet: 'pending', announce: 'pending', dialog_lost: 'pending' }), tool: 'pending' },
  // Only the hook so far: the screen still shows the spinner (or the idle box) from before the
  // dialog, so the screen cannot end it; hooks can, and so does the dialog_lost timer.
  'pending (unseen)': {
    ...live({ output: 'pending', quiet: 'pending', announce: 'pending', dialog_lost: 'running' }),
    tool: 'pending',
    screen_busy: 'pending',
    screen_idle: 'pending',
  },
  stopped: {
    spawned: 'starting', exited: 'stopped', output: 'stopped', quiet: 'stopped', prompt: 'stopped', tool: 'stopped',
    permission: 'stopped', tool_done: 'stopped', turn_done: 'stopped', screen_busy: 'stopped', screen_idle: 'stopped',
    screen_dialog: 'stopped', announce: 'stopped', dialog_lost: 'stopped',
  },
};

test('the tables cover every state and every event', () => {
  assert.deepEqual(Object.keys(NEXT).sort(), [...FROM].sort());
  assert.deepEqual(Object.keys(ALLOWED).sort(), [...SESSION_STATES].sort());
  for (const row of Object.values(NEXT)) assert.deepEqual(Object.keys(row).sort(), Object.keys(EVENTS).sort());
});

test('initial state is stopped with nothing pending', () => {
  assert.deepEqual(INITIAL, { name: 'stopped', pending: null, seen: false, announced: false });
});

for (const from of FROM) {
  for (const [type, event] of Object.entries(EVENTS)) {
    const to = NEXT[from][type as StateEvent['type']];
    test(`next(${from}, ${type}) → ${to}`, () => {
      const before = machine(from);
      const frozen = structuredClone(before);
      const after = next(before, event);
      assert.equal(after.name, to);
      if (to !== 'pending') {
        assert.equal(after.pending, null, 'a pending tool only lives in pending');
        assert.equal(after.seen, false, 'seen only in pending');
        assert.equal(after.announced, false, 'announced only in pending');
      } else {
        assert.ok(after.pending, 'pending always names its tool');
        assert.ok(after.pending.kind, 'pending always has a dialog kind');
      }
      assert.deepEqual(before, frozen, 'pure: the input state is never mutated');
    });
  }
}

// ---- Dialogs: one pending per dialog, announced once it is read ----

const running = machine('running');

test('permission (hook) → pending, not seen, not announced, options unknown, kind from the tool', () => {
  const m = next(running, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  assert.deepEqual(m, { name: 'pending', pending: { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: [] }, seen: false, announced: false });
  const ask = next(running, { type: 'permission', tool_name: 'AskUserQuestion', tool_input: { questions: [] } });
  assert.equal(ask.pending?.kind, 'question');
  assert.equal('tool_use_id' in (ask.pending ?? {}), false, 'no id: no tool_use_id field');
  assert.equal(next(running, { type: 'permission', tool_name: 'ExitPlanMode', tool_input: {} }).pending?.kind, 'plan');
  assert.equal(next(running, { type: 'permission', tool_name: 'Write', tool_input: {} }).pending?.kind, 'permission');
});

test('dialogKindOf: AskUserQuestion → question, ExitPlanMode → plan, any other tool → permission', () => {
  assert.equal(dialogKindOf('AskUserQuestion'), 'question');
  assert.equal(dialogKindOf('ExitPlanMode'), 'plan');
  for (const t of ['Bash', 'Write', 'Edit', 'mcp__x__y', '']) assert.equal(dialogKindOf(t), 'permission', t);
});

test('screen_busy / screen_idle do not end a pending whose dialog was never seen (the hook comes before the drawing)', () => {
  const hooked = next(running, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  assert.equal(next(hooked, { type: 'screen_busy' }), hooked, 'no change, same object');
  assert.equal(next(hooked, { type: 'screen_idle' }), hooked, 'no change, same object');
  assert.equal(next(hooked, { type: 'output' }), hooked);
  assert.equal(next(hooked, { type: 'quiet' }), hooked);
});

test('screen_busy / screen_idle end a pending once its dialog has been seen (answered or declined: no hook says so)', () => {
  const hooked = next(running, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  const shown = next(hooked, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: null });
  assert.deepEqual(next(shown, { type: 'screen_busy' }), { name: 'running', pending: null, seen: false, announced: false });
  assert.deepEqual(next(shown, { type: 'screen_idle' }), { name: 'idle', pending: null, seen: false, announced: false });
});

test('screen_dialog after the hook: seen and announced, the hook\'s tool_use_id and tool_input kept, the screen\'s kind/options/question', () => {
  const hooked = next(running, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  // The tracker's best guess of the tool differs: the pending one wins.
  const shown = next(hooked, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: { tool_name: 'Other', tool_input: null, tool_use_id: 'toolu_99' } });
  assert.deepEqual(shown, {
    name: 'pending',
    pending: { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: BASH_OPTIONS, question: 'Do you want to proceed?' },
    seen: true,
    announced: true,
  });
});

test('screen_dialog first (no hook yet): pending for the tool the tracker names, or for an unknown one', () => {
  const named = next(running, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: { ...BASH, tool_use_id: 'toolu_05' } });
  assert.deepEqual(named, { name: 'pending', pending: { kind: 'permission', ...BASH, tool_use_id: 'toolu_05', options: BASH_OPTIONS, question: 'Do you want to proceed?' }, seen: true, announced: true });
  const unknown = next(machine('idle'), { type: 'screen_dialog', dialog: { kind: 'question', options: ['Red', 'Blue'], question: '' }, tool: null });
  assert.deepEqual(unknown.pending, { kind: 'question', tool_name: '', tool_input: null, options: ['Red', 'Blue'] }, 'no question: no question field');
  assert.equal(unknown.seen, true);
  assert.equal(unknown.announced, true);
});

test('the same dialog read again: no change, the same object (clients are not told twice)', () => {
  const shown = next(next(running, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' }), { type: 'screen_dialog', dialog: BASH_DIALOG, tool: null });
  assert.equal(next(shown, { type: 'screen_dialog', dialog: { ...BASH_DIALOG, options: [...BASH_OPTIONS] }, tool: null }), shown);
  assert.equal(next(shown, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: { tool_name: 'Bash', tool_input: {} } }), shown, 'the tracker\'s guess does not count once pending');
});

test('a different dialog of the same call (the next question, other options): a new pending, still seen and announced', () => {
  const ask = { tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: 'Which color do you prefer?' }, { question: 'Which size do you need?' }] }, tool_use_id: 'toolu_03' };
  const hooked = next(running, { type: 'permission', ...ask });
  const q1 = next(hooked, { type: 'screen_dialog', dialog: { kind: 'question', options: ['Red', 'Blue', 'Type something.', 'Chat about this'], question: 'Which color do you prefer?' }, tool: null });
  const q2 = next(q1, { type: 'screen_dialog', dialog: { kind: 'question', options: ['Small', 'Large', 'Type something.', 'Chat about this'], question: 'Which size do you need?' }, tool: null });
  assert.notEqual(q2, q1);
  assert.deepEqual(q2, {
    name: 'pending',
    pending: { kind: 'question', ...ask, options: ['Small', 'Large', 'Type something.', 'Chat about this'], question: 'Which size do you need?' },
    seen: true,
    announced: true,
  });
  // The review step: same call, another question and options.
  const review = next(q2, { type: 'screen_dialog', dialog: { kind: 'question', options: ['Submit answers', 'Cancel'], question: 'Review your answers' }, tool: null });
  assert.notEqual(review, q2);
  assert.deepEqual(review.pending?.options, ['Submit answers', 'Cancel']);
  assert.equal(review.pending?.tool_use_id, 'toolu_03');
  // Only the question differs: an update too.
  const other = next(q1, { type: 'screen_dialog', dialog: { kind: 'question', options: ['Red', 'Blue', 'Type something.', 'Chat about this'], question: 'Which color now?' }, tool: null });
  assert.notEqual(other, q1);
  assert.equal(other.pending?.question, 'Which color now?');
});

test('announce: marks an unseen pending announced and fills its empty options from the event', () => {
  const hooked = next(running, { type: 'permission', tool_name: 'AskUserQuestion', tool_input: {}, tool_use_id: 'toolu_04' });
  const told = next(hooked, { type: 'announce', options: ['Red', 'Blue'] });
  assert.deepEqual(told, { name: 'pending', pending: { kind: 'question', tool_name: 'AskUserQuestion', tool_input: {}, tool_use_id: 'toolu_04', options: ['Red', 'Blue'] }, seen: false, announced: true });
  assert.equal(next(told, { type: 'announce', options: ['X'] }), told, 'announced once: no change');
  // Nothing to fill in: announced with what is known.
  const bare = next(next(running, { type: 'permission', ...BASH }), { type: 'announce' });
  assert.deepEqual(bare.pending?.options, []);
  assert.equal(bare.announced, true);
  assert.equal(next(next(running, { type: 'permission', ...BASH }), { type: 'announce', options: [] }).announced, true);
  // Still unseen: the screen still cannot end it.
  assert.equal(next(told, { type: 'screen_busy' }), told);
});

test('announce keeps options already read from the screen', () => {
  const shown = next(running, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: BASH });
  assert.equal(next(shown, { type: 'announce', options: ['X'] }), shown);
  const unannounced: MachineState = { ...shown, announced: false };
  assert.deepEqual(next(unannounced, { type: 'announce', options: ['X'] }).pending?.options, BASH_OPTIONS);
});

test('announce / dialog_lost outside pending change nothing', () => {
  for (const from of ['starting', 'running', 'idle', 'stopped'] as const) {
    const m = machine(from);
    assert.equal(next(m, { type: 'announce', options: ['a'] }), m, from);
    assert.equal(next(m, { type: 'dialog_lost' }), m, from);
  }
});

test('dialog_lost ends only a pending whose dialog never showed (a user hook answered it)', () => {
  const hooked = next(running, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  assert.deepEqual(next(hooked, { type: 'dialog_lost' }), { name: 'running', pending: null, seen: false, announced: false });
  assert.deepEqual(next(next(hooked, { type: 'announce' }), { type: 'dialog_lost' }).name, 'running');
  const shown = next(hooked, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: null });
  assert.equal(next(shown, { type: 'dialog_lost' }), shown);
});

test('tool (PreToolUse of another call) does not end a pending: the dialog still decides', () => {
  for (const from of ['pending', 'pending (unseen)'] as const) {
    const m = machine(from);
    assert.equal(next(m, { type: 'tool' }), m, from);
  }
});

test('tool_done: another call\'s PostToolUse does not end the pending; its own (or one without id) does', () => {
  const m = machine('pending'); // toolu_01
  assert.equal(next(m, { type: 'tool_done', tool_use_id: 'toolu_09' }), m);
  assert.equal(next(m, { type: 'tool_done', tool_use_id: 'toolu_01' }).name, 'running');
  assert.equal(next(m, { type: 'tool_done' }).name, 'running');
  // A pending whose id is unknown: any PostToolUse ends it.
  const noId = next(running, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: null });
  assert.equal(next(noId, { type: 'tool_done', tool_use_id: 'toolu_09' }).name, 'running');
});

test('prompt and turn_done end a pending, seen or not (the turn moved on)', () => {
  for (const from of ['pending', 'pending (unseen)'] as const) {
    assert.equal(next(machine(from), { type: 'prompt' }).name, 'running', from);
    assert.equal(next(machine(from), { type: 'turn_done' }).name, 'idle', from);
  }
});

test('permission again for the same call: still one pending, seen/announced kept, the hook fills in id and input', () => {
  const shown = next(running, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: null });
  assert.equal(shown.pending?.tool_input, null);
  const hooked = next(shown, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  assert.equal(hooked.seen, true);
  assert.equal(hooked.announced, true);
  assert.deepEqual(hooked.pending?.tool_input, BASH.tool_input);
  assert.equal(hooked.pending?.tool_use_id, 'toolu_01');
  assert.deepEqual(hooked.pending?.options, BASH_OPTIONS, 'the options read are kept');
  // The same call announced by a late Notification (same id): nothing is reset.
  const again = next(hooked, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
  assert.equal(again.seen, true);
  assert.equal(again.announced, true);
  assert.deepEqual(again.pending, hooked.pending);
});

test(
  'the permission hook names the tool of a dialog first seen on screen with an unknown tool',
  () => {
    const shown = next(running, { type: 'screen_dialog', dialog: BASH_DIALOG, tool: null });
    const hooked = next(shown, { type: 'permission', ...BASH, tool_use_id: 'toolu_01' });
    assert.deepEqual(hooked.pending, { kind: 'permission', ...BASH, tool_use_id: 'toolu_01', options: BASH_OPTIONS, question: 'Do you want to proceed?' });
  },
);

test('permission for another call while one is pending: a new pending (not seen, not announced)', () => {
  const m = machine('pending'); // toolu_01, seen
  const other = next(m, { type: 'permission', tool_name: 'Write', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_02' });
  assert.deepEqual(other, { name: 'pending', pending: { kind: 'permission', tool_name: 'Write', tool_input: { file_path: '/x' }, tool_use_id: 'toolu_02', options: [] }, seen: false, announced: false });
  // Without ids, another tool name is another call.
  const noId = next(running, { type: 'permission', ...BASH });
  assert.equal(next(noId, { type: 'permission', tool_name: 'Edit', tool_input: {} }).pending?.tool_name, 'Edit');
});

test('spawned and exited reset everything', () => {
  const m = machine('pending');
  assert.deepEqual(next(m, { type: 'spawned' }), { name: 'starting', pending: null, seen: false, announced: false });
  assert.equal(next(m, { type: 'exited' }), INITIAL);
});

/**
 * actionAllowed(state, action) for every pair (DESIGN.md §7). `confirm` outside a dialog is
 * Enter (echokit_pty's web UI types as bytes, then confirms); `input` never goes into a dialog.
 */
const ALLOWED: Readonly<Record<SessionStateName, Readonly<Record<ActionName, boolean>>>> = {
  starting: { input: true, bytes_input: true, confirm: false, select: false, cancel: true },
  running: { input: true, bytes_input: true, confirm: true, select: false, cancel: true },
  idle: { input: true, bytes_input: true, confirm: true, select: false, cancel: false },
  pending: { input: false, bytes_input: true, confirm: true, select: true, cancel: true },
  stopped: { input: true, bytes_input: true, confirm: false, select: false, cancel: false },
};

const ACTIONS: readonly ActionName[] = ['input', 'bytes_input', 'confirm', 'select', 'cancel'];

for (const state of SESSION_STATES) {
  for (const action of ACTIONS) {
    const allowed = ALLOWED[state][action];
    test(`actionAllowed(${state}, ${action}) = ${allowed}`, () => {
      assert.equal(actionAllowed(state, action), allowed);
    });
  }
}
