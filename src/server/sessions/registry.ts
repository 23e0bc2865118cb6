/**
 * Creates, finds, lists and disposes sessions. Knows every session the store knows (so a
 * restarted server lists them all), but builds a Session object only when one is used.
 */
import path from 'node:path';
import type { LaunchSpec } from '../claude/launcher.js';
import type { Logger } from '../log.js';
import type { SessionStore } from '../store/store.js';
import { Session, type SessionInfo } from './session.js';

export interface RegistryOptions {
  workspace: string;
  idleSec: number;
  launch: (id: string) => { spec: LaunchSpec; env: Record<string, string> };
  /** Shown for sessions that were never started in this server run. */
  commandDisplay: string;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly store: SessionStore,
    private readonly log: Logger,
    private readonly opts: RegistryOptions,
  ) {
    const stale = store.markAllStopped();
    if (stale > 0) log.info({ sessions: stale }, 'sessions from an earlier run marked stopped');
  }

  /** The session if the store knows it (ids are already validated and lowercase). */
  get(id: string): Session | undefined {
    const live = this.sessions.get(id);
    if (live) return live;
    const rec = this.store.get(id);
    return rec ? this.materialize(id, rec.folder) : undefined;
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

  list(): SessionInfo[] {
    return this.store.list().map((rec) => {
      const live = this.sessions.get(rec.id);
      if (live) return live.info();
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
        exit_code: rec.exit_code,
        exit_signal: rec.exit_signal,
        runs: rec.runs,
        cols: 0,
        rows: 0,
      };
    });
  }

  get runningCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.isRunning) n++;
    return n;
  }

  /** Stops every running session (in parallel) and releases them all. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.stop('server shutdown')));
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  private materialize(id: string, folder: string): Session {
    const session = new Session(id, folder, {
      store: this.store,
      log: this.log,
      launch: this.opts.launch,
      idleSec: this.opts.idleSec,
    });
    this.sessions.set(id, session);
    return session;
  }
}
