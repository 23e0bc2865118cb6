/**
 * Credentials on disk: the owner token's hash, login cookies' hashes, share links. Nothing here
 * holds a credential in clear: a stolen database file logs nobody in.
 */
import type { Db } from '../store/db.js';
import { hashSecret, newSecret } from './secrets.js';

export type ShareRole = 'view' | 'control';

export interface ShareRecord {
  id: string;
  session_id: string;
  role: ShareRole;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS owner_token (
  k INTEGER PRIMARY KEY CHECK (k = 1),
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS logins (
  hash TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS shares (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  session_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('view', 'control')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
) STRICT;
`;

export const LOGIN_TTL_MS = 30 * 24 * 3600_000;

export class AuthStore {
  private readonly stmts;

  constructor(db: Db) {
    db.exec(SCHEMA);
    this.stmts = {
      ownerHash: db.prepare('SELECT hash FROM owner_token WHERE k = 1'),
      setOwner: db.prepare('INSERT INTO owner_token (k, hash, created_at) VALUES (1, ?, ?) ON CONFLICT(k) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at'),
      addLogin: db.prepare('INSERT INTO logins (hash, created_at, expires_at) VALUES (?, ?, ?)'),
      login: db.prepare('SELECT expires_at FROM logins WHERE hash = ?'),
      dropLogins: db.prepare('DELETE FROM logins'),
      dropLogin: db.prepare('DELETE FROM logins WHERE hash = ?'),
      dropExpired: db.prepare('DELETE FROM logins WHERE expires_at < ?'),
      addShare: db.prepare('INSERT INTO shares (id, hash, session_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
      shareByHash: db.prepare('SELECT id, session_id, role, created_at, expires_at, revoked_at FROM shares WHERE hash = ?'),
      shareById: db.prepare('SELECT id, session_id, role, created_at, expires_at, revoked_at FROM shares WHERE id = ?'),
      shares: db.prepare('SELECT id, session_id, role, created_at, expires_at, revoked_at FROM shares WHERE session_id = ? ORDER BY created_at'),
      revoke: db.prepare('UPDATE shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    };
  }

  ownerTokenHash(): string | null {
    return (this.stmts.ownerHash.get() as { hash: string } | undefined)?.hash ?? null;
  }

  /** Sets the owner token (its hash). Every login made with the old one ends. */
  setOwnerToken(token: string, now = Date.now()): void {
    this.stmts.setOwner.run(hashSecret(token), now);
    this.stmts.dropLogins.run();
  }

  /** A new login cookie value (returned once, stored hashed). */
  createLogin(now = Date.now()): string {
    const secret = newSecret();
    this.stmts.dropExpired.run(now);
    this.stmts.addLogin.run(hashSecret(secret), now, now + LOGIN_TTL_MS);
    return secret;
  }

  loginValid(secret: string, now = Date.now()): boolean {
    const row = this.stmts.login.get(hashSecret(secret)) as { expires_at: number } | undefined;
    return !!row && row.expires_at > now;
  }

  /** Ends one login (logout): its cookie no longer opens anything, wherever it was copied. */
  endLogin(secret: string): void {
    this.stmts.dropLogin.run(hashSecret(secret));
  }

  createShare(sessionId: string, role: ShareRole, expiresAt: number | null, now = Date.now()): { share: ShareRecord; secret: string } {
    const secret = newSecret();
    const id = newSecret().slice(0, 16);
    this.stmts.addShare.run(id, hashSecret(secret), sessionId, role, now, expiresAt);
    return { share: { id, session_id: sessionId, role, created_at: now, expires_at: expiresAt, revoked_at: null }, secret };
  }

  /** The share a secret opens, if it is neither revoked nor expired. */
  shareBySecret(secret: string, now = Date.now()): ShareRecord | null {
    const row = this.stmts.shareByHash.get(hashSecret(secret)) as ShareRecord | undefined;
    return row && shareLive(row, now) ? row : null;
  }

  share(id: string): ShareRecord | null {
    return (this.stmts.shareById.get(id) as ShareRecord | undefined) ?? null;
  }

  shares(sessionId: string): ShareRecord[] {
    return this.stmts.shares.all(sessionId) as ShareRecord[];
  }

  revokeShare(id: string, now = Date.now()): boolean {
    return this.stmts.revoke.run(now, id).changes > 0;
  }
}

export function shareLive(s: ShareRecord, now = Date.now()): boolean {
  return s.revoked_at === null && (s.expires_at === null || s.expires_at > now);
}
