/**
 * Creates, finds, lists and disposes sessions. Knows every session the store knows (so a
 * restarted server lists them all), but holds a Session object (and its terminal mirror) only
 * while one is in use: running, watched, or stopped less than RELEASE_AFTER_MS ago.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { E } from '../../shared/errors.js';
import { sessionError, type SessionErrorMessage } from '../../shared/protocol.js';
import type { LaunchSpec } from '../claude/launcher.js';
import type { Logger } from '../log.js';
import { endLeftovers } from '../pty/leftovers.js';
import type { TrackerFactory } from '../state/tracker.js';
import type { SessionStore } from '../store/store.js';
import { storedInfo } from './info.js';
import { Session, type SessionInfo } from './session.js';

/** A stopped, unwatched session keeps its last screen this long for a returning viewer. */
const RELEASE_AFTER_MS = 10 * 60_000;
const RELEASE_CHECK_MS = 60_000;

export interface RegistryOptions {
  workspace: string;
  idleSec: number;
  launch: (id: string, folder: string, hookSecret: string) => { spec: LaunchSpec; env: Record<string, string> };
  tracker: TrackerFactory;
  /** Shown for sessions that were never started in this server run. */
  commandDisplay: string;
  /** Running sessions at most. */
  maxSessions: number;
  /** Lines of scrollback each session's mirror keeps (`--scrollback`). */
  scrollback?: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly releaseTimer: NodeJS.Timeout;

  constructor(
    private readonly store: SessionStore,
    private readonly log: Logger,
    private readonly opts: RegistryOptions,
  ) {
    // A server that was killed left its runs recorded: end what is left of them first, so a
    // resumed conversation never has two Claude Code processes.
    for (const run of store.liveRuns()) {
      const ended = endLeftovers(run.pid, run.start_ticks);
      if (ended > 0) log.warn({ session: run.session_id, pid: run.pid, processes: ended }, 'ended processes left by an earlier server run');
      store.clearRun(run.session_id);
    }
    const stale = store.markAllStopped();
    if (stale > 0) log.info({ sessions: stale }, 'sessions from an earlier run marked stopped');
    this.releaseTimer = setInterval(() => this.releaseUnused(Date.now()), RELEASE_CHECK_MS);
    this.releaseTimer.unref();
  }

  /** The session if the store knows it (ids are already validated and lowercase). */
  get(id: string): Session | undefined {
    const live = this.sessions.get(id);
    if (live) return live;
    const rec = this.store.get(id);
    return rec ? this.materialize(id, rec.folder) : undefined;
  }

  /** Read-only view of a session, without loading it. */
  info(id: string): SessionInfo | undefined {
    const live = this.sessions.get(id);
    if (live) return live.info();
    const rec = this.store.get(id);
    return rec ? storedInfo(rec) : undefined;
  }

  /** The session, recorded in the store first if it is new. */
  getOrCreate(id: string): Session {
    const existing = this.get(id);
    if (existing) return existing;
    const now = Date.now();
    const folder = path.join(this.opts.workspace, id);
    this.store.insert({ id, folder, command: this.opts.commandDisplay, created_at: now, last_active_at: now, last_state: 'stopped' });
    this.log.info({ session: id, folder }, 'session created');
    return this.materialize(id, folder);
  }

  /** Starts (or resumes) a session unless that would pass the running-sessions limit. */
  start(session: Session): { ok: true } | { ok: false; error: SessionErrorMessage } {
    if (!session.isRunning && this.runningCount >= this.opts.maxSessions) return { ok: false, error: this.limitError(session.id) };
    session.start();
    return { ok: true };
  }

  /** Starts the session with this id, recording it first if new; nothing is recorded past the limit. */
  open(id: string): { ok: true; session: Session } | { ok: false; error: SessionErrorMessage } {
    const existing = this.get(id);
    if (!existing?.isRunning && this.runningCount >= this.opts.maxSessions) return { ok: false, error: this.limitError(id) };
    const session = existing ?? this.getOrCreate(id);
    session.start();
    return { ok: true, session };
  }

  private limitError(id: string): SessionErrorMessage {
    return sessionError(id, E.limit_exceeded, {
      error_message: `${this.opts.maxSessions} sessions are running, the most this server allows (--max-sessions); stop one first`,
    });
  }

  list(): SessionInfo[] {
    const notes = this.store.notes.all();
    return this.store.list().map((rec) => this.sessions.get(rec.id)?.info() ?? storedInfo(rec, notes.get(rec.id)));
  }

  /** Names a session (null or blank: back to Claude Code's title or the first prompt). */
  rename(id: string, title: string | null): boolean {
    if (!this.store.get(id)) return false;
    this.store.notes.setName(id, title);
    return true;
  }

  /**
   * Forgets a session: stops it (viewers get session_ended), releases it, and drops its record
   * and notes. With `folder`, its working folder goes too, but only `<workspace>/<id>` (a
   * record from a server run with another workspace keeps its folder). Claude Code's own
   * transcript (in its config dir) is left alone. False for an unknown id.
   */
  async remove(id: string, opts: { folder: boolean }): Promise<{ removed: boolean; folderRemoved: boolean }> {
    const s = this.get(id);
    if (!s) return { removed: false, folderRemoved: false };
    // Forgotten first: input arriving while it stops finds no session (it would start it again).
    this.sessions.delete(id);
    this.store.remove(id);
    await s.stop('deleted');
    s.dispose();
    this.store.notes.remove(id); // what the stop itself noted (its exit)
    this.log.info({ session: id, folder: opts.folder }, 'session deleted');
    const own = path.resolve(s.folder) === path.resolve(this.opts.workspace, id);
    if (!opts.folder || !own) return { removed: true, folderRemoved: false };
    try {
      await fs.rm(s.folder, { recursive: true, force: true });
      return { removed: true, folderRemoved: true };
    } catch (err) {
      this.log.error({ session: id, err: (err as Error).message }, 'could not remove the session folder');
      return { removed: true, folderRemoved: false };
    }
  }

  get runningCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.isRunning) n++;
    return n;
  }

  /** Drops Session objects nobody uses; they are rebuilt from the store when asked for. */
  releaseUnused(now: number, afterMs = RELEASE_AFTER_MS): void {
    for (const [id, s] of this.sessions) {
      if (s.isRunning || s.viewerCount > 0 || now - s.lastChangeAt < afterMs) continue;
      s.dispose();
      this.sessions.delete(id);
    }
  }

  /** Stops every running session (in parallel) and releases them all. */
  async shutdown(): Promise<void> {
    clearInterval(this.releaseTimer);
    await Promise.all([...this.sessions.values()].map((s) => s.stop('server shutdown')));
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  private materialize(id: string, folder: string): Session {
    const session = new Session(id, folder, {
      store: this.store,
      log: this.log,
      launch: this.opts.launch,
      tracker: this.opts.tracker,
      idleSec: this.opts.idleSec,
      scrollback: this.opts.scrollback,
    });
    this.sessions.set(id, session);
    return session;
  }
}
