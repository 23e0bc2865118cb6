/**
 * The REST API. Every route is in ROUTES, so tests (and the auth layer) can walk them all.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_CLIENT_FRAME_BYTES } from '../../shared/flow.js';
import { decodeClientMessage, peekType, sessionError, type SessionErrorMessage } from '../../shared/protocol.js';
import { E } from '../../shared/errors.js';
import { parseSessionIdSegment } from '../../shared/session-id.js';
import { z } from 'zod';
import { shareLive, type AuthStore } from '../auth/auth-store.js';
import type { Principal } from '../auth/guard.js';
import { peerCheckAvailable, peerIsDescendant } from '../claude/hook-peer.js';
import { HOOK_SECRET_HEADER, hookPayload, sendable } from '../claude/hooks.js';
import { claudeTheme } from '../claude/theme.js';
import { claudeConfigFile } from '../claude/trust.js';
import { sendHttpError, sendSessionError } from '../errors.js';
import { execute, newCaller, viewMaySend, type Role } from '../sessions/commands.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { Voice } from '../voice/voice.js';
import { BodyTooLarge, readBody, sendJson } from './json.js';
import { UI_ROUTES } from './ui-routes.js';
import { VOICE_ROUTES } from './voice-routes.js';

export interface RouteContext {
  registry: SessionRegistry;
  version: string;
  auth: AuthStore;
  /** Closes the sockets opened with a share link (when it is revoked). */
  closeShare(shareId: string): void;
  /** Whether the request carries a valid credential (for public routes that tell callers more). */
  hasCredential(req: IncomingMessage): boolean;
  /** `http(s)://host:port` as the caller reached us (for links). */
  origin(req: IncomingMessage): string;
  /** Speech-to-text, text-to-speech and last replies (absent: voice is off). */
  voice?: Voice;
}

/**
 * Who may call a route: `public` (no credential), `hook` (its own checks: loopback and the
 * run's secret), `any` (any credential), `owner` (the access token or its login), or `session-view` /
 * `session-control` (the owner, or a share link for the session in the path with that role).
 */
export type Access = 'public' | 'hook' | 'any' | 'owner' | 'session-view' | 'session-control';

type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, params: string[], principal: Principal) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path pattern; `{id}` is a session id, `{share}` a share link's id. */
  path: string;
  access: Access;
  handler: Handler;
}

const sendError = sendSessionError;

const notFound = (id: string): SessionErrorMessage => sessionError(id, E.session_not_found, { error_message: 'no session with this id' });

/** Validates the `{id}` path segment, answering 400 itself when it is not a UUID. */
function idParam(res: ServerResponse, raw: string | undefined): string | null {
  const id = parseSessionIdSegment(raw ?? '');
  if (!id) sendError(res, sessionError('', E.invalid_input, { error_message: 'session id must be a UUID' }));
  return id;
}

async function body(req: IncomingMessage, res: ServerResponse, id: string): Promise<string | null> {
  try {
    return await readBody(req, MAX_CLIENT_FRAME_BYTES);
  } catch (err) {
    const tooLarge = err instanceof BodyTooLarge;
    sendError(res, sessionError(id, E.invalid_input, {
      error_message: tooLarge ? `body larger than ${MAX_CLIENT_FRAME_BYTES} bytes` : 'could not read the request body',
    }), tooLarge ? 413 : 400);
    return null;
  }
}

const MAX_HOOK_BODY = 8 * 1024 * 1024;

