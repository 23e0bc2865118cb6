/**
 * One WebSocket attached to one session id: decodes frames, applies them, and is the sink of
 * that socket's Viewer. Messages from one socket are applied strictly in order.
 */
import type { WebSocket, RawData } from 'ws';
import { echokitEncoder } from '../../shared/echokit-state.js';
import { closeCode, E } from '../../shared/errors.js';
import { MAX_CLIENT_FRAME_BYTES } from '../../shared/flow.js';
import {
  decodeClientMessage,
  peekType,
  PROTOCOL_VERSION,
  sessionError,
  type ClientMessage,
  type ServerMessage,
} from '../../shared/protocol.js';
import type { Logger } from '../log.js';
import { execute, newCaller, viewMaySend, writeKeysNow, type Caller, type Command, type ProtocolVariant, type Role } from '../sessions/commands.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { Session } from '../sessions/session.js';
import { Viewer } from '../terminal/viewer.js';

/**
 * Bytes queued on a socket beyond which a client that does not read is disconnected: replies
 * are not flow-controlled (output is), so a client flooding requests could grow memory. 8 MiB
 * is far above what flow-controlled output keeps queued (HIGH_WATERMARK plus one snapshot).
 */
const MAX_SOCKET_BACKLOG = 8 * 1024 * 1024;
/**
 * Input waiting to be applied, per socket. A client may send faster than a busy program
 * reads its terminal; 1 MiB of keys or prompts is far more than a person types, and the
 * frames behind it wait in the client's own buffers once reading pauses. 16 MiB (four of the
 * largest frames the server accepts) cuts off one that gets past that anyway.
 */
const QUEUE_PAUSE = 1024 * 1024;
const QUEUE_RESUME = 256 * 1024;
const QUEUE_LIMIT = 16 * 1024 * 1024;
/** WebSocket close code for a peer that stopped reading (policy violation). */
const CLOSE_NOT_READING = 1008;

/** Messages that belong to the connection, not to the session. */
type Housekeeping = Extract<ClientMessage, { type: 'hello' | 'ack' | 'ping' }>;

export class Channel {
  private readonly viewer: Viewer;
  private session: Session | undefined;
  /** The session that granted this viewer's hold on its PTY (viewer.ts), while it holds. */
  private heldBy: Session | undefined;
  /** Work still being applied; later frames wait for it so that order is kept. */
  private tail: Promise<void> = Promise.resolve();
  private busy = 0;
  /** Hellos waiting in the queue (an ack may not overtake one: hello resets the count). */
  private hellosQueued = 0;
  /** Bytes of frames received and not yet applied; reading pauses above QUEUE_PAUSE. */
  private queued = 0;
  private paused = false;
  /** When the peer last showed it is there (a frame, a pong). */
  heardAt = Date.now();
  private closed = false;
  private readonly caller: Caller<Session>;

