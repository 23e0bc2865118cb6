/**
 * Input to a PTY master, written on this thread, in order. Used instead of node-pty's writer:
 *
 * - node-pty writes with `fs.write`, through libuv's thread pool: a hand-off to another thread
 *   and back for every keystroke, on the echo's path (~20 µs of a ~60 µs PTY round trip here).
 * - node-pty keeps writing, from that pool, after it has closed the master (it does before it
 *   reports the exit), and the number may belong to another session's terminal by then: a
 *   paste still queued was typed into whatever took the number (reproduced: ~88 KB landed in
 *   a file). Here every write is on the thread that closes the master, after a check that it
 *   is still open.
 *
 * The master is non-blocking: what the terminal does not take now waits here and is retried
 * every RETRY_MS while the program reads, backing off to RETRY_MAX_MS while it takes nothing
 * (node-pty retries on every turn of the event loop, spinning while a program does not read).
 */
import fs from 'node:fs';

/** Retry this soon while the program reads (a paste flows at ~14 MB/s here: ~14 KB a try). */
const RETRY_MS = 1;
/** At most this long while it takes nothing: a stuck program costs ~60 failed syscalls a second. */
const RETRY_MAX_MS = 16;

export class InputWriter {
  private queue: Buffer[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_MS;

  constructor(
    private readonly fd: number,
    /** True once the master is closed: nothing may be written to its number any more. */
    private readonly closed: () => boolean,
  ) {}

  /** Bytes given to `write` that the terminal has not taken yet. */
  get pending(): number {
    return this.queued;
  }

  write(bytes: Buffer): void {
    if (bytes.length === 0 || this.closed()) return;
    if (this.queue.length > 0) {
      this.queue.push(Buffer.from(bytes)); // ours: a caller may reuse its buffer
      this.queued += bytes.length;
      return;
    }
    const taken = this.tryWrite(bytes);
    if (taken < bytes.length) {
      this.queue.push(Buffer.from(bytes.subarray(taken))); // ours, likewise
      this.queued += bytes.length - taken;
      this.retryMs = RETRY_MS;
      this.arm();
    }
  }

  /** Drops what waits (the program is gone). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.queued = 0;
  }

  /**
   * Bytes the terminal took now: 0 when it is full (EAGAIN) or on any passing error (tried
   * again later); all of them, with everything waiting dropped, when the terminal is gone
   * (EIO, EBADF: its exit is on its way).
   */
  private tryWrite(bytes: Buffer): number {
    try {
      return fs.writeSync(this.fd, bytes);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EIO' && code !== 'EBADF') return 0;
      this.clear();
      return bytes.length;
    }
  }

  private arm(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.drain();
    }, this.retryMs);
  }

  private drain(): void {
    if (this.closed()) return this.clear();
    while (this.queue.length > 0) {
      const head = this.queue[0] as Buffer;
      const taken = this.tryWrite(head);
      if (this.queue.length === 0) return; // cleared on an error
      this.queued -= taken;
      if (taken < head.length) {
        this.queue[0] = head.subarray(taken);
        this.retryMs = taken > 0 ? RETRY_MS : Math.min(this.retryMs * 2, RETRY_MAX_MS);
        return this.arm();
      }
      this.queue.shift();
    }
  }
}
