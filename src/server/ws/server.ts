/** The WebSocket endpoint `/ws/{id}`: validates the upgrade, then hands the socket to a Channel. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_CLIENT_FRAME_BYTES } from '../../shared/flow.js';
import { parseSessionIdSegment } from '../../shared/session-id.js';
import type { Logger } from '../log.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { Channel } from './channel.js';

const KEEPALIVE_MS = 30_000;
/** Frames above MAX_CLIENT_FRAME_BYTES get a session_error; far above it the socket is closed (1009). */
const HARD_MAX_PAYLOAD = 4 * MAX_CLIENT_FRAME_BYTES;

export class WsEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false });
  private readonly channels = new Set<Channel>();
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
  ) {
    // Phones drop off networks without a FIN; a missed pong frees their viewer.
    this.keepalive = setInterval(() => {
      for (const ws of this.wss.clients) {
        const ch = (ws as unknown as { channel?: Channel }).channel;
        if (ch && !ch.alive) {
          ws.terminate();
          continue;
        }
        if (ch) ch.alive = false;
        ws.ping();
      }
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Returns false when the path is not ours (the caller answers 404). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/ws\/([^/]+)$/.exec(url.pathname);
    if (!m) return false;
    const id = parseSessionIdSegment(m[1] as string);
    if (!id) {
      rejectUpgrade(socket, 400, 'invalid_input', 'session id must be a UUID');
      return true;
    }
    const protocol = url.searchParams.get('protocol');
    if (protocol !== null && protocol !== 'ccpty' && protocol !== 'echokit-state') {
      rejectUpgrade(socket, 400, 'invalid_input', 'protocol must be "ccpty" or "echokit-state"');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const channel = new Channel(ws, id, this.registry, this.log, protocol === 'echokit-state' ? 'echokit-state' : 'ccpty');
      (ws as unknown as { channel?: Channel }).channel = channel;
      this.channels.add(channel);
      ws.on('close', () => this.channels.delete(channel));
    });
    return true;
  }

  /** Closes every socket with 1001 (going away) after its last frames. */
  closeAll(): void {
    clearInterval(this.keepalive);
    for (const ch of this.channels) ch.shutdown(1001, 'server shutting down');
  }

  get connections(): number {
    return this.channels.size;
  }
}

export function rejectUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ type: 'session_error', session_id: '', error_code: code, error_message: message });
  const reason = status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
