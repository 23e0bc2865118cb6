/**
 * The worker threads that parse every session's output for its mirror (DESIGN.md §8, §11).
 *
 * How many: one worker per spare core (cores − 1, at least 1, at most 4), each hosting the
 * headless terminals of many sessions; a session stays on the worker it was given (the one
 * with the fewest sessions). Not one worker per session: a worker is a V8 isolate (~10 MiB
 * and ~40 ms to start, measured here), so 50 sessions would cost ~500 MiB before any output,
 * and 50 threads on 2 cores only take turns anyway. Parsing is CPU-bound, so more workers than
 * spare cores buy nothing; the main thread keeps its core for the PTYs and the sockets.
 *
 * Priority: on Linux each worker thread runs at niceness WORKER_NICE. Parsing is background
 * work that may lag (up to the limits in mirror.ts); the main thread carries keystroke echo and
 * output to viewers and must not wait for it. Measured on the 2-core machine here: with the
 * parse at the same priority, a flood's parsing took the CPU the bare pipe needs (0.6-0.7× its
 * throughput, and echo latency under another session's flood rose with it).
 *
 * Batching: output for a worker is collected for up to FLUSH_MS, or FLUSH_BYTES, and posted as
 * one message whose bytes are one transferred ArrayBuffer (no copy on the way in, and a few
 * hundred messages for 40 MB instead of ~10,000 PTY reads). Requests (snapshot, screen lines,
 * sync, resize) go into the same ordered batch and flush it at once.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Op, Reply, type Batch, type ToWorkerOp, type WorkerInit, type WorkerMessage } from './mirror-protocol.js';

const WORKERS = Math.max(1, Math.min(4, os.availableParallelism() - 1));
const WORKER_NICE = 10;
const FLUSH_MS = 8;
const FLUSH_BYTES = 256 * 1024;
/**
 * Big batches (a flood) reuse their buffers: the worker copies the bytes out and sends each
 * reusable buffer back at once (mirror-worker.ts), so a handful circulate. A fresh buffer for
 * every big batch cost the main thread page faults and garbage collections during a flood.
 * Room for FLUSH_BYTES plus the chunk that crossed it (a PTY read is at most 64 KiB); at most
 * POOL kept. A batch under POOLED_MIN (keystroke echoes, a TUI's redraws) gets a buffer of its
 * own size, cheap to allocate, that needs no message back: one every FLUSH_MS would wake the
 * main thread for nothing while someone types.
 */
const BUFFER_BYTES = FLUSH_BYTES + 64 * 1024;
const POOLED_MIN = 64 * 1024;
const POOL = 16;

/** What the pool calls on the main-thread side of one hosted terminal. */
export interface PoolClient {
  /** Bytes parsed so far, and the mode as of that point. */
  onProgress(parsed: number, bracketedPaste: boolean): void;
  /** The answer to request `req` (its kind is the one asked for: answers come in order). */
  onReply(req: number, payload: string | string[] | null): void;
  /** The worker died: the terminal was re-opened empty; pending requests will not be answered. */
  onLost(): void;
}

/** How far all mirrors together are behind (the sum of their unparsed bytes). */
export const lag = { total: 0 };

class Slot {
  private worker!: Worker;
  readonly clients = new Map<number, { client: PoolClient; open: ToWorkerOp }>();
  private ops: ToWorkerOp[] = [];
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Requests not answered yet, per session (a closed session's are never answered). */
  private readonly waiting = new Map<number, number>();
  private ref = false;

  constructor(private readonly index: number) {
    this.start();
  }

  get size(): number {
    return this.clients.size;
  }

  private start(): void {
    const init: WorkerInit = { nice: WORKER_NICE, poolBytes: BUFFER_BYTES };
    const worker = new Worker(new URL('./mirror-worker.js', import.meta.url), { workerData: init });
    this.worker = worker;
    this.ref = false;
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (err) => this.onDeath(worker, err));
    worker.on('exit', (code) => this.onDeath(worker, new Error(`exit code ${code}`)));
    // Idle workers never keep the process alive (see `request`). After the listeners: Node refs
    // a worker's port again when its first 'message' listener is added.
    worker.unref();
  }

  private onDeath(worker: Worker, err: Error): void {
    if (worker !== this.worker) return;
    process.stderr.write(
      `${JSON.stringify({ level: 50, time: Date.now(), msg: 'mirror worker failed; its sessions start again from an empty screen', worker: this.index, err: err.message })}\n`,
    );
    this.ops = [];
    this.chunks = [];
    this.bytes = 0;
    this.waiting.clear();
    this.start();
    for (const { client, open } of this.clients.values()) {
      this.ops.push(open);
      client.onLost();
    }
    this.flush();
  }

