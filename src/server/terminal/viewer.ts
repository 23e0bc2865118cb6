/**
 * One viewer's output stream, with flow control (DESIGN.md §8). Transport-agnostic: the
 * WebSocket channel supplies a sink. Output goes out at once while nothing is in flight and is
 * coalesced only while an earlier frame is; a viewer that falls too far behind stops getting
 * live bytes and is resynchronised with a fresh snapshot once it has caught up, so it can
 * neither grow server memory without bound nor slow the PTY or the other viewers.
 */
import { HIGH_WATERMARK, LOW_WATERMARK, MAX_PENDING_BYTES } from '../../shared/flow.js';
import type { ServerMessage } from '../../shared/protocol.js';

export interface ViewerSink {
  /** Sends one frame (Buffer = binary frame, string = JSON text); `done` once handed to the OS. */
  send(frame: Buffer | string, done: () => void): void;
}

interface Chunk {
  bytes: Buffer;
  text: string;
}

type Queued = { chunk: Chunk } | { message: ServerMessage };

type Mode = 'detached' | 'joining' | 'live' | 'behind';

export interface ViewerHost {
  /**
   * Asks for a snapshot of the screen at this point of the output stream, and the state at
   * this point; answer with `completeJoin`.
   */
  requestSnapshot(viewer: Viewer): void;
}

export class Viewer {
  binary = false;
  private ackMode = false;
  private mode: Mode = 'detached';
  private inFlight = 0;
  private pending: Chunk[] = [];
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
    const bytes = Buffer.from(snapshot);
    this.beforeAllowance = this.unacked;
    this.transmit([{ bytes, text: snapshot }]);
    this.allowance = bytes.length;
    this.transmitMessage(state);
    for (const q of queued) {
      if ('chunk' in q) this.pushOutput(q.chunk.bytes, q.chunk.text);
      else this.pushMessage(q.message);
    }
  }

  pushOutput(bytes: Buffer, text: string): void {
    switch (this.mode) {
      case 'detached':
      case 'behind':
        return;
      case 'joining':
        this.joinQueue.push({ chunk: { bytes, text } });
        this.joinBytes += bytes.length;
        if (this.joinBytes > MAX_PENDING_BYTES) {
          this.joinOverflow = true;
          this.joinQueue = this.joinQueue.filter((q) => 'message' in q);
          this.joinBytes = 0;
        }
        return;
      case 'live':
        if (this.acks && this.unacked > HIGH_WATERMARK + this.allowance) return this.fallBehind();
        if (this.inFlight === 0 && this.pending.length === 0) return this.transmit([{ bytes, text }]);
        this.pending.push({ bytes, text });
        this.pendingBytes += bytes.length;
        if (this.pendingBytes > MAX_PENDING_BYTES) this.fallBehind();
    }
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
  }

  detach(): void {
    this.mode = 'detached';
    this.pending = [];
    this.pendingBytes = 0;
    this.joinQueue = [];
    this.joinBytes = 0;
  }

  private fallBehind(): void {
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

  private transmit(chunks: Chunk[]): void {
    let frame: Buffer | string;
    let size = 0;
    for (const c of chunks) size += c.bytes.length;
    if (this.binary) {
      frame = chunks.length === 1 ? (chunks[0] as Chunk).bytes : Buffer.concat(chunks.map((c) => c.bytes), size);
    } else {
      let output = '';
      for (const c of chunks) output += c.text;
      frame = JSON.stringify({ type: 'session_pty_output', output });
    }
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
    if (this.mode === 'live') this.flushPending();
    else if (this.mode === 'behind') this.maybeRecover();
  };
}
