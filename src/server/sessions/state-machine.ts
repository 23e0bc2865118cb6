/**
 * The session state machine: a pure function from (state, event) to the next state.
 * For any command it is driven by output activity (printing → running, quiet → idle);
 * Claude Code's own signals (hooks, transcript, screen) come in as further events.
 */
import type { PendingTool, SessionStateName } from '../../shared/state.js';

export interface MachineState {
  name: SessionStateName;
  pending: PendingTool | null;
}

export type StateEvent =
  | { type: 'spawned' }
  | { type: 'output' }
  | { type: 'quiet' }
  | { type: 'exited' };

export const INITIAL: MachineState = { name: 'stopped', pending: null };

export function next(state: MachineState, event: StateEvent): MachineState {
  switch (event.type) {
    case 'spawned':
      return { name: 'starting', pending: null };
    case 'exited':
      return { name: 'stopped', pending: null };
    case 'output':
      return state.name === 'starting' || state.name === 'idle' ? { name: 'running', pending: null } : state;
    case 'quiet':
      return state.name === 'starting' || state.name === 'running' ? { name: 'idle', pending: null } : state;
  }
}

/** Which client actions each state accepts (DESIGN.md §7). `stopped` ones start the session first. */
export type ActionName = 'input' | 'bytes_input' | 'confirm' | 'select' | 'cancel';

export function actionAllowed(state: SessionStateName, action: ActionName): boolean {
  switch (action) {
    case 'bytes_input':
      return true; // the terminal's own keyboard: never checked
    case 'input':
      return state !== 'pending';
    case 'confirm':
    case 'select':
      return state === 'pending';
    case 'cancel':
      return state === 'running' || state === 'pending' || state === 'starting';
  }
}
