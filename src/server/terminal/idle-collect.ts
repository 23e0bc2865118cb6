/**
 * A full garbage collection once a mirror worker has gone quiet after heavy work.
 *
 * V8 collects when a thread allocates, not when it stops: after the benchmark's floods a
 * mirror worker held ~320 MiB of dead objects and buffers (copies of output, closed terminals'
 * lines) for as long as it stayed idle (40 s and more, measured here). Collected, the server's
 * RSS fell by ~40 MiB (436 → 395 MiB); the rest stays with the C allocator, free for the next
 * flood instead of new memory. (Forking each new session's process costs more the bigger the
 * server is: node-pty forks it.)
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** Quiet this long first: a collection then never competes with work (a flood, a join). */
export const IDLE_COLLECT_MS = 5_000;
/**
 * Worth a collection (a full one pauses the worker ~50-150 ms here): a few 40 MB floods' worth
 * of copies, or a few closed full-scrollback terminals (~3 MiB each).
 */
export const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;

/**
 * V8's `gc()`, or null where it cannot be had. `--expose-gc` is a V8 flag that only decides
 * whether new contexts get a `gc` function (the `expose-gc` package does the same); set at
 * run time, it makes the next context have one, and changes nothing else.
 */
export function exposeGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export class IdleCollector {
  private work = 0;
  private lastWorkAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly gc: (() => void) | null,
    /** True while something is still queued or parsing (never collect under it). */
    private readonly busy: () => boolean,
    private readonly idleMs = IDLE_COLLECT_MS,
    private readonly afterBytes = COLLECT_AFTER_BYTES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Work that leaves garbage: `bytes` copied, parsed, or freed. */
  note(bytes: number): void {
    if (this.gc === null) return;
    this.work += bytes;
    this.lastWorkAt = this.now();
    if (this.work >= this.afterBytes) this.arm(this.idleMs);
  }

  private arm(ms: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const quietFor = this.now() - this.lastWorkAt;
      if (quietFor < this.idleMs) return this.arm(this.idleMs - quietFor);
      if (this.busy()) return this.arm(this.idleMs);
      this.work = 0;
      this.gc?.();
    }, ms);
    this.timer.unref();
  }
}
