/**
 * What the dashboard says about a session beyond its process records (store.ts): a name given
 * through the API, the title Claude Code made, the first prompt, and how the last run ended.
 * A table of its own, written rarely (a rename, the first prompt, a title, an exit).
 */
import type { Db } from './db.js';

export interface SessionNote {
  id: string;
  /** Given through the API (rename); wins over the AI title. */
  name: string | null;
  /** Claude Code's `ai-title` transcript line. */
  ai_title: string | null;
  first_prompt: string | null;
  exit_reason: string | null;
  /** JSON array of the last screen lines at the last exit. */
  exit_tail: string | null;
  quick_exits: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS session_notes (
  id TEXT PRIMARY KEY,
  name TEXT,
  ai_title TEXT,
  first_prompt TEXT,
  exit_reason TEXT,
  exit_tail TEXT,
  quick_exits INTEGER NOT NULL DEFAULT 0
) STRICT;
`;

/** Titles and prompts are for a list, not an archive: longer ones are cut (with an ellipsis). */
export const MAX_NOTE_CHARS = 500;

function cut(text: string): string {
  return text.length > MAX_NOTE_CHARS ? `${text.slice(0, MAX_NOTE_CHARS - 1)}…` : text;
}

export class SessionNotes {
  private readonly stmts;

  constructor(db: Db) {
    db.exec(SCHEMA);
    const upsert = (column: string, onlyIfNull = false) =>
      db.prepare<[string, string | null]>(
        `INSERT INTO session_notes (id, ${column}) VALUES (?, ?)
         ON CONFLICT(id) DO UPDATE SET ${column} = excluded.${column}${onlyIfNull ? ` WHERE session_notes.${column} IS NULL` : ''}`,
      );
    this.stmts = {
      get: db.prepare('SELECT * FROM session_notes WHERE id = ?'),
      all: db.prepare('SELECT * FROM session_notes'),
      name: upsert('name'),
      aiTitle: upsert('ai_title'),
      firstPrompt: upsert('first_prompt', true),
      exit: db.prepare(
        `INSERT INTO session_notes (id, exit_reason, exit_tail, quick_exits) VALUES (@id, @reason, @tail, @quick)
         ON CONFLICT(id) DO UPDATE SET exit_reason = excluded.exit_reason, exit_tail = excluded.exit_tail, quick_exits = excluded.quick_exits`,
      ),
      remove: db.prepare('DELETE FROM session_notes WHERE id = ?'),
    };
  }

  get(id: string): SessionNote | undefined {
    return this.stmts.get.get(id) as SessionNote | undefined;
  }

  /** Every note by session id (one query for a whole list). */
  all(): Map<string, SessionNote> {
    return new Map((this.stmts.all.all() as SessionNote[]).map((n) => [n.id, n]));
  }

  /** The name given through the API; null (or blank) clears it. */
  setName(id: string, name: string | null): void {
    const v = name?.trim() ? cut(name.trim()) : null;
    this.stmts.name.run(id, v);
  }

  setAiTitle(id: string, title: string): void {
    if (title.trim()) this.stmts.aiTitle.run(id, cut(title.trim()));
  }

  /** Kept once: later prompts do not replace the first. */
  noteFirstPrompt(id: string, prompt: string): void {
    if (prompt.trim()) this.stmts.firstPrompt.run(id, cut(prompt.trim()));
  }

  noteExit(id: string, reason: string | null, tail: string[] | null, quickExits: number): void {
    this.stmts.exit.run({ id, reason, tail: tail === null ? null : JSON.stringify(tail), quick: quickExits });
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
  }
}

/** The stored tail as lines ([] for an unreadable value). */
export function tailLines(raw: string | null | undefined): string[] | null {
  if (raw === null || raw === undefined) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
