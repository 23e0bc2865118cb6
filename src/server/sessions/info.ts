/** What the API says about a session, from its stored record (live fields filled in by Session). */
import os from 'node:os';
import type { SessionInfo } from '../../shared/session-info.js';
import { tailLines, type SessionNote } from '../store/notes.js';
import type { SessionRecord } from '../store/store.js';

const SIGNAL_NAMES = new Map(Object.entries(os.constants.signals).map(([name, n]) => [n as number, name]));

export function signalName(signal: number | null): string | null {
  return signal ? (SIGNAL_NAMES.get(signal) ?? `signal ${signal}`) : null;
}

/** A session with no process (never started in this server run, or exited). */
export function storedInfo(rec: Omit<SessionRecord, 'last_state'>, note?: SessionNote): SessionInfo {
  return {
    id: rec.id,
    folder: rec.folder,
    command: rec.command,
    state: 'stopped',
    running: false,
    pid: null,
    viewers: 0,
    created_at: rec.created_at,
    last_active_at: rec.last_active_at,
    // A death by signal has no exit code (node-pty reports 0); the signal says why.
    exit_code: rec.exit_signal ? null : rec.exit_code,
    exit_signal: signalName(rec.exit_signal),
    runs: rec.runs,
    cols: 0,
    rows: 0,
    ...noteFields(note),
  };
}

/** The dashboard's fields of a session's note (notes.ts). */
export function noteFields(note: SessionNote | undefined): Pick<SessionInfo, 'title' | 'first_prompt' | 'waiting_for' | 'exit_reason' | 'exit_tail' | 'quick_exits'> {
  return {
    title: note?.name ?? note?.ai_title ?? null,
    first_prompt: note?.first_prompt ?? null,
    waiting_for: null,
    exit_reason: note?.exit_reason ?? null,
    exit_tail: tailLines(note?.exit_tail),
    quick_exits: note?.quick_exits ?? 0,
  };
}