function isLoopbackAddress(a: string | undefined): boolean {
  return !!a && (a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.'));
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    access: 'public',
    // Anyone may learn that the server is up; only a caller with a credential learns more.
    handler: (ctx, req, res) => sendJson(res, 200, ctx.hasCredential(req) ? { ok: true, version: ctx.version, running: ctx.registry.runningCount } : { ok: true }),
  },
  {
    // Claude Code hooks, relayed by hook-relay.js: loopback only, with the run's secret.
    method: 'POST',
    path: '/hooks/{id}',
    access: 'hook',
    handler: async (ctx, req, res, [raw]) => {
      const local = req.socket.localAddress;
      const remote = req.socket.remoteAddress;
      if (!isLoopbackAddress(remote) && remote !== local) return sendHttpError(res, E.forbidden, 'hooks are accepted from this machine only');
      const id = idParam(res, raw);
      if (!id) return;
      // The run's secret first: nothing else is read for a caller who does not have it.
      const secret = req.headers[HOOK_SECRET_HEADER];
      const session = ctx.registry.info(id)?.running ? ctx.registry.get(id) : undefined;
      if (!session || typeof secret !== 'string' || !session.hookSecretMatches(secret)) {
        req.resume();
        return sendHttpError(res, E.forbidden, 'unknown session or wrong hook secret');
      }
      // The secret is readable by any process of this user: the sender must also be one of
      // this session's own processes (where the kernel can tell; see hook-peer.ts).
      const pid = session.pid;
      if (peerCheckAvailable() && (pid === null || !peerIsDescendant(pid, req.socket.remotePort ?? 0, req.socket.localPort ?? 0))) {
        req.resume();
        return sendHttpError(res, E.forbidden, 'this hook does not come from the session\'s own processes');
      }
      let text: string;
      try {
        text = await readBody(req, MAX_HOOK_BODY);
      } catch (err) {
        return sendHttpError(res, E.invalid_input, 'hook payload too large or unreadable', err instanceof BodyTooLarge ? 413 : 400);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return sendHttpError(res, E.invalid_input, 'hook payload is not JSON');
      }
      const payload = hookPayload.safeParse(json);
      if (!payload.success) return sendHttpError(res, E.invalid_input, 'not a Claude Code hook payload');
      const data = { ...payload.data, tool_input: sendable(payload.data.tool_input), tool_response: sendable(payload.data.tool_response) };
      if (!session.onHook(secret, data)) return sendHttpError(res, E.forbidden, 'wrong hook secret');
      sendJson(res, 200, { ok: true });
    },
  },
  {
    // Who the caller is, so the UI can offer what its role allows; and Claude Code's theme
    // (dark or light), so the terminal's background fits the colours it draws with.
    method: 'GET',
    path: '/api/whoami',
    access: 'any',
    handler: (_ctx, _req, res, _params, p) => {
      const terminal_theme = claudeTheme(claudeConfigFile(process.env));
      sendJson(res, 200, p.kind === 'owner' ? { role: 'owner', session_id: null, terminal_theme } : { role: p.share.role, session_id: p.share.session_id, expires_at: p.share.expires_at, terminal_theme });
    },
  },
  {
    method: 'GET',
    path: '/api/sessions',
    access: 'owner',
    handler: (ctx, _req, res) => sendJson(res, 200, { sessions: ctx.registry.list() }),
  },
  {
    method: 'POST',
    path: '/api/sessions',
    access: 'owner',
    handler: (ctx, _req, res) => {
      // The server picks the id; the session starts at once, like create_session.
      const opened = ctx.registry.open(randomUUID());
      if (!opened.ok) return sendError(res, opened.error);
      sendJson(res, 201, opened.session.info());
    },
  },
  {
    method: 'GET',
    path: '/api/sessions/{id}',
    access: 'session-view',
    handler: (ctx, _req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      const info = ctx.registry.info(id);
      if (!info) return sendError(res, notFound(id));
      sendJson(res, 200, info);
    },
  },
  {
    method: 'DELETE',
    path: '/api/sessions/{id}',
    access: 'session-control',
    handler: async (ctx, _req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      const s = ctx.registry.get(id);
      if (!s) return sendError(res, notFound(id));
      await s.stop('deleted through the API');
      sendJson(res, 200, { ok: true, session: s.info() });
    },
  },
  {
    method: 'POST',
    path: '/api/{id}/input',
    access: 'session-view',
    handler: async (ctx, req, res, [raw], principal) => {
      const id = idParam(res, raw);
      if (!id) return;
      const text = await body(req, res, id);
      if (text === null) return;
      const role: Role = principal.kind === 'owner' ? 'owner' : principal.share.role;
      if (role === 'view') {
        // Cheap refusal first: a view link must not make the server validate megabytes.
        let raw: unknown = null;
        try {
          raw = JSON.parse(text);
        } catch {
          // decodeClientMessage below answers it
        }
        if (!viewMaySend(peekType(raw))) return sendError(res, sessionError(id, E.forbidden, { error_message: 'this link is view-only' }));
      }
      const decoded = decodeClientMessage(text);
      if (!decoded.ok) return sendError(res, sessionError(id, E.invalid_input, { error_message: decoded.message }));
      const msg = decoded.value;
      if (msg.type === 'hello' || msg.type === 'ack' || msg.type === 'ping') {
        return sendError(res, sessionError(id, E.invalid_input, { error_message: `"${msg.type}" belongs to a WebSocket, not to this endpoint` }));
      }
      const result = await execute(ctx.registry, newCaller(role), id, msg);
      if (!result.ok) return sendError(res, result.error);
      sendJson(res, 200, result.reply ?? { ok: true });
    },
  },
  {
    method: 'POST',
    path: '/api/sessions/{id}/shares',
    access: 'owner',
    handler: async (ctx, req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      if (!ctx.registry.info(id)) return sendError(res, notFound(id));
      const text = await body(req, res, id);
      if (text === null) return;
      let parsed: unknown;
      try {
        parsed = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return sendError(res, sessionError(id, E.invalid_input, { error_message: 'body is not valid JSON' }));
      }
      const req_ = shareRequest.safeParse(parsed);
      if (!req_.success) {
        return sendError(res, sessionError(id, E.invalid_input, { error_message: `role must be "view" or "control"; expires_in seconds from 60 to ${MAX_SHARE_SECONDS}` }));
      }
      const now = Date.now();
      const expiresAt = req_.data.expires_in === undefined ? now + DEFAULT_SHARE_SECONDS * 1000 : now + req_.data.expires_in * 1000;
      const { share, secret } = ctx.auth.createShare(id, req_.data.role, expiresAt, now);
      const origin = ctx.origin(req);
      sendJson(res, 201, {
        ...share,
        // The browser link sets a share cookie and drops the secret from the address bar.
        url: `${origin}/?id=${id}&share=${secret}`,
        // For clients that can only be given a base URL (an EchoKit server, a script).
        ws_url: `${origin.replace(/^http/, 'ws')}/t/${secret}/ws/${id}`,
        secret,
      });
    },
  },
  {
    method: 'GET',
    path: '/api/sessions/{id}/shares',
    access: 'owner',
    handler: (ctx, _req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      sendJson(res, 200, { shares: ctx.auth.shares(id).map((s) => ({ ...s, active: shareLive(s) })) });
    },
  },
  {
    method: 'DELETE',
    path: '/api/shares/{share}',
    access: 'owner',
    handler: (ctx, _req, res, [raw]) => {
      const shareId = raw ?? '';
      const share = /^[A-Za-z0-9_-]{1,64}$/.test(shareId) ? ctx.auth.share(shareId) : null;
      if (!share) return sendHttpError(res, E.not_found, 'no share link with this id');
      ctx.auth.revokeShare(shareId);
      ctx.closeShare(shareId);
      sendJson(res, 200, { ok: true, share: ctx.auth.share(shareId) });
    },
  },
  ...VOICE_ROUTES,
  ...UI_ROUTES,
];

const DEFAULT_SHARE_SECONDS = 24 * 3600;
const MAX_SHARE_SECONDS = 365 * 24 * 3600;
const shareRequest = z.object({
  role: z.enum(['view', 'control']),
  expires_in: z.number().int().min(60).max(MAX_SHARE_SECONDS).optional(),
});

interface CompiledRoute extends Route {
  re: RegExp;
}

const COMPILED: CompiledRoute[] = ROUTES.map((r) => ({
  ...r,
  re: new RegExp(`^${r.path.replace(/\./g, '\\.').replace(/\{(id|share)\}/g, '([^/]+)')}$`),
}));

export type RouteMatch = { route: CompiledRoute; params: string[] } | 'wrong_method' | null;

/** The route for a method and path (the path already stripped of any /t/<secret> prefix). */
export function matchRoute(method: string | undefined, pathname: string): RouteMatch {
  let pathMatched = false;
  for (const r of COMPILED) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (r.method === method) return { route: r, params: m.slice(1) };
  }
  return pathMatched ? 'wrong_method' : null;
}
