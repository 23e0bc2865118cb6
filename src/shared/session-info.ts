/**
 * What the REST API says about one session (`GET /api/sessions`, `GET /api/sessions/{id}`).
 * Shared by the server, which builds it, and the browser, which shows it.
 */
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
}
