/**
 * Which viewers of a session hold its PTY paused while they catch up (terminal/viewer.ts,
 * HOLD_MS), and whether a new hold may be granted. Two bounds, so that viewers that do not
 * read (a phone asleep, or sockets opened to stall the session) cannot stall it for long:
 * after a hold ended without the viewer catching up (it ran out, or the viewer left), none is
 * granted for HOLD_COOLDOWN_MS; and all holds together may last HOLD_BUDGET_MS per
 * HOLD_WINDOW_MS, whatever their outcome.
 */

/** A hold lasts at most 300 ms (HOLD_MS): after one fails, at most 1% of the time goes to it. */
export const HOLD_COOLDOWN_MS = 30_000;
export const HOLD_WINDOW_MS = 30_000;
/**
 * 10% of the window. Pacing a reader a little slower than a flood took ~3% here (ten viewers
 * in one client process: holds of 10-30 ms, 50-65 ms per 2 s); a session stalled longer than
 * this is being stalled on purpose.
 */
export const HOLD_BUDGET_MS = 3_000;

/** What a hold pauses: the current run's PTY (PtyProcess.hold). */
export interface Holdable {
  hold(key: unknown, on: boolean): void;
}

export class HoldGate<K> {
  /** Holders and when each hold began. */
  private readonly holders = new Map<K, number>();
  private target: Holdable | null = null;
  private refuseUntil = 0;
  private windowStart = -Infinity;
  private heldInWindow = 0;

  constructor(
    /** Tells a holder its hold is gone without a release (the run ended or restarted). */
    private readonly dropped: (key: K) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The PTY of a new run, or null once it exited (holds were on that run's PTY). */
  setTarget(target: Holdable | null): void {
    for (const k of [...this.holders.keys()]) {
      this.end(k);
      this.target?.hold(k, false);
      this.dropped(k);
    }
    this.target = target;
  }

  /** True if granted: the target is paused until `release(key)`. */
  hold(key: K): boolean {
    const now = this.now();
    if (now >= this.windowStart + HOLD_WINDOW_MS) {
      this.windowStart = now;
      this.heldInWindow = 0;
    }
    if (!this.target || this.holders.has(key) || now < this.refuseUntil || this.heldInWindow >= HOLD_BUDGET_MS) return false;
    this.holders.set(key, now);
    this.target.hold(key, true);
    return true;
  }

  release(key: K, caughtUp: boolean): void {
    if (!this.holders.has(key)) return;
    this.end(key);
    if (!caughtUp) this.refuseUntil = this.now() + HOLD_COOLDOWN_MS;
    this.target?.hold(key, false);
  }

  get size(): number {
    return this.holders.size;
  }

  private end(key: K): void {
    this.heldInWindow += this.now() - (this.holders.get(key) ?? this.now());
    this.holders.delete(key);
  }
}
