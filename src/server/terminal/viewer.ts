/**
 * One viewer's output stream, with flow control (DESIGN.md §8). Transport-agnostic: the
 * WebSocket channel supplies a sink. Output goes out at once while nothing is in flight and is
 * coalesced only while an earlier frame is. A viewer that falls too far behind may hold the
 * PTY for up to HOLD_MS to catch up (a browser busy for a moment, a client reading slower than
 * a flood); one that does not catch up in time stops getting live bytes and is resynchronised
 * with a fresh snapshot once it has caught up. So it can neither grow server memory without
 * bound nor stall the PTY or the other viewers for more than HOLD_MS (the host grants holds,
 * within a budget, and refuses them for a while after one failed: sessions/hold-gate.ts).
 *
 * Fan-out is cheap: the session makes one OutputFrame per chunk (output.ts) and every viewer
 * that keeps up sends that frame's Buffer or JSON string as it is. Only a viewer with a frame
 * in flight holds state of its own (references to the frames it waits to send); a coalesced
 * frame is built once for every viewer waiting on the same frames, and a snapshot is encoded
 * once for every viewer joining with it.
 */
import { HIGH_WATERMARK, LOW_WATERMARK, MAX_PENDING_BYTES } from '../../shared/flow.js';
import type { ServerMessage } from '../../shared/protocol.js';
import { jsonOutput, OutputFrame } from './output.js';

export { OutputFrame } from './output.js';

export interface ViewerSink {
  /** Sends one frame (Buffer = binary frame, string = JSON text); `done` once handed to the OS. */
  send(frame: Buffer | string, done: () => void): void;
}

type Queued = { chunk: OutputFrame } | { message: ServerMessage };

/**
 * The last coalesced frame built, and for which frames: viewers that wait on the same frames
 * (they keep up together, their sockets drain together) send the same one.
 */
let coalesced: { first: number; last: number; count: number; binary: boolean; frame: Buffer | string } | null = null;

function coalesce(chunks: OutputFrame[], binary: boolean, size: number): Buffer | string {
  const first = (chunks[0] as OutputFrame).seq;
  const last = (chunks[chunks.length - 1] as OutputFrame).seq;
  const c = coalesced;
  if (c && c.first === first && c.last === last && c.count === chunks.length && c.binary === binary) return c.frame;
  let frame: Buffer | string;
  if (binary) frame = Buffer.concat(chunks.map((x) => x.bytes), size);
  else {
    let output = '';
    for (const x of chunks) output += x.text;
    frame = jsonOutput(output);
  }
  coalesced = { first, last, count: chunks.length, binary, frame };
  return frame;
}

/** The last snapshot sent, encoded both ways at most once (viewers joining together share it). */
let snapshotFrame: OutputFrame | null = null;

function frameOfSnapshot(text: string): OutputFrame {
  if (snapshotFrame?.text !== text) snapshotFrame = new OutputFrame(Buffer.from(text), text);
  return snapshotFrame;
}

type Mode = 'detached' | 'joining' | 'live' | 'behind';

/**
 * How long a viewer over its limit may hold the PTY to catch up before it is resynchronised
 * instead: a reader of 4 MB/s drains half the limit (1 MiB) in ~260 ms, and one pause this
 * long is barely noticeable in a terminal.
 */
export const HOLD_MS = 300;

export interface ViewerHost {
  /**
   * Asks for a snapshot of the screen at this point of the output stream, and the state at
   * this point; answer with `completeJoin`.
   */
  requestSnapshot(viewer: Viewer): void;
  /**
   * Asks to pause the PTY while this viewer, over its limit, catches up. True: paused until
   * `release`. Without it (or refused), a viewer over its limit is resynchronised at once.
   */
  hold?(viewer: Viewer): boolean;
  /** Ends a granted hold: it caught up, or ran out of time (`caughtUp` false), or detached. */
  release?(viewer: Viewer, caughtUp: boolean): void;
}

