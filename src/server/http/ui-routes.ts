/**
 * The routes the web UI needs beyond the session protocol (appended to ROUTES): the app icon
 * and manifest (public: browsers fetch them without cookies), renaming and deleting a session
 * (owner only: a share link is for watching or driving one session, not for managing the
 * list), and logging out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { E } from '../../shared/errors.js';
import { sessionError } from '../../shared/protocol.js';
import { parseSessionIdSegment } from '../../shared/session-id.js';
import { shareLive, type AuthStore } from '../auth/auth-store.js';
import { LOGIN_COOKIE, parseCookies, SHARE_COOKIE, type Principal } from '../auth/guard.js';
import { sendSessionError } from '../errors.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { ICON_SVG, iconPng, MANIFEST, type IconSize } from './icons.js';
import { BodyTooLarge, readBody, sendJson } from './json.js';

/** What these routes need of the route context (RouteContext has it). */
export interface UiRouteContext {
  registry: SessionRegistry;
  auth: AuthStore;
  closeShare(shareId: string): void;
}

export interface UiRoute {
  method: 'GET' | 'POST';
  path: string;
  access: 'public' | 'any' | 'owner';
  handler: (ctx: UiRouteContext, req: IncomingMessage, res: ServerResponse, params: string[], principal: Principal) => Promise<void> | void;
}

/** Rename and delete bodies are tiny. */
const MAX_BODY_BYTES = 4096;
/** Icons change only with a release; a day's cache spares the requests without pinning them. */
const ICON_CACHE = 'public, max-age=86400';

function sendBytes(res: ServerResponse, type: string, data: Buffer | string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(data), 'Cache-Control': ICON_CACHE });
  res.end(data);
}

const png = (size: IconSize) => (_ctx: UiRouteContext, _req: IncomingMessage, res: ServerResponse): void => sendBytes(res, 'image/png', iconPng(size));

/** The `{id}` and the JSON body of a session route, or null once refused (400/404/413). */
async function sessionBody(ctx: UiRouteContext, req: IncomingMessage, res: ServerResponse, raw: string | undefined): Promise<{ id: string; body: unknown } | null> {
  const id = parseSessionIdSegment(raw ?? '');
  if (!id) {
    req.resume();
    sendSessionError(res, sessionError('', E.invalid_input, { error_message: 'session id must be a UUID' }));
    return null;
  }
  let text: string;
  try {
    text = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    sendSessionError(res, sessionError(id, E.invalid_input, { error_message: 'body too large or unreadable' }), err instanceof BodyTooLarge ? 413 : 400);
    return null;
  }
  if (!ctx.registry.info(id)) {
    sendSessionError(res, sessionError(id, E.session_not_found, { error_message: 'no session with this id' }));
    return null;
  }
  try {
    return { id, body: text.trim() === '' ? {} : JSON.parse(text) };
  } catch {
    sendSessionError(res, sessionError(id, E.invalid_input, { error_message: 'body is not valid JSON' }));
    return null;
  }
}

/** Longest name a session may be given (the dashboard shows a line of it). */
const MAX_TITLE_CHARS = 200;
const titleRequest = z.object({ title: z.string().max(MAX_TITLE_CHARS).nullable() });
const deleteRequest = z.object({ folder: z.boolean().optional() });

/** A cookie the browser drops at once (the same name and path as when it was set). */
const expired = (name: string): string => `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

export const UI_ROUTES: readonly UiRoute[] = [
  { method: 'GET', path: '/favicon.ico', access: 'public', handler: png(48) },
  { method: 'GET', path: '/favicon.svg', access: 'public', handler: (_c, _r, res) => sendBytes(res, 'image/svg+xml', ICON_SVG) },
  { method: 'GET', path: '/apple-touch-icon.png', access: 'public', handler: png(180) },
  { method: 'GET', path: '/icon-192.png', access: 'public', handler: png(192) },
  { method: 'GET', path: '/icon-512.png', access: 'public', handler: png(512) },
  { method: 'GET', path: '/manifest.webmanifest', access: 'public', handler: (_c, _r, res) => sendBytes(res, 'application/manifest+json', MANIFEST) },
  {
    // A name for the dashboard; `null` (or blank) goes back to Claude Code's title or the first prompt.
    method: 'POST',
    path: '/api/sessions/{id}/title',
    access: 'owner',
    handler: async (ctx, req, res, [raw]) => {
      const got = await sessionBody(ctx, req, res, raw);
      if (!got) return;
      const parsed = titleRequest.safeParse(got.body);
      if (!parsed.success) {
        return sendSessionError(res, sessionError(got.id, E.invalid_input, { error_message: `body must be {"title": string of at most ${MAX_TITLE_CHARS} characters, or null}` }));
      }
      ctx.registry.rename(got.id, parsed.data.title);
      sendJson(res, 200, ctx.registry.info(got.id));
    },
  },
  {
    // Forgets a session: stops it, revokes its share links, drops its record; `folder: true`
    // also removes its working folder (the UI asks the person first).
    method: 'POST',
    path: '/api/sessions/{id}/delete',
    access: 'owner',
    handler: async (ctx, req, res, [raw]) => {
      const got = await sessionBody(ctx, req, res, raw);
      if (!got) return;
      const parsed = deleteRequest.safeParse(got.body);
      if (!parsed.success) return sendSessionError(res, sessionError(got.id, E.invalid_input, { error_message: 'body must be {"folder"?: boolean}' }));
      for (const share of ctx.auth.shares(got.id)) {
        if (!shareLive(share)) continue;
        ctx.auth.revokeShare(share.id);
        ctx.closeShare(share.id);
      }
      const done = await ctx.registry.remove(got.id, { folder: parsed.data.folder === true });
      sendJson(res, 200, { ok: true, id: got.id, folder_removed: done.folderRemoved });
    },
  },
  {
    // Ends this browser's login (on the server too: a copy of the cookie stops working) and
    // forgets its share cookie. Other logins (other devices) stay; `ccpty token rotate` ends them all.
    method: 'POST',
    path: '/api/logout',
    access: 'any',
    handler: (ctx, req, res) => {
      const login = parseCookies(req.headers.cookie).get(LOGIN_COOKIE);
      if (login) ctx.auth.endLogin(login);
      res.setHeader('Set-Cookie', [expired(LOGIN_COOKIE), expired(SHARE_COOKIE)]);
      sendJson(res, 200, { ok: true });
    },
  },
];
