/**
 * Keeps the latest reading of Claude Code's screen: reads it (throttled) when output arrives,
 * tells a listener each reading, and lets callers wait until the screen shows something. One
 * read at a time, one poll timer however many wait: reads never multiply.
 */
import { readScreen, type ScreenReading } from './screen.js';

/** Screen reads at most this often while output flows (trailing, so the last frame is read). */
export const SCREEN_THROTTLE_MS = 80;
/** While someone waits, the screen is read at least this often even without output. */
const POLL_MS = 60;

export interface ScreenSource {
  /** Calls back with the visible lines once everything printed so far is parsed. */
  readScreenLines(cb: (lines: string[]) => void): void;
}

interface Waiter {
  cond: (r: ScreenReading) => boolean;
  resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout;
}

export class ScreenWatch {
  reading: ScreenReading = { kind: 'unknown', dialog: null, box: null };
  /** When the screen last changed what it shows (kind, or the dialog's content). */
  since = Date.now();
  /** Which dialog is showing ('' when none): its kind, question and options. */
  signature = '';
  private lastRead = 0;
  private readTimer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private readAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  constructor(
    private readonly source: ScreenSource,
    private readonly onReading: (r: ScreenReading, changed: boolean) => void,
  ) {}

  /** New output: read the screen soon (throttled, trailing). */
  poke(): void {
    if (this.closed || this.readTimer) return;
    const wait = Math.max(0, this.lastRead + SCREEN_THROTTLE_MS - Date.now());
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      this.read();
    }, wait);
  }

  /** Reads now (one read at a time; a request during a read reads once more after it). */
  read(): void {
    if (this.closed) return;
    if (this.inFlight) {
      this.readAgain = true;
      return;
    }
    this.inFlight = true;
    this.source.readScreenLines((lines) => {
      this.inFlight = false;
      if (this.closed) return;
      this.lastRead = Date.now();
      const r = readScreen(lines);
      const sig = signatureOf(r);
      const changed = r.kind !== this.reading.kind || sig !== this.signature;
      if (changed) this.since = Date.now();
      this.reading = r;
      this.signature = sig;
      for (const w of [...this.waiters]) if (w.cond(r)) this.settle(w, true);
      this.onReading(r, changed);
      if (this.readAgain) {
        this.readAgain = false;
        this.read();
      }
    });
  }

  /** The next reading taken from now on (a fresh look at the screen), or the last after 2 s. */
  fresh(): Promise<ScreenReading> {
    let skip = true; // the reading already taken does not count
    const p = this.waitFor(() => (skip ? (skip = false) : true), 2000).then(() => this.reading);
    this.read();
    return p;
  }

  /** Resolves true once a reading satisfies `cond` (the current one counts), false after `ms`. */
  waitFor(cond: (r: ScreenReading) => boolean, ms: number): Promise<boolean> {
    if (cond(this.reading)) return Promise.resolve(true); // the current reading counts
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = { cond, resolve, timer: setTimeout(() => this.settle(w, false), ms) };
      this.waiters.add(w);
      this.poll();
    });
  }

  close(): void {
    this.closed = true;
    if (this.readTimer) clearTimeout(this.readTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.readTimer = null;
    this.pollTimer = null;
    for (const w of [...this.waiters]) this.settle(w, false);
  }

  private settle(w: Waiter, ok: boolean): void {
    if (!this.waiters.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(ok);
  }

  /** One poll loop while anyone waits: a quiet screen (no output, no read) is still re-read. */
  private poll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      if (this.waiters.size === 0) return;
      this.read();
      this.poll();
    }, POLL_MS);
  }
}

function signatureOf(r: ScreenReading): string {
  const d = r.dialog;
  return d ? `${r.kind}\u0000${d.kind}\u0000${d.question}\u0000${d.options.join('\u0001')}` : '';
}
