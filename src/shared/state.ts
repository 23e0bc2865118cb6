/**
 * The session states every client sees. `stopped` is a known session with no process
 * (never started in this server run, exited, idle-stopped); `ended` is only ever reported as the
 * `session_ended` event, after which the session is `stopped` until started again.
 */
export const SESSION_STATES = ['starting', 'running', 'idle', 'pending', 'stopped'] as const;
export type SessionStateName = (typeof SESSION_STATES)[number];

/**
 * What a pending dialog asks: `permission` (may a tool run: Bash, Write, Edit, …), `question`
 * (Claude's AskUserQuestion: pick an answer), `plan` (ExitPlanMode: approve the plan).
 */
export const DIALOG_KINDS = ['permission', 'question', 'plan'] as const;
export type DialogKind = (typeof DIALOG_KINDS)[number];

/** A tool call waiting for the person (Claude Code only): one per dialog on screen. */
export interface PendingTool {
  kind: DialogKind;
  tool_name: string;
  tool_input: unknown;
  /** The options the dialog shows, in order (select's index is 0-based over them). */
  options: string[];
  tool_use_id?: string;
  /** The question the dialog asks, as shown ("Do you want to proceed?", "Which color do you prefer?"). */
  question?: string;
}

/** The dialog kind a tool's call opens. */
export function dialogKindOf(toolName: string): DialogKind {
  return toolName === 'AskUserQuestion' ? 'question' : toolName === 'ExitPlanMode' ? 'plan' : 'permission';
}
