/**
 * Joins a flood's PTY reads into fewer, bigger chunks. A PTY read returns at most ~4 KiB, so
 * a flood arrives as thousands of reads a second, and every one became a frame and a `writev`
 * for each viewer. With ten viewers of one flood, those per-frame costs (the server's syscalls,
 * each client's message events) were the larger part of the CPU on the 2-core machine here:
 * joining them gave 10 viewers ~0.9-1.2× the bare pipe's rate, against 0.6-0.75× without.
 *
 * Only bursts are joined: a chunk is held back only when it follows the previous one within
 * GAP_MS and is at least MIN_BYTES (or others are already held, to keep the order). A
 * keystroke's echo, a prompt redrawn, anything that comes alone, goes out at once. Held bytes
 * go out once MAX_BYTES are held or MAX_MS after the first, whichever comes first, or at
 * `flush()` (before a message that must not overtake them, and before the exit is reported).
 * VS Code's pty host does the same with a fixed 5 ms for every chunk.
 */

/** Reads this close together are a burst: a 25 MB/s flood's come ~0.2 ms apart here. */
const GAP_MS = 1;
/** Smaller chunks are never held (echoes, a redraw's pieces): latency matters more there. */
const MIN_BYTES = 1024;
/** A joined chunk this big goes out at once: 16 full reads, 1/16 of the frames. */
const MAX_BYTES = 64 * 1024;
/** The longest a byte waits: well under a frame of a 60 Hz display. */
const MAX_MS = 2;

export class OutputJoiner {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastAt = -Infinity;

  constructor(
    private readonly deliver: (chunk: Buffer) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  push(chunk: Buffer): void {
    const now = this.clock();
    const burst = now - this.lastAt < GAP_MS && chunk.length >= MIN_BYTES;
    this.lastAt = now;
    if (this.held.length === 0 && !burst) return this.deliver(chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= MAX_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), MAX_MS);
  }

  /** Delivers what is held, now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.held.length === 0) return;
    const chunk = this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    this.deliver(chunk);
  }
}
