/** Random credentials and their one-way hashes. Credentials are 256-bit random, so a plain
 * SHA-256 is the right hash (no password stretching needed); only hashes are stored. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A credential has the shape we issue (base64url, 43 chars) or a user-chosen token (16-256 chars). */
export function plausibleSecret(s: string): boolean {
  return s.length >= 16 && s.length <= 256 && /^[A-Za-z0-9_\-.~]+$/.test(s);
}
