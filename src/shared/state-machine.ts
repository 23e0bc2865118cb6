/**
 * The session state machine: a pure function from (state, event) to the next state.
 * Any command: output activity (printing → running, quiet → idle). Claude Code sessions:
 * hooks first, the screen as the cross-check that closes the gaps hooks leave (an interrupt,
 * a refusal with Esc or "No" fire no hook), process exit last. See DESIGN.md §6.
 *
 * A dialog (permission, question, plan) is `pending` from the first sign of it, the
 * PermissionRequest hook or the dialog on screen, whichever comes first: the hook arrives
 * 36–125 ms before Claude Code draws the dialog, while the screen still shows the busy marker,
 * and anything typed then lands in the dialog. So the busy marker (or the idle box) ends a
 * pending only once its dialog has been seen; before that only hooks can (the tool ran, the
 * turn ended). Clients are told once the dialog is read (`announced`), or once the wait for it
 * has run out.
 */
import { dialogKindOf, type DialogKind, type PendingTool, type SessionStateName } from './state.js';

export interface MachineState {
  name: SessionStateName;
  pending: PendingTool | null;
  /** pending only: the dialog has been on screen (only then may the screen end it). */
  seen: boolean;
  /** pending only: clients may be told (its options were read, or the wait for them ran out). */
  announced: boolean;
}

export interface ToolRef {
  tool_name: string;
  tool_input: unknown;
  tool_use_id?: string;
}

export interface ScreenDialog {
  kind: DialogKind;
  options: string[];
  question: string;
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
  | ({ type: 'permission' } & ToolRef) // PermissionRequest (or Notification permission_prompt)
  | { type: 'tool_done'; tool_use_id?: string } // PostToolUse
  | { type: 'turn_done' } // Stop, StopFailure
  // Claude Code screen (the tracker reports idle only once it has been stable)
  | { type: 'screen_busy' }
  | { type: 'screen_idle' }
  /** A dialog on screen; `tool` is the best-known tool call it belongs to. */
  | { type: 'screen_dialog'; dialog: ScreenDialog; tool: ToolRef | null }
  // Timers of the tracker
  | { type: 'announce'; options?: string[] } // not drawn in time: tell clients what is known
  | { type: 'dialog_lost' }; // a hook said "dialog", but none ever showed

export const INITIAL: MachineState = { name: 'stopped', pending: null, seen: false, announced: false };

const RUNNING: MachineState = { name: 'running', pending: null, seen: false, announced: false };
const IDLE: MachineState = { name: 'idle', pending: null, seen: false, announced: false };

export function next(state: MachineState, event: StateEvent): MachineState {
  if (event.type === 'spawned') return { ...INITIAL, name: 'starting' };
  if (event.type === 'exited') return INITIAL;
  if (state.name === 'stopped') return state; // nothing but a spawn wakes a stopped session
  const pending = state.name === 'pending' ? state.pending : null;
  switch (event.type) {
    case 'output':
      return state.name === 'starting' || state.name === 'idle' ? RUNNING : state;
    case 'quiet':
      return state.name === 'starting' || state.name === 'running' ? IDLE : state;
    case 'prompt':
      return RUNNING;
    case 'tool':
      // Another tool call while a dialog waits: the dialog still decides (tools run one by one).
      return pending ? state : RUNNING;
    case 'tool_done':
      // The PostToolUse of another call does not answer this dialog.
      if (pending?.tool_use_id && event.tool_use_id && event.tool_use_id !== pending.tool_use_id) return state;
      return RUNNING;
    case 'turn_done':
      return IDLE;
    case 'permission': {
      const tool = toolOf(event);
      if (pending && sameCall(pending, tool)) {
        // The screen came first: the hook completes what it knows (the input, the id).
        return { ...state, pending: { ...pending, tool_name: pending.tool_name || tool.tool_name, tool_input: pending.tool_input ?? tool.tool_input, ...idOf(pending.tool_use_id ?? tool.tool_use_id) } };
      }
      return { name: 'pending', pending: { kind: dialogKindOf(tool.tool_name), ...tool, options: [] }, seen: false, announced: false };
    }
    case 'screen_dialog': {
      const { dialog } = event;
      const base: ToolRef = pending ?? event.tool ?? { tool_name: '', tool_input: null };
      const shown: PendingTool = {
        kind: dialog.kind,
        ...toolOf(base),
        options: dialog.options,
        ...(dialog.question ? { question: dialog.question } : {}),
      };
      if (pending && state.seen && samePending(pending, shown)) return state;
      return { name: 'pending', pending: shown, seen: true, announced: true };
    }
    case 'announce':
      if (!pending || state.announced) return state;
      return { ...state, pending: pending.options.length > 0 || !event.options?.length ? pending : { ...pending, options: event.options }, announced: true };
    case 'dialog_lost':
      return pending && !state.seen ? RUNNING : state;
    case 'screen_busy':
      if (pending) return state.seen ? RUNNING : state;
      return state.name === 'running' ? state : RUNNING;
    case 'screen_idle':
      if (pending) return state.seen ? IDLE : state;
      return state.name === 'idle' ? state : IDLE;
  }
}

function toolOf(t: ToolRef): ToolRef {
  return { tool_name: t.tool_name, tool_input: t.tool_input, ...idOf(t.tool_use_id) };
}

function idOf(id: string | undefined): { tool_use_id?: string } {
  return id ? { tool_use_id: id } : {};
}

/** The same tool call: the same id where both have one, else the same tool (or an unknown one). */
function sameCall(p: PendingTool, t: ToolRef): boolean {
  if (p.tool_use_id && t.tool_use_id) return p.tool_use_id === t.tool_use_id;
  return p.tool_name === '' || p.tool_name === t.tool_name;
}

function samePending(a: PendingTool, b: PendingTool): boolean {
  return a.kind === b.kind && a.tool_name === b.tool_name && a.tool_use_id === b.tool_use_id && a.question === b.question
    && a.options.length === b.options.length && a.options.every((x, i) => x === b.options[i]);
}

/** Which client actions each state accepts (DESIGN.md §7). `stopped` ones start the session first. */
export type ActionName = 'input' | 'bytes_input' | 'confirm' | 'select' | 'cancel';

export function actionAllowed(state: SessionStateName, action: ActionName): boolean {
  switch (action) {
    case 'bytes_input':
      return true; // the terminal's own keyboard: never checked
    case 'input':
      return state !== 'pending'; // typed into a dialog, its Enter would answer it
    case 'confirm':
      return state === 'pending' || state === 'idle' || state === 'running'; // Enter outside a dialog
    case 'select':
      return state === 'pending';
    case 'cancel':
      return state === 'running' || state === 'pending' || state === 'starting';
  }
}
