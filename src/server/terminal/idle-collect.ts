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

/** A window this long with little output and nothing queued or parsing is "quiet". */
export const IDLE_COLLECT_MS = 5_000;
/**
 * Worth a collection (a full one pauses the worker ~50-150 ms here): a few 40 MB floods' worth
 * of copies, or a few closed full-scrollback terminals (~3 MiB each).
 */
export const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;
/**
 * Output in a window that still counts as quiet: far above a TUI's redraws (Claude Code's
 * spinner and status line print tens of KB/s), far below a flood. Requiring none at all would
 * let one session's clock or spinner put the collection off for ever.
 */
export const QUIET_BYTES = 1024 * 1024;

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

/** Runs `fn` once after `ms` (tests pass their own). The default never keeps the thread alive. */
export type SetTimer = (fn: () => void, ms: number) => void;
const unrefTimer: SetTimer = (fn, ms) => void setTimeout(fn, ms).unref();

/**
 * Once COLLECT_AFTER_BYTES of work have been noted, waits for a quiet window of IDLE_COLLECT_MS
 * (under QUIET_BYTES noted, nothing busy at its end), then collects once.
 */
export class IdleCollector {
  private work = 0;
  private inWindow = 0;
  private armed = false;

  constructor(
    private readonly gc: (() => void) | null,
    /** True while something is queued or parsing (never collect under it). */
    private readonly busy: () => boolean,
    private readonly setTimer: SetTimer = unrefTimer,
    private readonly idleMs = IDLE_COLLECT_MS,
    private readonly afterBytes = COLLECT_AFTER_BYTES,
    private readonly quietBytes = QUIET_BYTES,
  ) {}

  /** Work that leaves garbage: `bytes` copied, parsed, or freed. */
  note(bytes: number): void {
    if (this.gc === null) return;
    this.work += bytes;
    this.inWindow += bytes;
    if (this.work >= this.afterBytes) this.arm();
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.inWindow = 0;
    this.setTimer(() => {
      this.armed = false;
      if (this.inWindow >= this.quietBytes || this.busy()) return this.arm(); // not quiet: the next window
      this.work = 0;
      this.gc?.();
    }, this.idleMs);
  }
}
