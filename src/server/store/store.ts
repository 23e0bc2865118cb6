/**
 * The session registry on disk (SQLite, WAL): what a restarted server lists and resumes.
 * Written on lifecycle changes only (start, state change, exit), never per output chunk.
 */
import type { Db } from './db.js';
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

export class SessionStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.db.exec(SCHEMA);
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

  /** At startup: no process from an earlier server run is ours any more. */
  markAllStopped(): number {
    return this.stmts.stopAll.run().changes;
  }

}
