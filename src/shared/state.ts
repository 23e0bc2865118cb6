/**
 * The session states every client sees. `stopped` is a known session with no process
 * (never started in this server run, exited, idle-stopped); `ended` is only ever reported as the
 * `session_ended` event, after which the session is `stopped` until started again.
 */
export const SESSION_STATES = ['starting', 'running', 'idle', 'pending', 'stopped'] as const;
export type SessionStateName = (typeof SESSION_STATES)[number];

/** A tool call waiting for permission (Claude Code only). */
export interface PendingTool {
  tool_name: string;
  tool_input: unknown;
  /** The options the permission dialog shows, in order (select's index is 0-based over them). */
  options: string[];
  tool_use_id?: string;
}
