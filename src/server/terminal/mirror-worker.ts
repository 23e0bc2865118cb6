/**
 * A mirror worker thread: hosts the headless terminals of several sessions (mirror-pool.ts
 * says how many workers and why), parses their output off the main thread, and answers
 * snapshot / screen-lines / sync requests at their exact place in each session's stream.
 *
 * Order: each session's operations (output, resize, requests) are kept in one queue and handed
 * to xterm in that order. xterm's `write(data, cb)` calls `cb` right after `data` is parsed and
 * before the next write, so an empty write marks a point of the stream: a request answered from
 * its callback sees exactly what was written before it and nothing after.
 *
 * When: parsing is background work, done when the CPU is otherwise free. While this worker's
 * sessions together print faster than FLOOD_RATE (averaged over ~RATE_MS), their bytes wait
 * here, unparsed, and are parsed once the flood has died down — or at once for a session with a
 * request waiting behind them (a viewer joining, the screen reader), or one DEFER_BYTES behind
 * (then its parse runs alongside the flood; likewise all sessions past WORKER_DEFER_BYTES).
 * Ordinary output (a TUI redrawing, a build log) is far below that rate and is parsed as it
 * comes. Measured on the 2-core machine here: a parse running alongside a flood took the CPU
 * the PTY, the sockets and the viewers need (a flood reached its viewer at 0.4-0.6× the bare
 * pipe's speed). The rate is the worker's, not each session's: 50 sessions printing 0.6 MB/s
 * each are a flood for the machine as much as one printing 30 MB/s. The bytes waiting are
 * bounded by the main thread (mirror.ts LAG), which pauses the PTY past its limit.
 *
 * Where: the bytes wait here. A flood's big batches come in the main thread's few reusable
 * buffers: their bytes are copied out and the buffer goes straight back. Held there instead
 * (tried), a flood's 40 MB cost the main thread fresh memory for every PTY read (page faults,
 * garbage collections: +50% of its CPU); here that cost falls on this thread, off the output
 * path.
 *
 * xterm is given at most FEED_AHEAD bytes beyond what it has parsed (it refuses writes past
 * 50 MB pending), and parses each terminal in slices of ≤ 12 ms, so the sessions of one worker
 * take turns.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import { Op, Reply, type Batch, type FromWorkerItem, type WorkerInit, type WorkerMessage } from './mirror-protocol.js';
import { exposeGc, IdleCollector } from './idle-collect.js';
import { fastSerializeSupported, serializeTerminal } from './serialize.js';

/** Full reset first, so a snapshot replaces whatever the viewer's terminal showed. */
const RESET = '\x1bc';
/**
 * Output arriving faster than this (bytes/ms, i.e. 2 MB/s) is a flood: parsing waits. Claude
 * Code redrawing, or a busy build log, prints tens of KB/s; only bulk output (`cat`, a test
 * suite dumping logs, `yes`) goes past it.
 */
const FLOOD_RATE = 2_000;
/** Time constant of the output-rate average: a flood is over ~RATE_MS after its last bytes. */
const RATE_MS = 100;
/**
 * A session this far behind is parsed even while it floods: three quarters of mirror.ts's
 * pause limit (LAG.sessionHigh), so that a flood longer than that is being parsed before its
 * PTY is paused, and a shorter burst is not parsed until it is over.
 */
const DEFER_BYTES = 48 * 1024 * 1024;
/** All sessions of this worker together, likewise (three quarters of LAG.totalHigh). */
const WORKER_DEFER_BYTES = 96 * 1024 * 1024;
const FEED_AHEAD = 1024 * 1024;
/**
 * Progress is reported to the main thread every PROGRESS_BYTES (its pause limits are MiBs wide),
 * and when a session has caught up after at least CAUGHT_UP_BYTES or with its paste mode changed
 * (the main thread checks its own against it then). Not after every small parse: a keystroke's
 * echo would wake the main thread for nothing. (Answers to requests tell it the rest.)
 */
const PROGRESS_BYTES = 2 * 1024 * 1024;
const CAUGHT_UP_BYTES = 256 * 1024;

type Queued =
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'resize'; cols: number; rows: number }
  | { kind: 'request'; op: Op.Snapshot | Op.Lines | Op.Sync; req: number };

interface Hosted {
  sid: number;
  term: headless.Terminal;
  scrollback: number;
  /** Operations not handed to xterm yet, in order. */
  queue: Queued[];
  queuedBytes: number;
  /** Requests in `queue`: everything up to the last one is needed now. */
  requests: number;
  /** Bytes handed to xterm and not parsed yet. */
  inXterm: number;
  /** Bytes parsed so far, and as last reported (with the paste mode then). */
  parsed: number;
  reported: number;
  reportedPaste: boolean;
  closed: boolean;
  addon: serialize.SerializeAddon | null;
}

