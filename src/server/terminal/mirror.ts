/**
 * A headless terminal that parses every byte a session prints, watched or not, so that any
 * viewer can be given the current screen (with scrollback) on attach or after falling behind.
 *
 * The parsing runs in a worker thread (mirror-pool.ts, mirror-worker.ts): `write` only hands
 * the bytes over, so output to viewers never waits for the parse. This object is the session's
 * handle on it, and keeps the guarantees of a terminal parsed in place:
 * - `snapshot(cb)`, `readScreenLines(cb)`, `whenParsed(cb)` and `resize` take their place in
 *   the stream: each sees exactly what was written before the call, nothing after;
 * - `bracketedPaste`, `cols` and `rows` are synchronous and current (the paste mode is followed
 *   here by a small scanner, paste-mode.ts, not by the worker, which may be behind);
 * - the PTY is paused only when the mirror is far behind (LAG below);
 * - a worker that fails (an exception in xterm) is replaced, and each of its terminals is
 *   rebuilt from its session's recent output (REBUILD_BYTES); requests waiting are answered
 *   from the rebuilt screen. The session, and every other one, goes on.
 */
import zlib from 'node:zlib';
import { assignSlot, lag as poolLag, type PoolClient, type Slot } from './mirror-pool.js';
import { Op, Reply } from './mirror-protocol.js';
import { EscapeBounds } from '../../shared/escape-bounds.js';
import { PasteModeTracker } from './paste-mode.js';

/** Lines kept above the screen, by default (`--scrollback`): ≤ 8 MiB a session (DESIGN.md §11). */
export const DEFAULT_SCROLLBACK = 2000;

const MiB = 1024 * 1024;
/**
 * How far a mirror may be behind its PTY (bytes written, not yet parsed) before the PTY is
 * paused, i.e. how much output may wait in memory for the parser. The worker parses when a
 * flood pauses (mirror-worker.ts), so a burst up to `sessionHigh` (a big `cat`, a test run's
 * logs: tens of MB) reaches viewers at the pipe's speed and is parsed right after it; a longer
 * flood runs at the parser's pace (~40 MB/s a core here at 2,000 lines of scrollback). All
 * sessions together may be `totalHigh` behind (a burst in many sessions at once); a session
 * less than `floor` behind is never paused for the others'. Resumed below the low marks
 * (hysteresis: a pause lets the parser catch up for real). These bytes are the only memory a
 * flood costs beyond the steady state (at most `totalHigh`, reported as peak RSS by `npm run
 * bench`); they are freed as they are parsed. The price of a wide bound: a viewer joining a
 * session in the middle of a flood waits for its backlog to be parsed (~1.5 s for 64 MiB here).
 * Mutable for tests only.
 */
export const LAG = {
  sessionHigh: 64 * MiB,
  sessionLow: 32 * MiB,
  totalHigh: 128 * MiB,
  totalLow: 96 * MiB,
  floor: 1 * MiB,
};

/**
 * Output kept to rebuild a terminal whose worker failed: enough for a full-screen program's
 * last redraws (Claude Code redraws its whole screen in a few KiB) and a shell's last pages,
 * bounded so that it stays a small part of a session's memory (≤ 8 MiB, DESIGN.md §11).
 */
const REBUILD_BYTES = 256 * 1024;
/** A terminal rebuilt again this soon after its last rebuild starts empty (its own output may be what kills the worker). */
const REBUILD_AGAIN_MS = 10_000;

/** The snapshot of a terminal nothing was written to (checked in mirror.test.ts). */
const EMPTY_SCREEN = '\x1bc';

export interface MirrorBackpressure {
  pause(): void;
  resume(): void;
}

/** A request waiting for its answer; `written`: bytes written before it (all parsed when it is answered). */
type Pending =
  | { kind: Reply.Snapshot; req: number; written: number; at: number; cbs: Array<(text: string) => void> }
  | { kind: Reply.Lines; req: number; written: number; cb: (lines: string[]) => void }
  | { kind: Reply.Sync; req: number; written: number; cb: () => void };

/** Paused mirrors, checked when any parse progresses (the total lag falls with any of them). */
const paused = new Set<TerminalMirror>();

function reviewPaused(): void {
  for (const m of paused) m.maybeResume();
}

export class TerminalMirror implements PoolClient {
  private readonly bounds = new EscapeBounds();
  private slot: Slot;
  private sid: number;
  /** The screen, deflated, while the terminal is compacted (its worker terminal closed); see compact(). */
  private compacted: Buffer | null = null;
  private readonly paste = new PasteModeTracker();
  private _cols: number;
  private _rows: number;
  private written = 0;
  private parsed = 0;
  /** `written` when the worker's terminal was (re)opened, less what was replayed into it: the worker counts from there. */
  private base = 0;
  private recent: Uint8Array[] = [];
  private recentBytes = 0;
  private rebuiltAt = -Infinity;
  /** Bumped by every write and resize: two snapshot requests with the same epoch see the same screen. */
  private epoch = 0;
  private nextReq = 1;
  private pending: Pending[] = [];
  private backpressure: MirrorBackpressure | null = null;
  private isPaused = false;
  private disposed = false;

