/**
 * Every HTTP request passes here, in this order: Host check (DNS rebinding) → `/t/<secret>`
 * prefix → first-load `?token=` / `?share=` (cookie, then a redirect that drops it) → the
 * pages → the route's access rule (credential, Origin for state changes, role) → the route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOGIN_TTL_MS } from '../auth/auth-store.js';
import { LOGIN_COOKIE, SHARE_COOKIE, splitPrefix, type Guard, type Principal } from '../auth/guard.js';
import type { Logger } from '../log.js';
import { E, sendHttpError } from '../errors.js';
import { BodyTooLarge, readBody } from './json.js';
import { landingPage, loginPage, SECURITY_HEADERS } from './pages.js';
import { matchRoute, type RouteContext } from './routes.js';
import { serveApp, serveAsset } from './static.js';

export interface AppDeps {
  ctx: RouteContext;
  guard: Guard;
  log: Logger;
  secure: boolean;
}

/**
 * The request target as a URL, or null. An origin-form target is always read as a path on
 * this server ("//%zz" is a path, not a host); absolute-form targets are taken as they are.
 */
export function requestUrl(target: string | undefined): URL | null {
  const t = target ?? '/';
  try {
    return /^https?:\/\//i.test(t) ? new URL(t) : new URL(`http://x${t.startsWith('/') ? '' : '/'}${t}`);
  } catch {
    return null;
  }
}

/** Removes credentials from a URL before it is logged. */
export function redactUrl(url: string | undefined): string {
  const u = requestUrl(url);
  if (!u) return '[unparsable]';
  return (u.pathname.replace(/^\/t\/[^/]+/, '/t/[redacted]') + u.search).replace(/([?&](?:token|share)=)[^&]*/g, '$1[redacted]');
}

function address(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function cookie(name: string, value: string, secure: boolean, maxAgeS: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

export async function handleRequest(deps: AppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { guard, ctx } = deps;
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (k !== 'Content-Security-Policy') res.setHeader(k, v);
  if (!guard.hostAllowed(req)) {
    return sendHttpError(res, E.misdirected, 'this server does not answer to that Host name (use --allowed-host)');
  }
  const url = requestUrl(req.url);
  if (!url) return sendHttpError(res, E.invalid_input, 'malformed request target');
  const { path, secret: prefixSecret } = splitPrefix(url.pathname);
  const ip = address(req);

  // First page load with the token (or a share secret) in the URL: log in, then drop it from
  // the address bar and history.
  const querySecret = url.searchParams.get('token') ?? url.searchParams.get('share');
  if (guard.enabled && req.method === 'GET' && querySecret !== null && !path.startsWith('/api/')) {
    const principal = guard.principalFor(querySecret);
    if (!principal) {
      if (guard.failed(ip, 'link')) return sendHttpError(res, E.rate_limited, 'too many failed logins; wait a minute');
      return loginPage(res, 401, 'That link or token is not valid (any more).');
    }
    url.searchParams.delete('token');
    url.searchParams.delete('share');
    const setCookie = principal.kind === 'owner'
      ? cookie(LOGIN_COOKIE, ctx.auth.createLogin(), deps.secure, LOGIN_TTL_MS / 1000)
      : cookie(SHARE_COOKIE, querySecret, deps.secure, Math.max(60, Math.floor(((principal.share.expires_at ?? Date.now() + 86_400_000) - Date.now()) / 1000)));
    // A link clicked on another site is a cross-site navigation: a redirect would carry that
    // on, and the browser would not send the SameSite=Strict cookie. A same-origin page that
    // moves on (meta refresh, no script) makes the next load same-site.
    // Always a path on this server: "//evil.example/" would leave it.
    return redirectPage(res, `/${path.replace(/^\/+/, '')}${url.search}`, setCookie);
  }

  if (path.startsWith('/assets/') && req.method === 'GET' && serveAsset(res, path.slice('/assets/'.length))) return;
  if (path === '/login' && req.method === 'POST') return login(deps, req, res, ip);
  if ((path === '/' || path === '/login' || path === '/sessions') && req.method === 'GET') {
    const { principal } = guard.authenticate(req, prefixSecret);
    if (!principal) return loginPage(res, 200, null);
    if (path === '/login') {
      res.writeHead(303, { Location: '/' });
      return void res.end();
    }
    if (serveApp(res)) return;
    return landingPage(res, principal.kind === 'owner' ? 'owner' : `${principal.share.role} link`);
  }

  const match = matchRoute(req.method, path);
  if (match === null) return sendHttpError(res, E.not_found, 'no such route');
  if (match === 'wrong_method') return sendHttpError(res, E.method_not_allowed, `${req.method} is not allowed here`);
  const { route, params } = match;

  let principal: Principal = { kind: 'owner' };
  if (route.access !== 'public' && route.access !== 'hook') {
    const auth = guard.authenticate(req, prefixSecret);
    if (!auth.principal) {
      if (auth.failed && guard.failed(ip, auth.failed)) return sendHttpError(res, E.rate_limited, 'too many failed credentials; wait a minute');
      return sendHttpError(res, E.unauthorized, 'an access token or share link is needed');
    }
    principal = auth.principal;
    if (req.method !== 'GET' && !guard.originAllowed(req)) {
      return sendHttpError(res, E.forbidden, 'cross-origin request refused');
    }
    const denied = deniedFor(principal, route.access, params[0]);
    if (denied) return sendHttpError(res, E.forbidden, denied);
  }
  await route.handler(ctx, req, res, params, principal);
}

function redirectPage(res: ServerResponse, location: string, setCookie: string): void {
  const safe = location.replace(/[^A-Za-z0-9/?=&._~%-]/g, '');
  const html = `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${safe}"><title>ccpty</title><a href="${safe}">Continue</a>`;
  res.writeHead(200, { ...SECURITY_HEADERS, 'Set-Cookie': setCookie, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

/** Why a principal may not use a route (null: it may). */
export function deniedFor(principal: Principal, access: string, idParam: string | undefined): string | null {
  if (principal.kind === 'owner') return null;
  if (access === 'owner') return 'share links cannot do this';
  if (access === 'any') return null;
  if (access !== 'session-view' && access !== 'session-control') return null;
  if ((idParam ?? '').toLowerCase() !== principal.share.session_id) return 'this link is for another session';
  if (access === 'session-control' && principal.share.role !== 'control') return 'this link is view-only';
  return null;
}

async function login(deps: AppDeps, req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
  const { guard, ctx } = deps;
  if (!guard.originAllowed(req)) return sendHttpError(res, E.forbidden, 'cross-origin request refused');
  let text: string;
  try {
    text = await readBody(req, 4096);
  } catch (err) {
    return sendHttpError(res, E.invalid_input, 'bad login form', err instanceof BodyTooLarge ? 413 : 400);
  }
  const token = new URLSearchParams(text).get('token') ?? '';
  const principal = guard.principalFor(token);
  if (!principal || principal.kind !== 'owner') {
    if (guard.failed(ip, 'form')) return loginPage(res, 429, 'Too many failed attempts; wait a minute.');
    return loginPage(res, 401, 'That token is not valid.');
  }
  res.writeHead(303, { 'Set-Cookie': cookie(LOGIN_COOKIE, ctx.auth.createLogin(), deps.secure, LOGIN_TTL_MS / 1000), Location: '/', 'Cache-Control': 'no-store' });
  res.end();
}
