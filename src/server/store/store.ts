/**
 * The session registry on disk (SQLite, WAL): what a restarted server lists and resumes.
 * Written on lifecycle changes only (start, state change, exit), never per output chunk.
 */
import type { Db } from './db.js';
import { SessionNotes } from './notes.js';
import type { SessionStateName } from '../../shared/state.js';

export interface SessionRecord {
  id: string;
  folder: string;
  command: string;
  created_at: number;
  last_active_at: number;
  last_state: SessionStateName;
  exit_code: number | null;
  exit_signal: number | null;
  runs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  folder TEXT NOT NULL,
  command TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_active_at INTEGER NOT NULL,
  last_state TEXT NOT NULL,
  exit_code INTEGER,
  exit_signal INTEGER,
  runs INTEGER NOT NULL DEFAULT 0
) STRICT;
`;

const RUNS_SCHEMA = `
CREATE TABLE IF NOT EXISTS live_runs (
  session_id TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  start_ticks INTEGER
) STRICT;
`;

export class SessionStore {
  private readonly stmts;
  /** Titles, first prompts and how runs ended (notes.ts), in a table of their own. */
  readonly notes: SessionNotes;

  constructor(private readonly db: Db) {
    this.db.exec(SCHEMA);
    this.notes = new SessionNotes(db);
    this.db.exec(RUNS_SCHEMA);
    this.stmts = {
      all: this.db.prepare('SELECT * FROM sessions ORDER BY last_active_at DESC'),
      get: this.db.prepare('SELECT * FROM sessions WHERE id = ?'),
      insert: this.db.prepare(
        `INSERT INTO sessions (id, folder, command, created_at, last_active_at, last_state, runs)
         VALUES (@id, @folder, @command, @created_at, @last_active_at, @last_state, 0)`,
      ),
      started: this.db.prepare(
        `UPDATE sessions SET command = ?, last_state = 'starting', last_active_at = ?,
         exit_code = NULL, exit_signal = NULL, runs = runs + 1 WHERE id = ?`,
      ),
      state: this.db.prepare('UPDATE sessions SET last_state = ?, last_active_at = ? WHERE id = ?'),
      exited: this.db.prepare(
        `UPDATE sessions SET last_state = 'stopped', exit_code = ?, exit_signal = ?, last_active_at = ? WHERE id = ?`,
      ),
      stopAll: this.db.prepare(`UPDATE sessions SET last_state = 'stopped' WHERE last_state != 'stopped'`),
      remove: this.db.prepare('DELETE FROM sessions WHERE id = ?'),
    };
  }

  list(): SessionRecord[] {
    return this.stmts.all.all() as SessionRecord[];
  }

  get(id: string): SessionRecord | undefined {
    return this.stmts.get.get(id) as SessionRecord | undefined;
  }

  insert(rec: Pick<SessionRecord, 'id' | 'folder' | 'command' | 'created_at' | 'last_active_at' | 'last_state'>): void {
    this.stmts.insert.run(rec);
  }

  markStarted(id: string, command: string, at: number): void {
    this.stmts.started.run(command, at, id);
  }

  markState(id: string, state: SessionStateName, at: number): void {
    this.stmts.state.run(state, at, id);
  }

  markExited(id: string, exitCode: number | null, signal: number | null, at: number): void {
    this.stmts.exited.run(exitCode, signal, at, id);
  }

  /**
   * The process each running session has: pid (its kernel session id too) and start time, so
   * a server that was killed can end what its sessions left behind before resuming any.
   */
  recordRun(id: string, pid: number, startTicks: number | null): void {
    this.db.prepare('INSERT OR REPLACE INTO live_runs (session_id, pid, start_ticks) VALUES (?, ?, ?)').run(id, pid, startTicks);
  }

  clearRun(id: string): void {
    this.db.prepare('DELETE FROM live_runs WHERE session_id = ?').run(id);
  }

  /** Runs recorded and never cleared: their server died without stopping them. */
  liveRuns(): Array<{ session_id: string; pid: number; start_ticks: number | null }> {
    return this.db.prepare('SELECT * FROM live_runs').all() as Array<{ session_id: string; pid: number; start_ticks: number | null }>;
  }

  /** Forgets a session (its record and notes); true if it was known. */
  remove(id: string): boolean {
    this.notes.remove(id);
    return this.stmts.remove.run(id).changes > 0;
  }

  /** At startup: no process from an earlier server run is ours any more. */
  markAllStopped(): number {
    return this.stmts.stopAll.run().changes;
  }

}