  constructor(
    private readonly ws: WebSocket,
    readonly sessionId: string,
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
    variant: ProtocolVariant = 'ccpty',
    /** The owner, or the role of the share link this socket was opened with. */
    role: Role = 'owner',
    /** The share link this socket was opened with (closed when it is revoked). */
    readonly shareId: string | null = null,
  ) {
    this.caller = newCaller<Session>(role, variant, (s) => this.watch(s));
    let encode: ((m: ServerMessage) => string | null) | undefined;
    if (variant === 'echokit-state') {
      const toFrame = echokitEncoder();
      encode = (m) => {
        const frame = toFrame(m);
        return frame === null ? null : JSON.stringify(frame);
      };
    }
    this.viewer = new Viewer(
      {
        send: (frame, done) => {
          if (ws.readyState !== ws.OPEN) return done();
          // Output is flow-controlled, but replies are not: a client that floods requests and
          // never reads would make them pile up here. Past a bound it is cut off.
          if (ws.bufferedAmount > MAX_SOCKET_BACKLOG) {
            ws.close(CLOSE_NOT_READING, 'not reading');
            return done();
          }
          ws.send(frame, { binary: typeof frame !== 'string' }, () => done());
        },
      },
      {
        requestSnapshot: (v) => this.session?.requestSnapshot(v),
        // A watcher (a read-only share link) never pauses the session: it is resynchronised.
        hold: (v) => {
          if (this.readOnly || !this.session?.hold(v)) return false;
          this.heldBy = this.session; // released there, even if this socket watches another by then
          return true;
        },
        release: (v, caughtUp) => {
          this.heldBy?.release(v, caughtUp);
          this.heldBy = undefined;
        },
      },
      encode,
    );
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.close());
    ws.on('error', (err) => log.debug({ session: sessionId, err: err.message }, 'socket error'));
    ws.on('pong', () => {
      this.heardAt = Date.now();
    });
    // A socket that connects to a running session is a viewer at once; to a stopped or new
    // one, from its first create_session or input (so that it is not told "ended" first).
    // A view-only socket can never start the session, so it watches whatever state it is in.
    const existing = registry.get(sessionId);
    if (existing && (existing.isRunning || this.readOnly)) this.watch(existing);
  }

  private get readOnly(): boolean {
    return this.caller.role === 'view';
  }

  private forbid(type: string): void {
    this.send(sessionError(this.sessionId, E.forbidden, { error_message: `"${type}" refused: this link is view-only` }));
  }

  /** Sent to this socket only, outside the output stream. */
  send(message: ServerMessage): void {
    this.viewer.reply(message);
  }

  /** Tells the client why the server is going away, then closes. */
  shutdown(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  /** Makes this socket a viewer of `session`; true if it was not one yet. */
  private watch(session: Session): boolean {
    if (this.closed || session.hasViewer(this.viewer)) return false; // closed: a message still being applied
    this.session = session;
    session.attach(this.viewer);
    return true;
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    this.heardAt = Date.now();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buf.length > MAX_CLIENT_FRAME_BYTES) {
      return this.send(sessionError(this.sessionId, E.invalid_input, { error_message: `frame larger than ${MAX_CLIENT_FRAME_BYTES} bytes` }));
    }
    if (isBinary && this.readOnly) return this.forbid('bytes_input');
    if (this.closed) return;
    if (isBinary) {
      // Keystrokes: the hot path. Straight to the PTY unless earlier frames are still applying.
      if (this.busy === 0 && writeKeysNow(this.registry, this.caller, this.sessionId, buf)) return;
      return this.enqueue({ type: 'bytes_input', input: buf }, buf.length); // kept as bytes
    }
    if (this.readOnly) {
      // Cheap refusal first: a view link must not make the server validate megabytes.
      let raw: unknown;
      try {
        raw = JSON.parse(buf.toString('utf8'));
      } catch {
        return this.send(sessionError(this.sessionId, E.invalid_input, { error_message: 'message is not valid JSON' }));
      }
      const type = peekType(raw);
      if (!viewMaySend(type)) return this.forbid((type ?? '').slice(0, 64));
    }
    const decoded = decodeClientMessage(buf.toString('utf8'));
    if (!decoded.ok) return this.send(sessionError(this.sessionId, E.invalid_input, { error_message: decoded.message }));
    // Acks are about output, not input: one waiting behind a paste that a held PTY's program
    // cannot take would make the hold run out (viewer.ts). Only a queued hello (which resets
    // the count) keeps them in line.
    if (decoded.value.type === 'ack' && this.hellosQueued === 0) return this.viewer.ack(decoded.value.bytes);
    this.enqueue(decoded.value, buf.length);
  }

  /**
   * Applies messages one after another. What waits is bounded: past QUEUE_PAUSE bytes the
   * socket is no longer read (the client's own TCP buffers fill, so it slows down), reading
   * resumes below QUEUE_RESUME, and a client that still gets past QUEUE_LIMIT is cut off.
   */
  private enqueue(msg: Command | Housekeeping, size: number): void {
    this.busy++;
    const hello = msg.type === 'hello';
    if (hello) this.hellosQueued++;
    this.queued += size;
    if (this.queued > QUEUE_LIMIT) {
      this.log.warn({ session: this.sessionId, queued: this.queued }, 'input queue full: closing the socket');
      this.ws.close(closeCode(E.limit_exceeded), 'input queue full');
      this.close();
    } else if (this.queued > QUEUE_PAUSE && !this.paused) {
      this.paused = true;
      this.ws.pause();
    }
    this.tail = this.tail
      .then(() => this.handle(msg))
      .catch((err: unknown) => {
        this.log.error({ session: this.sessionId, err: (err as Error).message, type: msg.type }, 'message failed');
        this.send(sessionError(this.sessionId, E.internal_error, { error_message: 'the server could not apply this message' }));
      })
      .finally(() => {
        this.busy--;
        if (hello) this.hellosQueued--;
        this.queued -= size;
        if (this.paused && this.queued < QUEUE_RESUME && !this.closed) {
          this.paused = false;
          this.ws.resume();
        }
      });
  }

  private async handle(msg: Command | Housekeeping): Promise<void> {
    if (this.closed) return;
    switch (msg.type) {
      case 'hello':
        if (msg.binary !== undefined) this.viewer.binary = msg.binary;
        if (msg.ack !== undefined) this.viewer.setAcks(msg.ack);
        return this.send({
          type: 'hello',
          session_id: this.sessionId,
          protocol_version: PROTOCOL_VERSION,
          binary: this.viewer.binary,
          ack: this.viewer.acks,
          state: this.registry.get(this.sessionId)?.state ?? 'unknown',
        });
      case 'ack':
        return this.viewer.ack(msg.bytes);
      case 'ping':
        return this.send({ type: 'pong' });
      default: {
        // Input is applied once the program has taken it (commands.ts): until then it counts
        // in this socket's queue, so one that does not read its terminal pauses the socket.
        const result = await execute(this.registry, this.caller, this.sessionId, msg);
        if (result.ok) {
          if (result.reply) this.send(result.reply);
          return;
        }
        if (this.absorbs(result.error.error_code)) {
          // The EchoKit server ends a device's session on any session_error: a late or
          // duplicate answer, or input at the wrong moment, is logged instead.
          this.log.info({ session: this.sessionId, type: msg.type, error_code: result.error.error_code, state: result.error.error_state }, 'absorbed on the echokit-state connection');
          return;
        }
        this.send(result.error);
      }
    }
  }

  /** On echokit-state, only errors about what the client sent (unusable, unknown id) are sent. */
  private absorbs(code: string): boolean {
    return this.caller.variant === 'echokit-state' && code !== E.invalid_input && code !== E.session_not_found;
  }

  close(): void {
    this.closed = true;
    this.session?.detach(this.viewer);
    this.session = undefined;
  }
}
