/**
 * Who is asking, and may they ask from there (DESIGN.md §9). Transport calls this before any
 * route or upgrade: Host (DNS rebinding), Origin (cross-site requests and WebSocket hijacking),
 * then the credential: `Authorization: Bearer`, the login or share cookie, or a `/t/<secret>`
 * path prefix for clients that can only be given a base URL. Failures are rate-limited per
 * address.
 */
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import type { AuthStore, ShareRecord } from './auth-store.js';
import { FailureLimiter, type CredentialKind } from './failures.js';
import { hashSecret, plausibleSecret, sameHash } from './secrets.js';

export type Principal = { kind: 'owner' } | { kind: 'share'; share: ShareRecord };

export const LOGIN_COOKIE = 'ccpty_login';
export const SHARE_COOKIE = 'ccpty_share';

export interface GuardOptions {
  enabled: boolean;
  bindHost: string;
  extraHosts: readonly string[];
  extraOrigins: readonly string[];
}

export class Guard {
  readonly enabled: boolean;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly failures = new FailureLimiter();

  /** A name or address this server turned out to answer to (its resolved bind address). */
  allowHost(host: string): void {
    this.hosts.add(host.toLowerCase());
  }

  constructor(
    private readonly store: AuthStore,
    opts: GuardOptions,
  ) {
    this.enabled = opts.enabled;
    this.hosts = allowedHosts(opts.bindHost, opts.extraHosts);
    this.origins = new Set(opts.extraOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')));
  }

  /** The Host header names this server (not a rebound DNS name). */
  hostAllowed(req: IncomingMessage): boolean {
    const host = hostName(req.headers.host);
    return host !== null && this.hosts.has(host);
  }

  /**
   * Browsers send Origin on WebSocket upgrades and cross-site requests; it must be this
   * server (same host and port as the Host header) or a configured origin. No Origin: not a
   * browser, nothing to forge.
   */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const o = origin.toLowerCase();
    if (this.origins.has(o)) return true;
    try {
      return new URL(o).host === (req.headers.host ?? '').toLowerCase();
    } catch {
      return false;
    }
  }

  /**
   * Counts a wrong credential of this kind from this address (see failures.ts); true when the
   * refusal is to say 429 (too many lately) rather than 401.
   */
  failed(address: string, kind: CredentialKind): boolean {
    this.failures.note(address, kind);
    return this.failures.limited(address, kind);
  }

  /** Who a secret (owner token or share secret) makes the caller; null if it opens nothing. */
  principalFor(secret: string): Principal | null {
    if (!plausibleSecret(secret)) return null;
    const owner = this.store.ownerTokenHash();
    if (owner && sameHash(hashSecret(secret), owner)) return { kind: 'owner' };
    const share = this.store.shareBySecret(secret);
    return share ? { kind: 'share', share } : null;
  }

  /**
   * The caller's principal from the prefix secret, the Authorization header or a cookie. Every
   * credential offered is checked, however many failures came before: a correct one always
   * passes. `failed` names the kind of a wrong secret offered (a stale cookie is not an attack).
   */
  authenticate(req: IncomingMessage, prefixSecret: string | null): { principal: Principal | null; failed: CredentialKind | null } {
    if (!this.enabled) return { principal: { kind: 'owner' }, failed: null };
    const offered: Array<[CredentialKind, string]> = [];
    if (prefixSecret !== null) offered.push(['prefix', prefixSecret]);
    const auth = req.headers.authorization;
    if (auth && /^Bearer\s+/i.test(auth)) offered.push(['bearer', auth.replace(/^Bearer\s+/i, '').trim()]);
    for (const [, secret] of offered) {
      const p = this.principalFor(secret);
      if (p) return { principal: p, failed: null };
    }
    const cookies = parseCookies(req.headers.cookie);
    const login = cookies.get(LOGIN_COOKIE);
    if (login && plausibleSecret(login) && this.store.loginValid(login)) return { principal: { kind: 'owner' }, failed: null };
    const shareCookie = cookies.get(SHARE_COOKIE);
    if (shareCookie) {
      const share = plausibleSecret(shareCookie) ? this.store.shareBySecret(shareCookie) : null;
      if (share) return { principal: { kind: 'share', share }, failed: null };
    }
    return { principal: null, failed: offered[0]?.[0] ?? null };
  }
}

/** `/t/<secret>/rest` → the secret and `/rest`; anything else unchanged. */
export function splitPrefix(pathname: string): { path: string; secret: string | null } {
  const m = /^\/t\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!m) return { path: pathname, secret: null };
  let secret: string;
  try {
    secret = decodeURIComponent(m[1] as string);
  } catch {
    secret = ''; // a malformed escape is just a wrong secret
  }
  return { path: m[2] ?? '/', secret };
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** The host name of a Host header, lowercase, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(h) ?? /^([^:[\]]+)(?::\d+)?$/.exec(h);
  return m ? (m[1] as string) : null;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Names this server answers to: its bind address (all interfaces for a wildcard), loopback, extras. */
export function allowedHosts(bindHost: string, extra: readonly string[]): Set<string> {
  const hosts = new Set<string>(LOOPBACK_NAMES);
  const bind = bindHost.toLowerCase();
  if (bind === '0.0.0.0' || bind === '::') {
    for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) hosts.add(a.address.toLowerCase());
    const name = os.hostname().toLowerCase();
    hosts.add(name);
    hosts.add(`${name}.local`);
  } else {
    hosts.add(bind);
  }
  for (const h of extra) hosts.add(h.toLowerCase());
  return hosts;
}