  constructor(cols: number, rows: number, readonly scrollback: number = DEFAULT_SCROLLBACK) {
    this._cols = clampCols(cols);
    this._rows = clampRows(rows);
    const { slot, sid } = assignSlot();
    this.slot = slot;
    this.sid = sid;
    slot.open(sid, this, this._cols, this._rows, scrollback);
  }

  get cols(): number {
    return this._cols;
  }

  get rows(): number {
    return this._rows;
  }

  /** The bracketed-paste mode as of everything written so far. */
  get bracketedPaste(): boolean {
    return this.paste.bracketedPaste;
  }

  /** Bytes written but not parsed yet. */
  get unparsedBytes(): number {
    return this.written - this.parsed;
  }

  /** Whom to pause when parsing falls far behind (the current PTY); null detaches. */
  setBackpressure(target: MirrorBackpressure | null): void {
    if (this.isPaused) {
      this.isPaused = false;
      paused.delete(this);
      this.backpressure?.resume();
    }
    this.backpressure = target;
  }

  write(output: Uint8Array): void {
    if (this.disposed || output.length === 0) return;
    this.reopen();
    // What one escape sequence may cost is bounded before anything parses it (huge REP counts
    // froze or killed the server); ordinary output passes through as the same chunk.
    const chunk = this.bounds.filter(output);
    const n = chunk.length;
    this.written += n;
    poolLag.total += n;
    this.epoch++;
    this.paste.write(chunk);
    this.slot.data(this.sid, chunk);
    this.keep(chunk);
    if (!this.isPaused && this.backpressure && this.tooFarBehind()) {
      this.isPaused = true;
      paused.add(this);
      this.backpressure.pause();
    }
  }

  /** Keeps the last REBUILD_BYTES of output (whole chunks; a PTY read is ≤ 64 KiB). */
  private keep(chunk: Uint8Array): void {
    this.recent.push(chunk);
    this.recentBytes += chunk.length;
    while (this.recent.length > 1 && this.recentBytes - (this.recent[0] as Uint8Array).length >= REBUILD_BYTES) {
      this.recentBytes -= (this.recent.shift() as Uint8Array).length;
    }
  }

  private tooFarBehind(): boolean {
    const behind = this.written - this.parsed;
    return behind > LAG.sessionHigh || (poolLag.total > LAG.totalHigh && behind > LAG.floor);
  }

  /** @internal called by the pool's progress handling */
  maybeResume(): void {
    const behind = this.written - this.parsed;
    if (!this.isPaused || behind > LAG.sessionLow || (poolLag.total > LAG.totalLow && behind > LAG.floor)) return;
    this.isPaused = false;
    paused.delete(this);
    this.backpressure?.resume();
  }

  /** Resizes after everything written so far (the bytes before were drawn for the old size). */
  resize(cols: number, rows: number): void {
    const c = clampCols(cols);
    const r = clampRows(rows);
    if (this.disposed || (c === this._cols && r === this._rows)) return;
    this.reopen();
    this._cols = c;
    this._rows = r;
    this.epoch++;
    this.slot.resized(this.sid, c, r);
  }

  /**
   * Calls `cb` with the screen as it stands after everything written so far, and before
   * anything written later. That is what lets a viewer join with no byte lost or repeated.
   * Requests at the same point (viewers joining together) share one serialization.
   */
  snapshot(cb: (text: string) => void): void {
    if (this.disposed) return;
    if (this.written === 0 && this.pending.length === 0) {
      // Nothing printed yet (a new session): the screen is empty, whatever its size. Answered
      // here, without the worker's round trip: the first viewer of a new session gets the
      // program's first bytes as soon as they come.
      queueMicrotask(() => {
        if (!this.disposed) cb(EMPTY_SCREEN);
      });
      return;
    }
    this.reopen();
    const last = this.pending[this.pending.length - 1];
    if (last && last.kind === Reply.Snapshot && last.at === this.epoch) {
      last.cbs.push(cb);
      return;
    }
    const req = this.nextReq++;
    this.pending.push({ kind: Reply.Snapshot, req, written: this.written, at: this.epoch, cbs: [cb] });
    this.slot.request([Op.Snapshot, this.sid, req]);
  }

  /** Runs `cb` once everything written so far has been parsed. */
  whenParsed(cb: () => void): void {
    if (this.disposed) return;
    this.reopen();
    const req = this.nextReq++;
    this.pending.push({ kind: Reply.Sync, req, written: this.written, cb });
    this.slot.request([Op.Sync, this.sid, req]);
  }

