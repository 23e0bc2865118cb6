/**
 * What a session's runs leave for the dashboard (store/notes.ts), kept out of Session: the
 * first prompt, Claude Code's title, how each run ended with its last lines, and the count of
 * runs in a row that crashed at start (from QUICK_EXITS_BLOCK on, input does not restart it).
 */
import { EXIT_TAIL_LINES, QUICK_EXIT_MS, QUICK_EXITS_BLOCK } from '../../shared/session-info.js';
import type { SessionStore } from '../store/store.js';
import { exitReason, lastLines } from './exit-note.js';

export class RunNotes {
  /** When the current run started: a run that ends by itself sooner than QUICK_EXIT_MS crashed at start. */
  private startedAt = 0;
  /** Why the server is stopping the current run; null while it may still end by itself. */
  private stopReason: string | null = null;
  private quick: number;
  private firstPromptKnown: boolean;
  private aiTitle: string | null;

  constructor(
    private readonly id: string,
    private readonly store: SessionStore,
    /** A store write that must not throw out of a timer or callback. */
    private readonly record: (write: () => void) => void,
  ) {
    const note = store.notes.get(id);
    this.quick = note?.quick_exits ?? 0;
    this.firstPromptKnown = !!note?.first_prompt;
    this.aiTitle = note?.ai_title ?? null;
  }

  /** Runs in a row that ended by themselves within QUICK_EXIT_MS of starting. */
  get quickExits(): number {
    return this.quick;
  }

  /** Input must not restart the session (it keeps crashing at start); create_session still may. */
  get blocksRestart(): boolean {
    return this.quick >= QUICK_EXITS_BLOCK;
  }

  started(now = Date.now()): void {
    this.startedAt = now;
    this.stopReason = null;
  }

  /** The server stops the run (idle timeout, the API, shutdown): its end is not a crash. */
  stopping(reason: string): void {
    this.stopReason = reason;
  }

  prompt(text: string): void {
    if (this.firstPromptKnown || !text.trim()) return;
    this.firstPromptKnown = true;
    this.record(() => this.store.notes.noteFirstPrompt(this.id, text));
  }

  title(title: string): void {
    if (title === this.aiTitle) return;
    this.aiTitle = title;
    this.record(() => this.store.notes.setAiTitle(this.id, title));
  }

  /**
   * The run ended: counts a crash at start, and keeps why and (once `readScreen` answers, after
   * everything printed is parsed) its last lines.
   */
  exited(exitCode: number, signal: string | null, readScreen: (cb: (lines: string[]) => void) => void, now = Date.now()): void {
    const ranMs = now - this.startedAt;
    if (this.stopReason === null && ranMs < QUICK_EXIT_MS) this.quick++;
    else if (ranMs >= QUICK_EXIT_MS) this.quick = 0;
    const reason = exitReason({ ranMs, stopReason: this.stopReason, exitCode, signal, quickExits: this.quick });
    const quick = this.quick;
    this.record(() => this.store.notes.noteExit(this.id, reason, null, quick));
    readScreen((lines) => {
      if (!this.store.get(this.id)) return; // deleted meanwhile
      this.record(() => this.store.notes.noteExit(this.id, reason, lastLines(lines, EXIT_TAIL_LINES), quick));
    });
  }
}
