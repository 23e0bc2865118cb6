/** The WebSocket endpoint `/ws/{id}`: validates the upgrade, then hands the socket to a Channel. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { closeCode } from '../../shared/errors.js';
import { WebSocketServer } from 'ws';
import { MAX_CLIENT_FRAME_BYTES } from '../../shared/flow.js';
import { parseSessionIdSegment } from '../../shared/session-id.js';
import { splitPrefix, type Guard } from '../auth/guard.js';
import type { Logger } from '../log.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { E, rejectUpgrade } from '../errors.js';
import { requestUrl } from '../http/app.js';
import { Channel } from './channel.js';

/** Pings keep NAT and proxy mappings open, and tell live peers from dead ones. */
const KEEPALIVE_MS = 30_000;
/**
 * A peer that has answered no ping and sent nothing for this long is taken for dead (a phone
 * that left the network without a FIN). Longer than any silence of a live client: the EchoKit
 * server does not read its socket (so answers no ping) while it waits for the user to speak,
 * and a user may be silent for 10 minutes. The kernel's own retransmission limit (~15 min)
 * ends a peer that never acknowledges our pings at about the same time.
 */
const DEAD_PEER_MS = 15 * 60_000;
/** TCP keepalive probes from the kernel after this much silence in both directions. */
const TCP_KEEPALIVE_MS = 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * The largest frame a view link can need: its messages (hello, ack, ping, get_current_state)
 * are a few dozen bytes. Anything larger is refused before a byte of it is parsed.
 */
const VIEW_MAX_PAYLOAD = 4096;
/**
 * Joins (upgrades) per share link per minute. Each join serializes a snapshot of up to the
 * whole scrollback; a reconnecting browser needs a handful a minute, a reconnect loop more.
 */
const JOINS_PER_LINK = 30;
const JOIN_WINDOW_MS = 60_000;
/** Frames above MAX_CLIENT_FRAME_BYTES get a session_error; far above it the socket is closed (1009). */
const HARD_MAX_PAYLOAD = 4 * MAX_CLIENT_FRAME_BYTES;

