import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_STATES, type PendingTool, type SessionStateName } from '../../shared/state.js';
import { actionAllowed, INITIAL, next, type ActionName, type MachineState, type StateEvent } from './state-machine.js';

const TOOL: PendingTool = { tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, options: ['Yes', 'No'] };

function machine(name: SessionStateName): MachineState {
  return { name, pending: name === 'pending' ? TOOL : null };
}

const EVENTS: readonly StateEvent['type'][] = ['spawned', 'output', 'quiet', 'exited'];

/**
 * next(state, event).name for every pair. Activity drives a plain command (printing → running,
 * quiet → idle); a pending permission prompt is left only by a (re)spawn or an exit, never by
 * the screen redrawing or going quiet; a stopped session changes only when spawned.
 */
const NEXT: Readonly<Record<SessionStateName, Readonly<Record<StateEvent['type'], SessionStateName>>>> = {
  //          spawned       output        quiet       exited
  starting: { spawned: 'starting', output: 'running', quiet: 'idle', exited: 'stopped' },
  running: { spawned: 'starting', output: 'running', quiet: 'idle', exited: 'stopped' },
  idle: { spawned: 'starting', output: 'running', quiet: 'idle', exited: 'stopped' },
  pending: { spawned: 'starting', output: 'pending', quiet: 'pending', exited: 'stopped' },
  stopped: { spawned: 'starting', output: 'stopped', quiet: 'stopped', exited: 'stopped' },
};

test('the tables cover every state', () => {
  assert.deepEqual(Object.keys(NEXT).sort(), [...SESSION_STATES].sort());
  assert.deepEqual(Object.keys(ALLOWED).sort(), [...SESSION_STATES].sort());
});

test('initial state is stopped with nothing pending', () => {
  assert.deepEqual(INITIAL, { name: 'stopped', pending: null });
});

for (const from of SESSION_STATES) {
  for (const event of EVENTS) {
    const to = NEXT[from][event];
    test(`next(${from}, ${event}) → ${to}`, () => {
      const before = machine(from);
      const frozen = structuredClone(before);
      const after = next(before, { type: event });
      assert.equal(after.name, to);
      // A pending tool survives only while the state stays pending.
      assert.deepEqual(after.pending, to === 'pending' ? TOOL : null);
      // Pure: the input state is never mutated.
      assert.deepEqual(before, frozen);
    });
  }
}

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
