/**
 * The session state machine: a pure function from (state, event) to the next state.
 * Any command: output activity (printing → running, quiet → idle). Claude Code sessions:
 * hooks first, the screen as the cross-check that closes the gaps hooks leave (an interrupt,
 * a refusal with Esc or "No" fire no hook), process exit last. See DESIGN.md §6.
 */
import type { PendingTool, SessionStateName } from './state.js';

export interface MachineState {
  name: SessionStateName;
  pending: PendingTool | null;
}

export interface ToolRef {
  tool_name: string;
  tool_input: unknown;
  tool_use_id?: string;
}

export type StateEvent =
  | { type: 'spawned' }
  | { type: 'exited' }
  // activity (commands that are not Claude Code)
  | { type: 'output' }
  | { type: 'quiet' }
  // Claude Code hooks
  | { type: 'prompt' } // UserPromptSubmit
  | { type: 'tool' } // PreToolUse
  | ({ type: 'permission' } & ToolRef) // PermissionRequest, Notification permission_prompt
  | { type: 'tool_done' } // PostToolUse
  | { type: 'turn_done' } // Stop, StopFailure
  // Claude Code screen (the tracker reports idle only once it has been stable)
  | { type: 'screen_busy' }
  | { type: 'screen_idle' }
  | ({ type: 'screen_permission'; options: string[] } & ToolRef);

export const INITIAL: MachineState = { name: 'stopped', pending: null };

const RUNNING: MachineState = { name: 'running', pending: null };
const IDLE: MachineState = { name: 'idle', pending: null };

export function next(state: MachineState, event: StateEvent): MachineState {
  if (event.type === 'spawned') return { name: 'starting', pending: null };
  if (event.type === 'exited') return INITIAL;
  if (state.name === 'stopped') return state; // nothing but a spawn wakes a stopped session
  switch (event.type) {
    case 'output':
      return state.name === 'starting' || state.name === 'idle' ? RUNNING : state;
    case 'quiet':
      return state.name === 'starting' || state.name === 'running' ? IDLE : state;
    case 'prompt':
    case 'tool':
    case 'tool_done':
      return RUNNING;
    case 'turn_done':
      return IDLE;
    case 'permission': {
      // The hook names the tool; the options come from the screen (kept if already read).
      const options = state.pending?.options ?? [];
      return { name: 'pending', pending: { ...toolOf(event), options } };
    }
    case 'screen_busy':
      return state.name === 'running' ? state : RUNNING;
    case 'screen_idle':
      return state.name === 'idle' ? state : IDLE;
    case 'screen_permission': {
      const known = state.name === 'pending' ? state.pending : null;
      const tool = known && event.tool_name === '' ? toolOf(known) : toolOf(event);
      if (known && sameOptions(known.options, event.options) && tool.tool_name === known.tool_name) return state;
      return { name: 'pending', pending: { ...tool, options: event.options } };
    }
  }
}

function toolOf(t: ToolRef): ToolRef {
  return t.tool_use_id ? { tool_name: t.tool_name, tool_input: t.tool_input, tool_use_id: t.tool_use_id } : { tool_name: t.tool_name, tool_input: t.tool_input };
}

function sameOptions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
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
