/**
 * Which viewers of a session hold its PTY paused while they catch up (terminal/viewer.ts,
 * HOLD_MS), and whether a new hold may be granted. Two bounds, so that viewers that do not
 * read (a phone asleep, or sockets opened to stall the session) cannot stall it for long:
 * after a hold ended without the viewer catching up (it ran out, or the viewer left), none is
 * granted for HOLD_COOLDOWN_MS; and the time the PTY spends held is paid from a budget that
 * refills at HOLD_SHARE of the clock, up to HOLD_BURST_MS, whatever the holds' outcome.
 */

/** A hold lasts at most 300 ms (HOLD_MS): after one fails, at most 1% of the time goes to it. */
export const HOLD_COOLDOWN_MS = 30_000;
/**
 * 10% of the time, over any stretch longer than the burst. Pacing a reader a little slower
 * than a flood took ~3% here (ten viewers in one client process: holds of 10-30 ms, together
 * 50-65 ms per 2 s); a session held longer than this is being stalled on purpose.
 */
export const HOLD_SHARE = 0.1;
/** What may be spent at once (and what a session starts with): ten full holds. */
export const HOLD_BURST_MS = 3_000;

/** What a hold pauses: the current run's PTY (PtyProcess.hold). */
export interface Holdable {
  hold(key: unknown, on: boolean): void;
}

export class HoldGate<K> {
  private readonly holders = new Set<K>();
  private target: Holdable | null = null;
  private refuseUntil = 0;
  /** Budget left (ms of pause), as of `paidAt`. */
  private budget = HOLD_BURST_MS;
  private paidAt: number;
  /** When the PTY became held (the first holder), or null while it is not. */
  private heldSince: number | null = null;

  constructor(
    /** Tells a holder its hold is gone without a release (the run ended or restarted). */
    private readonly dropped: (key: K) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.paidAt = now();
  }

  /** The PTY of a new run, or null once it exited (holds were on that run's PTY). */
  setTarget(target: Holdable | null): void {
    for (const k of [...this.holders]) {
      this.holders.delete(k);
      this.target?.hold(k, false);
      this.dropped(k);
    }
    this.settle();
    this.target = target;
  }

  /** True if granted: the target is paused until `release(key)`. */
  hold(key: K): boolean {
    this.settle();
    if (!this.target || this.holders.has(key) || this.now() < this.refuseUntil || this.budget <= 0) return false;
    if (this.holders.size === 0) this.heldSince = this.now();
    this.holders.add(key);
    this.target.hold(key, true);
    return true;
  }

  release(key: K, caughtUp: boolean): void {
    if (!this.holders.delete(key)) return;
    if (!caughtUp) this.refuseUntil = this.now() + HOLD_COOLDOWN_MS;
    this.target?.hold(key, false);
    this.settle();
  }

  /**
   * Brings the budget up to now: refilled for the time passed, less the time the PTY was held
   * (wall-clock, however many held it together).
   */
  private settle(): void {
    const now = this.now();
    this.budget = Math.min(HOLD_BURST_MS, this.budget + (now - this.paidAt) * HOLD_SHARE);
    this.paidAt = now;
    if (this.heldSince !== null) {
      this.budget -= now - this.heldSince;
      this.heldSince = this.holders.size > 0 ? now : null;
    }
  }
}