export class WsEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false });
  /** View links send only tiny messages: a bigger frame closes the socket (1009) unread. */
  private readonly viewWss = new WebSocketServer({ noServer: true, maxPayload: VIEW_MAX_PAYLOAD, perMessageDeflate: false });
  /** Recent joins per share link (each costs a snapshot). */
  private readonly joins = new Map<string, number[]>();
  private readonly channels = new Set<Channel>();
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
    private readonly guard: Guard,
    private readonly maxViewers: number,
    private readonly maxSessions: number,
  ) {
    // Phones drop off networks without a FIN; a peer silent past DEAD_PEER_MS frees its viewer.
    // A silent but live client (one that does not read for minutes) keeps its socket.
    this.keepalive = setInterval(() => {
      const now = Date.now();
      for (const ws of [...this.wss.clients, ...this.viewWss.clients]) {
        const ch = (ws as unknown as { channel?: Channel }).channel;
        if (ch && now - ch.heardAt > DEAD_PEER_MS) {
          ws.terminate();
          continue;
        }
        ws.ping();
      }
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /**
   * Checks and accepts an upgrade: Host, credential (as for HTTP, incl. the /t/<secret> prefix),
   * Origin (cross-site WebSocket hijacking), the share link's session and role, the viewer limit.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const g = this.guard;
    if (!g.hostAllowed(req)) return rejectUpgrade(socket, E.misdirected, 'this server does not answer to that Host name');
    const url = requestUrl(req.url);
    if (!url) return rejectUpgrade(socket, E.invalid_input, 'malformed request target');
    const { path, secret } = splitPrefix(url.pathname);
    // `/ws/{id}`, or `/echokit/ws/{id}`: the echokit-state variant in a form that survives a
    // client appending `/<id>` to its base URL (the EchoKit server does).
    const m = /^\/(echokit\/)?ws\/([^/]+)$/.exec(path);
    if (!m) return rejectUpgrade(socket, E.not_found, 'no WebSocket endpoint here');
    const ip = req.socket.remoteAddress ?? 'unknown';
    const auth = g.authenticate(req, secret);
    if (!auth.principal) {
      if (auth.failed && g.failed(ip, auth.failed)) return rejectUpgrade(socket, E.rate_limited, 'too many failed credentials; wait a minute');
      return rejectUpgrade(socket, E.unauthorized, 'an access token or share link is needed');
    }
    if (!g.originAllowed(req)) return rejectUpgrade(socket, E.forbidden, 'cross-origin WebSocket refused');
    const id = parseSessionIdSegment(m[2] as string);
    if (!id) return rejectUpgrade(socket, E.invalid_input, 'session id must be a UUID');
    const principal = auth.principal;
    if (principal.kind === 'share' && principal.share.session_id !== id) return rejectUpgrade(socket, E.forbidden, 'this link is for another session');
    const protocol = url.searchParams.get('protocol');
    if (protocol !== null && protocol !== 'ccpty' && protocol !== 'echokit-state') {
      return rejectUpgrade(socket, E.invalid_input, 'protocol must be "ccpty" or "echokit-state"');
    }
    const variant = m[1] || protocol === 'echokit-state' ? 'echokit-state' : 'ccpty';
    if (variant === 'echokit-state') {
      // That client ends its session on any session_error, and decodes only a few codes:
      // what it could never use is refused here, with an HTTP status, instead.
      if (principal.kind === 'share' && principal.share.role === 'view') return rejectUpgrade(socket, E.forbidden, 'a view link cannot drive a device session');
      if (!this.registry.get(id)?.isRunning && this.registry.runningCount >= this.maxSessions) {
        return rejectUpgrade(socket, E.limit_exceeded, `${this.maxSessions} sessions are running, the most this server allows (--max-sessions)`);
      }
    }
    // The limit binds share links, so a link handed out can never lock the owner out.
    if (principal.kind === 'share' && this.viewersOf(id) >= this.maxViewers) {
      return rejectUpgrade(socket, E.limit_exceeded, `this session has ${this.maxViewers} viewers, the most allowed (--max-viewers)`);
    }
    if (principal.kind === 'share' && !this.joinAllowed(principal.share.id)) {
      return rejectUpgrade(socket, E.rate_limited, `more than ${JOINS_PER_LINK} connections a minute with this link`);
    }
    const server = principal.kind === 'share' && principal.share.role === 'view' ? this.viewWss : this.wss;
    server.handleUpgrade(req, socket, head, (ws) => {
      const share = principal.kind === 'share' ? principal.share : null;
      req.socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
      const channel = new Channel(ws, id, this.registry, this.log, variant, share?.role ?? 'owner', share?.id ?? null);
      (ws as unknown as { channel?: Channel }).channel = channel;
      this.channels.add(channel);
      // An expiring link's sockets close when it expires (timers hold at most ~24.8 days).
      let expiry: NodeJS.Timeout | null = null;
      const armExpiry = (at: number): void => {
        const wait = at - Date.now();
        if (wait <= 0) return channel.shutdown(closeCode(E.unauthorized), 'share link expired');
        expiry = setTimeout(() => armExpiry(at), Math.min(wait, MAX_TIMER_MS));
        expiry.unref();
      };
      if (share?.expires_at) armExpiry(share.expires_at);
      ws.on('close', () => {
        this.channels.delete(channel);
        if (expiry) clearTimeout(expiry);
      });
    });
  }

  /** Counts a join with this link; false past JOINS_PER_LINK in the window. */
  private joinAllowed(shareId: string, now = Date.now()): boolean {
    const times = (this.joins.get(shareId) ?? []).filter((t) => t > now - JOIN_WINDOW_MS);
    if (times.length >= JOINS_PER_LINK) return false;
    times.push(now);
    this.joins.set(shareId, times);
    if (this.joins.size > 10_000) this.joins.delete(this.joins.keys().next().value as string);
    return true;
  }

  /** Closes, at once, every socket opened with this share link (it was revoked). */
  closeShare(shareId: string): void {
    for (const ch of this.channels) if (ch.shareId === shareId) ch.shutdown(closeCode(E.forbidden), 'share link revoked');
  }

  private viewersOf(id: string): number {
    let n = 0;
    for (const ch of this.channels) if (ch.sessionId === id) n++;
    return n;
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