const port = parentPort;
if (!port) throw new Error('mirror-worker.js runs as a worker thread');
const init = workerData as WorkerInit;
lowerPriority(init.nice);

const hosted = new Map<number, Hosted>();
let queuedTotal = 0;
let recheck: NodeJS.Timeout | null = null;
let replies: FromWorkerItem[] = [];
let done: ArrayBuffer[] = [];
const progressed = new Set<Hosted>();
let flushScheduled = false;
let fast: boolean | null = null;
/** Bytes handed to xterm and not parsed yet, all terminals (closed ones too: they finish). */
let parsingTotal = 0;
/** Garbage this thread makes (copies, parsed lines, closed terminals) is collected once it is quiet. */
const collector = new IdleCollector(exposeGc(), () => queuedTotal > 0 || parsingTotal > 0);

function schedule(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

function flush(): void {
  flushScheduled = false;
  for (const h of progressed) {
    if (h.closed || h.parsed === h.reported) continue;
    const paste = h.term.modes.bracketedPasteMode;
    const caughtUp = h.queuedBytes === 0 && h.inXterm === 0;
    const due = h.parsed - h.reported >= PROGRESS_BYTES || (caughtUp && (h.parsed - h.reported >= CAUGHT_UP_BYTES || paste !== h.reportedPaste));
    if (!due) continue;
    h.reported = h.parsed;
    h.reportedPaste = paste;
    replies.push([Reply.Progress, h.sid, h.parsed, paste]);
  }
  progressed.clear();
  if (replies.length === 0 && done.length === 0) return;
  const out: WorkerMessage = { items: replies, buffers: done };
  replies = [];
  done = [];
  port!.postMessage(out, out.buffers);
}

function reply(item: FromWorkerItem): void {
  replies.push(item);
  schedule();
}

function serializeNow(h: Hosted): string {
  fast ??= fastSerializeSupported(h.term);
  if (fast) return RESET + serializeTerminal(h.term, h.scrollback);
  if (!h.addon) {
    h.addon = new serialize.SerializeAddon();
    h.term.loadAddon(h.addon);
  }
  return RESET + h.addon.serialize({ scrollback: h.scrollback });
}

function screenLines(term: headless.Terminal): string[] {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return lines;
}

/** This worker's recent output (all its sessions): about rate × RATE_MS while a rate holds. */
const incoming = { bytes: 0, at: 0 };

/** The recent output, decayed to `now`, with `n` bytes arriving now. */
function recent(now: number, n = 0): number {
  incoming.bytes = incoming.bytes * Math.exp(-(now - incoming.at) / RATE_MS) + n;
  incoming.at = now;
  return incoming.bytes;
}

/** Hands queued operations to xterm as far as the rules in the header allow. */
function pump(h: Hosted): void {
  while (h.queue.length > 0 && !h.closed) {
    const due =
      h.requests > 0 ||
      h.queuedBytes + h.inXterm >= DEFER_BYTES ||
      queuedTotal >= WORKER_DEFER_BYTES ||
      recent(performance.now()) < FLOOD_RATE * RATE_MS;
    if (!due) return armRecheck();
    if (h.inXterm >= FEED_AHEAD) return; // the next parse callback pumps again
    const item = h.queue.shift() as Queued;
    if (item.kind === 'data') {
      const n = item.bytes.length;
      h.queuedBytes -= n;
      queuedTotal -= n;
      h.inXterm += n;
      parsingTotal += n;
      h.term.write(item.bytes, () => {
        h.inXterm -= n;
        parsingTotal -= n;
        h.parsed += n;
        if (h.closed) return;
        progressed.add(h);
        schedule();
        pump(h);
      });
    } else if (item.kind === 'resize') {
      h.term.write('', () => {
        if (!h.closed && (item.cols !== h.term.cols || item.rows !== h.term.rows)) h.term.resize(item.cols, item.rows);
      });
    } else {
      h.requests--;
      const { op, req } = item;
      h.term.write('', () => {
        if (h.closed) return;
        if (op === Op.Snapshot) reply([Reply.Snapshot, h.sid, req, serializeNow(h)]);
        else if (op === Op.Lines) reply([Reply.Lines, h.sid, req, screenLines(h.term)]);
        else reply([Reply.Sync, h.sid, req]);
      });
    }
  }
}

/** Looks again at the deferred sessions a little later (their floods may have ended). */
function armRecheck(): void {
  if (recheck !== null) return;
  recheck = setTimeout(() => {
    recheck = null;
    for (const h of hosted.values()) if (h.queue.length > 0) pump(h);
  }, RATE_MS / 4);
}

port.on('message', (batch: Batch) => {
  let bytes: Uint8Array | null = null;
  if (batch.buf && batch.buf.byteLength === init.poolBytes) {
    // One of the main thread's few reusable buffers: it goes back at once, its bytes copied
    // here (see "Where" above).
    let used = 0;
    for (const op of batch.ops) if (op[0] === Op.Data) used = Math.max(used, op[2] + op[3]);
    bytes = new Uint8Array(batch.buf.slice(0, used));
    done.push(batch.buf);
    schedule();
  } else if (batch.buf) bytes = new Uint8Array(batch.buf); // a small batch's own buffer: ours
  const touched = new Set<Hosted>();
  const now = performance.now();
  for (const op of batch.ops) {
    if (op[0] === Op.Fail) {
      // Thrown from a later turn, as an exception in one of xterm's parse timers would be.
      setImmediate(() => {
        throw new Error('mirror worker failure (test)');
      });
      continue;
    }
    const sid = op[1];
    if (op[0] === Op.Open) {
      const [, , cols, rows, scrollback] = op;
      // logLevel off: xterm writes "Parsing error" for malformed sequences straight to stderr,
      // and any program can print those (a fuzzed one did, thousands of lines).
      const term = new headless.Terminal({ cols, rows, scrollback, allowProposedApi: true, logLevel: 'off' });
      hosted.set(sid, { sid, term, scrollback, queue: [], queuedBytes: 0, requests: 0, inXterm: 0, parsed: 0, reported: 0, reportedPaste: false, closed: false, addon: null });
      continue;
    }
    const h = hosted.get(sid);
    if (!h) continue;
    switch (op[0]) {
      case Op.Data: {
        const data = (bytes as Uint8Array).subarray(op[2], op[2] + op[3]);
        h.queue.push({ kind: 'data', bytes: data });
        h.queuedBytes += data.length;
        queuedTotal += data.length;
        collector.note(data.length);
        recent(now, data.length);
        break;
      }
      case Op.Resize:
        h.queue.push({ kind: 'resize', cols: op[2], rows: op[3] });
        break;
      case Op.Snapshot:
      case Op.Lines:
      case Op.Sync:
        h.queue.push({ kind: 'request', op: op[0], req: op[2] });
        h.requests++;
        break;
      case Op.Close:
        // What xterm has not been given is dropped; what it has is parsed, then it is disposed
        // (xterm cannot drop queued writes). Nothing is answered for a closed session.
        h.closed = true;
        collector.note(h.term.cols * (h.term.rows + h.scrollback) * 12); // its lines: 3 × 4 bytes a cell
        queuedTotal -= h.queuedBytes;
        h.queue = [];
        h.queuedBytes = 0;
        hosted.delete(sid);
        progressed.delete(h);
        h.term.write('', () => h.term.dispose());
        break;
    }
    touched.add(h);
  }
  for (const h of touched) pump(h);
});

/**
 * The serializer is a hot loop that V8 runs slowly until it is optimized: a first 10,000-line
 * snapshot took ~200 ms cold and ~20 ms warm here. Warm it on a throw-away terminal, a slice at
 * a time, once the worker has been idle a moment, so that requests wait at most one slice.
 */
function warmUp(rounds: number): void {
  if (rounds === 0) return;
  const term = new headless.Terminal({ cols: 120, rows: 40, scrollback: 500, allowProposedApi: true, logLevel: 'off' });
  let data = '';
  for (let i = 0; i < 540; i++) data += `\x1b[3${i % 8}m${i}\x1b[0m warm-up \x1b[1mline\x1b[0m 世界 ${'text '.repeat(i % 20)}\r\n`;
  term.write(data, () => {
    if (fastSerializeSupported(term)) for (let i = 0; i < 4; i++) serializeTerminal(term, 500);
    term.dispose();
    setTimeout(() => warmUp(rounds - 1), 20);
  });
}
setTimeout(() => warmUp(6), 500);

/**
 * Linux lets a thread have its own niceness (setpriority on its thread id); the mirror's
 * parsing then yields the CPU to the main thread, which carries keystrokes and output to
 * viewers (see mirror-pool.ts). Elsewhere this does nothing: setpriority would apply to the
 * whole process.
 */
function lowerPriority(nice: number): void {
  if (nice <= 0 || process.platform !== 'linux') return;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) os.setPriority(tid, nice);
  } catch {
    // no /proc, or not allowed: run at the process's priority
  }
}
