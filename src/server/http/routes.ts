/**
 * The REST API. Every route is in ROUTES, so tests (and the auth layer) can walk them all.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_CLIENT_FRAME_BYTES } from '../../shared/flow.js';
import { decodeClientMessage, sessionError, type SessionErrorMessage } from '../../shared/protocol.js';
import { parseSessionIdSegment } from '../../shared/session-id.js';
import { HOOK_SECRET_HEADER, hookPayload } from '../claude/hooks.js';
import { applyAction, HTTP_STATUS } from '../sessions/actions.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { BodyTooLarge, readBody, sendJson } from './json.js';

export interface RouteContext {
  registry: SessionRegistry;
  version: string;
}

type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path pattern; `{id}` is a session id. */
  path: string;
  handler: Handler;
}

function sendError(res: ServerResponse, err: SessionErrorMessage): void {
  sendJson(res, HTTP_STATUS[err.error_code], err);
}

/** Validates the `{id}` path segment, answering 400 itself when it is not a UUID. */
function idParam(res: ServerResponse, raw: string | undefined): string | null {
  const id = parseSessionIdSegment(raw ?? '');
  if (!id) sendError(res, sessionError('', 'invalid_input', { error_message: 'session id must be a UUID' }));
  return id;
}

async function body(req: IncomingMessage, res: ServerResponse, id: string): Promise<string | null> {
  try {
    return await readBody(req, MAX_CLIENT_FRAME_BYTES);
  } catch (err) {
    const tooLarge = err instanceof BodyTooLarge;
    sendJson(res, tooLarge ? 413 : 400, sessionError(id, 'invalid_input', {
      error_message: tooLarge ? `body larger than ${MAX_CLIENT_FRAME_BYTES} bytes` : 'could not read the request body',
    }));
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
    handler: (ctx, _req, res) => sendJson(res, 200, { ok: true, version: ctx.version, running: ctx.registry.runningCount }),
  },
  {
    // Claude Code hooks, relayed by hook-relay.js: loopback only, with the run's secret.
    method: 'POST',
    path: '/hooks/{id}',
    handler: async (ctx, req, res, [raw]) => {
      const local = req.socket.localAddress;
      const remote = req.socket.remoteAddress;
      if (!isLoopbackAddress(remote) && remote !== local) return sendJson(res, 403, { error_code: 'forbidden', error_message: 'hooks are accepted from this machine only' });
      const id = idParam(res, raw);
      if (!id) return;
      let text: string;
      try {
        text = await readBody(req, MAX_HOOK_BODY);
      } catch {
        return sendJson(res, 413, { error_code: 'invalid_input', error_message: 'hook payload too large' });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { error_code: 'invalid_input', error_message: 'hook payload is not JSON' });
      }
      const payload = hookPayload.safeParse(json);
      if (!payload.success) return sendJson(res, 400, { error_code: 'invalid_input', error_message: 'not a Claude Code hook payload' });
      const secret = req.headers[HOOK_SECRET_HEADER];
      const session = ctx.registry.info(id)?.running ? ctx.registry.get(id) : undefined;
      if (!session || typeof secret !== 'string' || !session.onHook(secret, payload.data)) {
        return sendJson(res, 403, { error_code: 'forbidden', error_message: 'unknown session or wrong hook secret' });
      }
      sendJson(res, 200, { ok: true });
    },
  },
  {
    method: 'GET',
    path: '/api/sessions',
    handler: (ctx, _req, res) => sendJson(res, 200, { sessions: ctx.registry.list() }),
  },
  {
    method: 'POST',
    path: '/api/sessions',
    handler: (ctx, _req, res) => {
      // The server picks the id; the session starts at once, like create_session.
      const session = ctx.registry.getOrCreate(randomUUID());
      session.start();
      sendJson(res, 201, session.info());
    },
  },
  {
    method: 'GET',
    path: '/api/sessions/{id}',
    handler: (ctx, _req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      const info = ctx.registry.info(id);
      if (!info) return sendError(res, sessionError(id, 'session_not_found', { error_message: 'no session with this id' }));
      sendJson(res, 200, info);
    },
  },
  {
    method: 'DELETE',
    path: '/api/sessions/{id}',
    handler: async (ctx, _req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      const s = ctx.registry.get(id);
      if (!s) return sendError(res, sessionError(id, 'session_not_found', { error_message: 'no session with this id' }));
      await s.stop('deleted through the API');
      sendJson(res, 200, { ok: true, session: s.info() });
    },
  },
  {
    method: 'POST',
    path: '/api/{id}/input',
    handler: async (ctx, req, res, [raw]) => {
      const id = idParam(res, raw);
      if (!id) return;
      const text = await body(req, res, id);
      if (text === null) return;
      const decoded = decodeClientMessage(text);
      if (!decoded.ok) return sendError(res, sessionError(id, 'invalid_input', { error_message: decoded.message }));
      const msg = decoded.value;
      switch (msg.type) {
        case 'hello':
        case 'ack':
        case 'ping':
          return sendError(res, sessionError(id, 'invalid_input', { error_message: `"${msg.type}" belongs to a WebSocket, not to this endpoint` }));
        case 'get_current_state': {
          const s = ctx.registry.info(id) && ctx.registry.get(id);
          return s ? sendJson(res, 200, s.stateMessage()) : sendError(res, sessionError(id, 'session_not_found', { error_message: 'no session with this id' }));
        }
        case 'create_session': {
          const result = await applyAction(ctx.registry.getOrCreate(id), msg);
          return result.ok ? sendJson(res, 200, { ok: true }) : sendError(res, result.error);
        }
        default: {
          const s = ctx.registry.get(id);
          if (!s) return sendError(res, sessionError(id, 'session_not_found', { error_message: 'no session with this id; create it first' }));
          const result = await applyAction(s, msg);
          return result.ok ? sendJson(res, 200, { ok: true }) : sendError(res, result.error);
        }
      }
    },
  },
];

interface CompiledRoute extends Route {
  re: RegExp;
}

const COMPILED: CompiledRoute[] = ROUTES.map((r) => ({
  ...r,
  re: new RegExp(`^${r.path.replace(/\{id\}/g, '([^/]+)')}$`),
}));

/** Answers the request if a route matches its path; false when no route has that path. */
export async function dispatch(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname;
  let pathMatched = false;
  for (const r of COMPILED) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== req.method) continue;
    await r.handler(ctx, req, res, m.slice(1));
    return true;
  }
  if (pathMatched) {
    sendJson(res, 405, { error_code: 'method_not_allowed', error_message: `${req.method} is not allowed here` });
    return true;
  }
  return false;
}
