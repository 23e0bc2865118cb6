/**
 * What the REST API says about one session (`GET /api/sessions`, `GET /api/sessions/{id}`).
 * Shared by the server, which builds it, and the browser, which shows it.
 */
import type { DialogKind } from './state.js';
import type { SessionStateName } from './state.js';

export interface SessionInfo {
  id: string;
  folder: string;
  command: string;
  state: SessionStateName;
  running: boolean;
  pid: number | null;
  viewers: number;
  created_at: number;
  last_active_at: number;
  exit_code: number | null;
  exit_signal: string | null;
  runs: number;
  cols: number;
  rows: number;
  /** A name given through the API (rename), else the title Claude Code made for the conversation. */
  title: string | null;
  /** The first prompt the session was given (typed through the API or in the terminal). */
  first_prompt: string | null;
  /** While `pending`: what the dialog asks about. */
  waiting_for: { kind: DialogKind; tool_name: string; question: string | null } | null;
  /** Why the last run ended, in words, when known ("exited 0.4 s after it started", "idle timeout"). */
  exit_reason: string | null;
  /** The last non-empty lines on screen when the last run ended (at most EXIT_TAIL_LINES). */
  exit_tail: string[] | null;
  /** Runs in a row that exited by themselves within seconds of starting; from 2 on, input does not restart it. */
  quick_exits: number;
}

/** Lines of the last screen kept when a run ends. */
export const EXIT_TAIL_LINES = 12;

/** Runs in a row that exit this soon after their start stop input from restarting the session. */
export const QUICK_EXIT_MS = 10_000;
export const QUICK_EXITS_BLOCK = 2;
