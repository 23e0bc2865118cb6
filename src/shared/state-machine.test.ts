import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_STATES, type PendingTool, type SessionStateName } from './state.js';
import { actionAllowed, INITIAL, next, type ActionName, type MachineState, type StateEvent } from './state-machine.js';

const TOOL: PendingTool = { tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, options: ['Yes', 'No'] };

function machine(name: SessionStateName): MachineState {
  return { name, pending: name === 'pending' ? TOOL : null };
}

const BASH = { tool_name: 'Bash', tool_input: { command: 'touch f' } };

/** One concrete event of each kind. */
const EVENTS: Readonly<Record<StateEvent['type'], StateEvent>> = {
  spawned: { type: 'spawned' },
  exited: { type: 'exited' },
  output: { type: 'output' },
  quiet: { type: 'quiet' },
  prompt: { type: 'prompt' },
  tool: { type: 'tool' },
  permission: { type: 'permission', ...BASH },
  tool_done: { type: 'tool_done' },
  turn_done: { type: 'turn_done' },
  screen_busy: { type: 'screen_busy' },
  screen_idle: { type: 'screen_idle' },
  screen_permission: { type: 'screen_permission', ...BASH, options: ['Yes', 'No'] },
};

type Row = Readonly<Record<StateEvent['type'], SessionStateName>>;

/**
 * next(state, event).name for every pair. Activity drives a plain command (printing → running,
 * quiet → idle) and never leaves a pending prompt. Claude Code's hooks and screen move any
 * live state; a stopped session changes only when spawned.
 */
const live = (activity: Pick<Row, 'output' | 'quiet'>): Row => ({
  spawned: 'starting',
  exited: 'stopped',
  ...activity,
  prompt: 'running',
  tool: 'running',
  permission: 'pending',
  tool_done: 'running',
  turn_done: 'idle',
  screen_busy: 'running',
  screen_idle: 'idle',
  screen_permission: 'pending',
});

const NEXT: Readonly<Record<SessionStateName, Row>> = {
  starting: live({ output: 'running', quiet: 'idle' }),
  running: live({ output: 'running', quiet: 'idle' }),
  idle: live({ output: 'running', quiet: 'idle' }),
  pending: live({ output: 'pending', quiet: 'pending' }),
  stopped: {
    spawned: 'starting', exited: 'stopped', output: 'stopped', quiet: 'stopped', prompt: 'stopped', tool: 'stopped',
    permission: 'stopped', tool_done: 'stopped', turn_done: 'stopped', screen_busy: 'stopped', screen_idle: 'stopped',
    screen_permission: 'stopped',
  },
};

test('the tables cover every state', () => {
  assert.deepEqual(Object.keys(NEXT).sort(), [...SESSION_STATES].sort());
  assert.deepEqual(Object.keys(ALLOWED).sort(), [...SESSION_STATES].sort());
});

test('initial state is stopped with nothing pending', () => {
  assert.deepEqual(INITIAL, { name: 'stopped', pending: null });
});

for (const from of SESSION_STATES) {
  for (const [type, event] of Object.entries(EVENTS)) {
    const to = NEXT[from][type as StateEvent['type']];
    test(`next(${from}, ${type}) → ${to}`, () => {
      const before = machine(from);
      const frozen = structuredClone(before);
      const after = next(before, event);
      assert.equal(after.name, to);
      if (to !== 'pending') assert.equal(after.pending, null, 'a pending tool only lives in pending');
      else assert.ok(after.pending, 'pending always names its tool');
      assert.deepEqual(before, frozen, 'pure: the input state is never mutated');
    });
  }
}

test('the permission hook names the tool; options read from the screen are kept', () => {
  const shown = next(machine('running'), { type: 'screen_permission', tool_name: '', tool_input: null, options: ['Yes', 'No'] });
  const named = next(shown, { type: 'permission', ...BASH });
  assert.deepEqual(named.pending, { ...BASH, options: ['Yes', 'No'] });
});

test('the screen updates options and keeps the tool when it cannot name one', () => {
  const named = next(machine('running'), { type: 'permission', ...BASH });
  assert.deepEqual(named.pending?.options, []);
  const read = next(named, { type: 'screen_permission', tool_name: '', tool_input: null, options: ['1', '2', '3'] });
  assert.deepEqual(read.pending, { ...BASH, options: ['1', '2', '3'] });
  assert.equal(next(read, { type: 'screen_permission', tool_name: '', tool_input: null, options: ['1', '2', '3'] }), read, 'no change, same object');
});

/** actionAllowed(state, action) for every pair (DESIGN.md §7). */
const ALLOWED: Readonly<Record<SessionStateName, Readonly<Record<ActionName, boolean>>>> = {
  starting: { input: true, bytes_input: true, confirm: false, select: false, cancel: true },
  running: { input: true, bytes_input: true, confirm: false, select: false, cancel: true },
  idle: { input: true, bytes_input: true, confirm: false, select: false, cancel: false },
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