  open(sid: number, client: PoolClient, cols: number, rows: number, scrollback: number): void {
    const open: ToWorkerOp = [Op.Open, sid, cols, rows, scrollback];
    this.clients.set(sid, { client, open });
    this.push(open);
  }

  close(sid: number): void {
    this.clients.delete(sid);
    this.waiting.delete(sid);
    this.push([Op.Close, sid]);
    this.flush();
    this.review();
  }

  data(sid: number, chunk: Uint8Array): void {
    const last = this.ops[this.ops.length - 1];
    // A session's consecutive chunks are one Data op: a flood's batch is one part to clone and
    // parse, not one per PTY read.
    if (last && last[0] === Op.Data && last[1] === sid) last[3] += chunk.length;
    else this.ops.push([Op.Data, sid, this.bytes, chunk.length]);
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else this.arm();
  }

  /** Re-open: after a resize the terminal's Open op must carry the size (for a rebuild). */
  resized(sid: number, cols: number, rows: number): void {
    const c = this.clients.get(sid);
    if (c) c.open = [Op.Open, sid, cols, rows, c.open[4] as number];
    this.push([Op.Resize, sid, cols, rows]);
  }

  /** A request that will be answered: sent at once, and the worker keeps the process alive until then. */
  request(op: [Op.Snapshot | Op.Lines | Op.Sync, number, number]): void {
    this.waiting.set(op[1], (this.waiting.get(op[1]) ?? 0) + 1);
    if (!this.ref) {
      this.ref = true;
      this.worker.ref();
    }
    this.ops.push(op);
    this.flush();
  }

  private push(op: ToWorkerOp): void {
    this.ops.push(op);
    this.arm();
  }

  private arm(): void {
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.ops.length === 0) return;
    let buf: ArrayBuffer | null = null;
    if (this.bytes > 0) {
      const pooled = this.bytes >= POOLED_MIN && this.bytes <= BUFFER_BYTES;
      buf = pooled ? (this.pool.pop() ?? new ArrayBuffer(BUFFER_BYTES)) : new ArrayBuffer(this.bytes);
      const view = Buffer.from(buf);
      let at = 0;
      for (const c of this.chunks) {
        view.set(c, at); // Buffer into Buffer: a memcpy
        at += c.length;
      }
    }
    const batch: Batch = { ops: this.ops, buf };
    this.ops = [];
    this.chunks = [];
    this.bytes = 0;
    this.worker.postMessage(batch, buf ? [buf] : []);
  }

  private readonly pool: ArrayBuffer[] = [];

  private onMessage(m: WorkerMessage): void {
    for (const b of m.buffers) if (b.byteLength === BUFFER_BYTES && this.pool.length < POOL) this.pool.push(b);
    let error: unknown = null;
    for (const item of m.items) {
      const c = this.clients.get(item[1]);
      try {
        if (item[0] === Reply.Progress) {
          c?.client.onProgress(item[2], item[3]);
          continue;
        }
        const w = (this.waiting.get(item[1]) ?? 1) - 1;
        if (w > 0) this.waiting.set(item[1], w);
        else this.waiting.delete(item[1]);
        c?.client.onReply(item[2], item[0] === Reply.Sync ? null : item[3]);
      } catch (err) {
        error ??= err; // every answer is delivered; the first error is thrown after
      }
    }
    this.review();
    if (error !== null) throw error;
  }

  /** @internal tests: the worker fails as if xterm had thrown. */
  fail(): void {
    this.worker.postMessage({ ops: [[Op.Fail]], buf: null } satisfies Batch);
  }

  /** Keeps the process alive only while an answer is awaited. */
  private review(): void {
    if (this.waiting.size === 0 && this.ref) {
      this.ref = false;
      this.worker.unref();
    }
  }
}

let slots: Slot[] | null = null;
let nextSid = 1;

/** A new session id on the least loaded worker (workers start on first use). */
export function assignSlot(): { slot: Slot; sid: number } {
  slots ??= Array.from({ length: WORKERS }, (_, i) => new Slot(i));
  let best = slots[0] as Slot;
  for (const s of slots) if (s.size < best.size) best = s;
  return { slot: best, sid: nextSid++ };
}

/** @internal tests: every worker fails once (see Slot.fail). */
export function failWorkersForTest(): void {
  for (const s of slots ?? []) s.fail();
}

export type { Slot };
