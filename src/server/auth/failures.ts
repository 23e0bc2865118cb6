/**
 * Failed credentials, counted per address and per kind of credential across all addresses.
 * Only failures are counted and only they are refused with 429: a correct credential always
 * passes (it is checked first), so someone guessing from the owner's own address, or from
 * a thousand addresses of 127/8, can neither lock the owner out nor, by spreading out, guess
 * faster than the per-kind limit lets everyone together.
 */

/** How a secret was offered; each is limited on its own. */
export type CredentialKind = 'bearer' | 'prefix' | 'link' | 'form';

/** Failures per address and window before its failed requests are answered 429. */
const PER_ADDRESS = 10;
/**
 * Failures of one kind from all addresses together per window. Legitimate failures are rare
 * (a stale bookmark, a rotated token); 60 a minute is far above them and far below a spray.
 */
const PER_KIND = 60;
const WINDOW_MS = 60_000;
/** Addresses tracked at most (a spray over many addresses cannot grow memory). */
const MAX_TRACKED = 10_000;

class Window {
  private times: number[] = [];

  add(now: number): void {
    this.prune(now);
    this.times.push(now);
  }

  count(now: number): number {
    this.prune(now);
    return this.times.length;
  }

  private prune(now: number): void {
    while (this.times.length > 0 && (this.times[0] as number) <= now - WINDOW_MS) this.times.shift();
  }
}

export class FailureLimiter {
  private readonly byAddress = new Map<string, Window>();
  private readonly byKind = new Map<CredentialKind, Window>();

  note(address: string, kind: CredentialKind, now = Date.now()): void {
    let w = this.byAddress.get(address);
    if (!w) {
      if (this.byAddress.size >= MAX_TRACKED) this.byAddress.delete(this.byAddress.keys().next().value as string);
      w = new Window();
      this.byAddress.set(address, w);
    }
    w.add(now);
    let k = this.byKind.get(kind);
    if (!k) this.byKind.set(kind, (k = new Window()));
    k.add(now);
  }

  /** A failed request from here, of this kind, is answered 429 (its credential was still checked). */
  limited(address: string, kind: CredentialKind, now = Date.now()): boolean {
    return (this.byAddress.get(address)?.count(now) ?? 0) >= PER_ADDRESS || (this.byKind.get(kind)?.count(now) ?? 0) >= PER_KIND;
  }
}