export class Viewer {
  binary = false;
  private ackMode = false;
  private mode: Mode = 'detached';
  private inFlight = 0;
  private pending: OutputFrame[] = [];
  private pendingBytes = 0;
  private joinQueue: Queued[] = [];
  private joinBytes = 0;
  private joinOverflow = false;
  private unacked = 0;
  /** Snapshot bytes not yet acked, allowed on top of the watermark (a snapshot can be large). */
  private allowance = 0;
  /** Unacked bytes sent before that snapshot: acks arrive in stream order and pay these first. */
  private beforeAllowance = 0;
  /** Times this viewer had to be resynchronised (for stats and tests). */
  resyncs = 0;
  /** Set while this viewer holds the PTY (HOLD_MS): it falls behind when it fires. */
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: ViewerSink,
    private readonly host: ViewerHost,
    /** A message's text frame, or null to send nothing: a protocol variant maps messages here. */
    private readonly encode: (m: ServerMessage) => string | null = (m) => JSON.stringify(m),
  ) {}

  get acks(): boolean {
    return this.ackMode;
  }

  /** Acks count output sent from now on (the client counts from the hello reply). */
  setAcks(on: boolean): void {
    this.ackMode = on;
    this.unacked = 0;
    this.allowance = 0;
    this.beforeAllowance = 0;
    if (this.mode === 'behind') this.maybeRecover();
  }

  get isLive(): boolean {
    return this.mode === 'live';
  }

  get bufferedBytes(): number {
    return this.pendingBytes + this.joinBytes;
  }

  get unackedBytes(): number {
    return this.unacked;
  }

  /** Starts (or restarts) the join: output from now on is queued until the snapshot arrives. */
  beginJoin(): void {
    this.mode = 'joining';
    this.joinQueue = [];
    this.joinBytes = 0;
    this.joinOverflow = false;
    this.host.requestSnapshot(this);
  }

  /**
   * The snapshot, then the state as it was at the join point, then everything that arrived
   * while joining, in order: exactly the stream a viewer attached all along would have seen.
   */
  completeJoin(snapshot: string, state: ServerMessage): void {
    if (this.mode !== 'joining') return;
    const queued = this.joinQueue;
    this.joinQueue = [];
    this.joinBytes = 0;
    if (this.joinOverflow) {
      // Too much arrived meanwhile: this snapshot is already stale. Keep the messages, retry.
      for (const q of queued) if ('message' in q) this.transmitMessage(q.message);
      this.beginJoin();
      return;
    }
    this.mode = 'live';
    const frame = frameOfSnapshot(snapshot);
    this.beforeAllowance = this.unacked;
    this.transmit([frame]);
    this.allowance = frame.length;
    this.transmitMessage(state);
    for (const q of queued) {
      if ('chunk' in q) this.pushFrame(q.chunk);
      else this.pushMessage(q.message);
    }
  }

  /** One chunk of output (tests; the session shares one OutputFrame among its viewers). */
  pushOutput(bytes: Buffer, text: string): void {
    this.pushFrame(new OutputFrame(bytes, text));
  }

  pushFrame(frame: OutputFrame): void {
    switch (this.mode) {
      case 'detached':
      case 'behind':
        return;
      case 'joining':
        this.joinQueue.push({ chunk: frame });
        this.joinBytes += frame.length;
        if (this.joinBytes > MAX_PENDING_BYTES) {
          this.joinOverflow = true;
          this.joinQueue = this.joinQueue.filter((q) => 'message' in q);
          this.joinBytes = 0;
        }
        return;
      case 'live':
        if (this.acks && this.unacked > HIGH_WATERMARK + this.allowance && this.overLimit()) return;
        if (this.inFlight === 0 && this.pending.length === 0) return this.transmit([frame]);
        this.pending.push(frame);
        this.pendingBytes += frame.length;
        if (this.pendingBytes > MAX_PENDING_BYTES) this.overLimit();
    }
  }

  /**
   * Past a limit: hold the PTY to catch up, or fall behind. While holding, what the PTY had
   * already read still goes out (or waits), up to twice the limits. True if it fell behind.
   */
  private overLimit(): boolean {
    if (this.holdTimer !== null) {
      if (this.pendingBytes <= 2 * MAX_PENDING_BYTES && (!this.acks || this.unacked <= 2 * HIGH_WATERMARK + this.allowance)) return false;
    } else if (this.host.hold?.(this)) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = null;
        this.host.release?.(this, false);
        if (this.mode === 'live') this.fallBehind();
      }, HOLD_MS);
      this.holdTimer.unref();
      return false;
    }
    this.fallBehind();
    return true;
  }

  /** Ends a hold once back under half the limits (hysteresis: the PTY runs for a while). */
  private maybeRelease(): void {
    if (this.holdTimer === null) return;
    if (this.pendingBytes > MAX_PENDING_BYTES / 2 || (this.acks && this.unacked > (HIGH_WATERMARK + this.allowance) / 2)) return;
    this.endHold(true);
  }

  /** The host let go of this viewer's hold without a release (its run ended or restarted). */
  cancelHold(): void {
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.holdTimer = null;
  }

  private endHold(caughtUp: boolean): void {
    if (this.holdTimer === null) return;
    this.cancelHold();
    this.host.release?.(this, caughtUp);
  }

  /** Control messages keep their place relative to output (e.g. session_ended after the last byte). */
  pushMessage(message: ServerMessage): void {
    if (this.mode === 'detached') return;
    if (this.mode === 'joining') {
      this.joinQueue.push({ message });
      return;
    }
    if (this.mode === 'live') this.flushPending();
    this.transmitMessage(message);
  }

  /**
   * A reply to this viewer's own request. While it joins, it waits behind the snapshot: every
   * message a joining client receives comes after its snapshot.
   */
  reply(message: ServerMessage): void {
    if (this.mode === 'joining') this.joinQueue.push({ message });
    else this.transmitMessage(message);
  }

  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    const paysEarlier = Math.min(bytes, this.beforeAllowance);
    this.beforeAllowance -= paysEarlier;
    this.allowance = Math.max(0, this.allowance - (bytes - paysEarlier));
    if (this.mode === 'behind') this.maybeRecover();
    else this.maybeRelease();
  }

  detach(): void {
    this.endHold(false); // it did not catch up (leaving while held must not dodge the cooldown)
    this.mode = 'detached';
    this.pending = [];
    this.pendingBytes = 0;
    this.joinQueue = [];
    this.joinBytes = 0;
  }

  private fallBehind(): void {
    this.endHold(false);
    this.mode = 'behind';
    this.pending = [];
    this.pendingBytes = 0;
    this.resyncs++;
    this.maybeRecover();
  }

  private maybeRecover(): void {
    if (this.inFlight === 0 && (!this.acks || this.unacked <= LOW_WATERMARK)) this.beginJoin();
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.transmit(chunks);
  }

  private transmit(chunks: OutputFrame[]): void {
    let size = 0;
    for (const c of chunks) size += c.length;
    let frame: Buffer | string;
    if (chunks.length === 1) {
      const only = chunks[0] as OutputFrame;
      frame = this.binary ? only.bytes : only.json;
    } else frame = coalesce(chunks, this.binary, size);
    this.unacked += size;
    this.send(frame);
  }

  private transmitMessage(message: ServerMessage): void {
    const frame = this.encode(message);
    if (frame !== null) this.send(frame);
  }

  private send(frame: Buffer | string): void {
    this.inFlight++;
    this.sink.send(frame, this.onSent);
  }

  private readonly onSent = (): void => {
    this.inFlight--;
    if (this.inFlight !== 0) return;
    if (this.mode === 'live') {
      this.flushPending();
      this.maybeRelease();
    } else if (this.mode === 'behind') this.maybeRecover();
  };
}