  /** Calls `cb` with the visible lines once everything written so far is parsed. */
  readScreenLines(cb: (lines: string[]) => void): void {
    if (this.disposed) return;
    this.reopen();
    const req = this.nextReq++;
    this.pending.push({ kind: Reply.Lines, req, written: this.written, cb });
    this.slot.request([Op.Lines, this.sid, req]);
  }

  /** @internal */
  onProgress(workerParsed: number, bracketedPaste: boolean | null): void {
    const parsed = this.base + workerParsed;
    if (this.disposed || parsed <= this.parsed) return;
    poolLag.total -= parsed - this.parsed;
    this.parsed = parsed;
    // The worker has parsed everything written: its mode is the truth (see paste-mode.ts).
    if (bracketedPaste !== null && parsed === this.written && this.paste.idle) this.paste.resync(bracketedPaste);
    if (paused.size > 0) reviewPaused();
  }

  /** @internal */
  onReply(req: number, payload: string | string[] | null): void {
    const head = this.pending[0];
    if (!head || head.req !== req) return; // answers come in order; anything else is stale
    this.pending.shift();
    this.onProgress(head.written - this.base, null); // everything written before the request is parsed
    if (head.kind === Reply.Snapshot) {
      let error: unknown = null;
      for (const cb of head.cbs) {
        try {
          cb(payload as string);
        } catch (err) {
          error ??= err;
        }
      }
      if (error !== null) throw error;
    } else if (head.kind === Reply.Lines) head.cb(payload as string[]);
    else head.cb();
  }

  /**
   * @internal The worker died and this terminal was re-opened empty (the Open is queued):
   * replay the recent output into it, then ask again what was waiting, in order, so that it
   * is answered from the rebuilt screen. Once only within REBUILD_AGAIN_MS: if this output is
   * what kills the worker, the terminal starts empty the second time.
   */
  onLost(): void {
    const now = performance.now();
    const replay = now - this.rebuiltAt < REBUILD_AGAIN_MS ? [] : this.recent;
    this.rebuiltAt = now;
    const replayed = replay.reduce((n, c) => n + c.length, 0);
    // What was not parsed is parsed again from the replay (or dropped): the lag starts over.
    poolLag.total -= this.written - this.parsed;
    this.parsed = this.written;
    this.base = this.written - replayed;
    if (replay !== this.recent) {
      this.recent = [];
      this.recentBytes = 0;
    }
    this.epoch++;
    for (const c of replay) this.slot.data(this.sid, c);
    for (const p of this.pending) {
      const op = p.kind === Reply.Snapshot ? Op.Snapshot : p.kind === Reply.Lines ? Op.Lines : Op.Sync;
      this.slot.request([op, this.sid, p.req]);
    }
    reviewPaused();
  }

  /**
   * Keeps the screen (with its scrollback) as a deflated snapshot and closes the live terminal:
   * for a session that is stopped and watched by nobody, whose screen only a later viewer or
   * run needs. A live terminal with a full 2,000-line scrollback holds ~3 MiB; its snapshot,
   * deflated, tens of KiB. The next use (a write, a resize, a request) reopens a terminal from
   * it first, in order. Nothing happens if the mirror is used again before the snapshot is taken.
   */
  compact(): void {
    if (this.disposed || this.compacted || this.written === 0) return;
    const at = this.epoch;
    this.snapshot((text) => {
      if (this.disposed || this.compacted || this.epoch !== at || this.pending.length > 0) return;
      this.compacted = zlib.deflateRawSync(Buffer.from(text));
      this.slot.close(this.sid);
      this.recent = [];
      this.recentBytes = 0;
    });
  }

  /** True while the screen is kept compacted (tests, and the bench's memory figures). */
  get isCompact(): boolean {
    return this.compacted !== null;
  }

  /** A compacted terminal comes back: a new worker terminal that is given the snapshot first. */
  private reopen(): void {
    const kept = this.compacted;
    if (!kept) return;
    this.compacted = null;
    const screen = zlib.inflateRawSync(kept);
    const { slot, sid } = assignSlot();
    this.slot = slot;
    this.sid = sid;
    slot.open(sid, this, this._cols, this._rows, this.scrollback);
    // Everything was parsed when it was compacted: the worker counts the snapshot from here.
    this.base = this.written - screen.length;
    this.epoch++;
    slot.data(sid, screen);
    this.keep(screen);
  }

  dispose(): void {
    if (this.disposed) return;
    this.setBackpressure(null);
    poolLag.total -= this.written - this.parsed;
    this.disposed = true;
    this.pending = [];
    if (this.compacted) this.compacted = null;
    else this.slot.close(this.sid);
  }
}

/** xterm's own minimum size. */
function clampCols(cols: number): number {
  return Math.max(2, Math.floor(cols));
}

function clampRows(rows: number): number {
  return Math.max(1, Math.floor(rows));
}
