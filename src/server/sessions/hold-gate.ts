/**
 * Which viewers of a session hold its PTY paused while they catch up (terminal/viewer.ts,
 * HOLD_MS), and whether a new hold may be granted. After a hold ran out (the viewer did not
 * catch up), none is granted for HOLD_COOLDOWN_MS: a viewer that does not read (a phone
 * asleep, or many sockets opened to stall the session) costs one pause per window, not a
 * stalled session.
 */

/**
 * A hold lasts at most 300 ms (HOLD_MS), so after one runs out the session spends at most
 * 1% of its time waiting for viewers that do not read.
 */
export const HOLD_COOLDOWN_MS = 30_000;

/** What a hold pauses: the current run's PTY (PtyProcess.hold). */
export interface Holdable {
  hold(key: unknown, on: boolean): void;
}

export class HoldGate<K> {
  private readonly holders = new Set<K>();
  private target: Holdable | null = null;
  private refuseUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The PTY of a new run, or null once it exited (holds were on that run's PTY). */
  setTarget(target: Holdable | null): void {
    for (const k of this.holders) this.target?.hold(k, false);
    this.holders.clear();
    this.target = target;
  }

  /** True if granted: the target is paused until `release(key)`. */
  hold(key: K): boolean {
    if (!this.target || this.now() < this.refuseUntil) return false;
    this.holders.add(key);
    this.target.hold(key, true);
    return true;
  }

  release(key: K, caughtUp: boolean): void {
    if (!this.holders.delete(key)) return;
    if (!caughtUp) this.refuseUntil = this.now() + HOLD_COOLDOWN_MS;
    this.target?.hold(key, false);
  }

  get size(): number {
    return this.holders.size;
  }
}
