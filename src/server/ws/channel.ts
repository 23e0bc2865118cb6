/**
 * One WebSocket attached to one session id: decodes frames, applies them, and is the sink of
 * that socket's Viewer. Messages from one socket are applied strictly in order.
 */
import type { WebSocket, RawData } from 'ws';
import { toEchokitState } from '../../shared/echokit-state.js';
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
import { applyAction, type ActionOptions } from '../sessions/actions.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { Session } from '../sessions/session.js';
import { Viewer } from '../terminal/viewer.js';

const CONFIRM_AFTER_INPUT_MS = 2000;
/** Bytes queued on a socket beyond which a client that does not read is disconnected. */
const MAX_SOCKET_BACKLOG = 8 * 1024 * 1024;
/** What a view-only socket may send; anything else is refused before it is validated. */
const READ_ONLY_TYPES = new Set(['hello', 'ack', 'ping', 'get_current_state']);

export class Channel {
  private readonly viewer: Viewer;
  private session: Session | undefined;
  /** Work still being applied; later frames wait for it so that order is kept. */
  private tail: Promise<void> = Promise.resolve();
  private busy = 0;
  alive = true;
  private inputRefusedAt = 0;
  private closed = false;

  private get id(): string {
    return this.sessionId;
  }

  constructor(
    private readonly ws: WebSocket,
    readonly sessionId: string,
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
    private readonly variant: 'ccpty' | 'echokit-state' = 'ccpty',
    /** A view-only share link: output and state only; every action is refused. */
    private readonly readOnly = false,
    /** The share link this socket was opened with (closed when it is revoked). */
    readonly shareId: string | null = null,
  ) {
    const encode = variant === 'echokit-state' ? (m: ServerMessage) => JSON.stringify(toEchokitState(m)) : undefined;
    this.viewer = new Viewer(
      {
        send: (frame, done) => {
          if (ws.readyState !== ws.OPEN) return done();
          // Output is flow-controlled, but replies are not: a client that floods requests and
          // never reads would make them pile up here. Past a bound it is cut off.
          if (ws.bufferedAmount > MAX_SOCKET_BACKLOG) {
            ws.close(1008, 'not reading');
            return done();
          }
          ws.send(frame, { binary: typeof frame !== 'string' }, () => done());
        },
      },
      { requestSnapshot: (v) => this.session?.requestSnapshot(v) },
      encode,
    );
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.close());
    ws.on('error', (err) => log.debug({ session: sessionId, err: err.message }, 'socket error'));
    ws.on('pong', () => {
      this.alive = true;
    });
    // A socket that connects to a running session is a viewer at once; to a stopped or new
    // one, from its first create_session or input (so that it is not told "ended" first).
    // A view-only socket can never start the session, so it watches whatever state it is in.
    const existing = registry.get(sessionId);
    if (existing && (existing.isRunning || readOnly)) this.attachTo(existing);
  }

  private forbid(type: string): void {
    this.send(sessionError(this.sessionId, 'forbidden', { error_message: `"${type}" refused: this link is view-only` }));
  }

  private get actionOptions(): ActionOptions {
    return { echokitInput: this.variant === 'echokit-state' };
  }

  /** Sent to this socket only, outside the output stream. */
  send(message: ServerMessage): void {
    this.viewer.reply(message);
  }

  /** Tells the client why the server is going away, then closes. */
  shutdown(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  private attachTo(session: Session): void {
    if (this.closed) return; // a message still being applied after the socket closed
    this.session = session;
    session.attach(this.viewer);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buf.length > MAX_CLIENT_FRAME_BYTES) {
      return this.send(sessionError(this.sessionId, 'invalid_input', { error_message: `frame larger than ${MAX_CLIENT_FRAME_BYTES} bytes` }));
    }
    if (isBinary && this.readOnly) return this.forbid('bytes_input');
    if (this.closed) return;
    if (isBinary) {
      // Keystrokes: the hot path. Straight to the PTY unless earlier frames are still applying.
      const s = this.session ?? this.registry.get(this.sessionId);
      if (this.busy === 0 && s?.isReady) {
        if (!this.session) this.attachTo(s);
        s.write(buf);
        return;
      }
      return this.enqueue({ type: 'bytes_input', input: [...buf] });
    }
    if (this.readOnly) {
      // Cheap refusal first: a view link must not make the server validate megabytes.
      let raw: unknown;
      try {
        raw = JSON.parse(buf.toString('utf8'));
      } catch {
        return this.send(sessionError(this.id, 'invalid_input', { error_message: 'message is not valid JSON' }));
      }
      const type = peekType(raw);
      if (type !== null && !READ_ONLY_TYPES.has(type)) return this.forbid(type.slice(0, 64));
    }
    const decoded = decodeClientMessage(buf.toString('utf8'));
    if (!decoded.ok) return this.send(sessionError(this.sessionId, 'invalid_input', { error_message: decoded.message }));
    this.enqueue(decoded.value);
  }

  private enqueue(msg: ClientMessage): void {
    this.busy++;
    this.tail = this.tail
      .then(() => this.handle(msg))
      .catch((err: unknown) => {
        this.log.error({ session: this.sessionId, err: (err as Error).message, type: msg.type }, 'message failed');
        this.send(sessionError(this.sessionId, 'internal_error', { error_message: 'the server could not apply this message' }));
      })
      .finally(() => {
        this.busy--;
      });
  }

  private async handle(msg: ClientMessage): Promise<void> {
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
      case 'get_current_state': {
        const s = this.registry.get(this.sessionId);
        return this.send(s ? s.stateMessage() : sessionError(this.sessionId, 'session_not_found', { error_message: 'no session with this id' }));
      }
      case 'create_session': {
        if (this.readOnly) return this.forbid(msg.type);
        const s = this.registry.getOrCreate(this.sessionId);
        const wasAttached = s.hasViewer(this.viewer);
        const started = this.registry.start(s);
        if (!started.ok) return this.send(started.error);
        const result = await applyAction(s, msg, this.actionOptions);
        if (!result.ok) return this.send(result.error);
        // A new viewer gets snapshot + state from the join; one already attached is told the state.
        if (wasAttached) this.send(s.stateMessage());
        else this.attachTo(s);
        return;
      }
      default: {
        if (this.readOnly) return this.forbid(msg.type);
        const s = this.registry.get(this.sessionId);
        if (!s) return this.send(sessionError(this.sessionId, 'session_not_found', { error_message: 'no session with this id; send create_session first' }));
        // Typing into a stopped session resumes it; this socket watches from the start.
        if ((msg.type === 'input' || msg.type === 'bytes_input') && !s.isRunning) {
          const started = this.registry.start(s);
          if (!started.ok) return this.send(started.error);
        }
        if (s.isRunning && !s.hasViewer(this.viewer)) this.attachTo(s);
        // The EchoKit server follows each Input with a Confirm 300 ms later. If the Input was
        // refused (a permission prompt is up), that Confirm must not approve the tool.
        if (msg.type === 'confirm' && this.variant === 'echokit-state' && Date.now() - this.inputRefusedAt < CONFIRM_AFTER_INPUT_MS) {
          return this.send(sessionError(this.sessionId, 'invalid_input_for_state', {
            error_message: 'this confirm follows an input that was refused; it does not answer the permission prompt',
            error_state: s.state,
            error_input: 'confirm',
          }));
        }
        const result = await applyAction(s, msg, this.actionOptions);
        if (!result.ok) {
          if (msg.type === 'input') this.inputRefusedAt = Date.now();
          this.send(result.error);
        }
      }
    }
  }

  close(): void {
    this.closed = true;
    this.session?.detach(this.viewer);
    this.session = undefined;
  }
}
