/**
 * The web UI's built files (dist/web, made by Vite): hashed assets under /assets/ (public,
 * cached for good) and index.html for the app's pages (never cached; only for callers who are
 * logged in). Only plain file names are served: no path ever leaves the assets folder.
 *
 * Assets go out compressed when the browser takes it: the build writes `<file>.br` and
 * `<file>.gz` beside each compressible file (scripts/vite-precompress.mjs), and the best one the
 * request's Accept-Encoding allows is sent (browsers offer brotli only over HTTPS, so a LAN page
 * on plain HTTP gets gzip). No source maps are built, and none would be served.
 */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from './pages.js';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // streaming compilation needs it
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ico': 'image/x-icon',
};

/** Files at most this big are kept in memory once read; bigger ones (the VAD's wasm) are streamed. */
const CACHE_MAX_FILE = 1024 * 1024;
const memory = new Map<string, Buffer>();

/** Encodings in order of preference, with the suffix the build gives their files. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** The encodings an Accept-Encoding header allows (a `;q=0` refuses one). */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [raw, ...params] = part.toLowerCase().split(';');
    const name = raw?.trim();
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (q !== undefined && Number(q) === 0) continue;
    out.add(name);
  }
  return out;
}

function fileSize(file: string): number | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** Answers /assets/<name>; false when there is no such file. */
export function serveAsset(res: ServerResponse, name: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || /\.(br|gz|map)$/.test(name)) return false;
  const file = path.join(WEB_DIR, 'assets', name);
  const plainSize = fileSize(file);
  if (plainSize === null) return false;
  const accepted = acceptedEncodings(res.req?.headers['accept-encoding']);
  let chosen: { file: string; size: number; encoding: string | null } = { file, size: plainSize, encoding: null };
  for (const e of ENCODINGS) {
    if (!accepted.has(e.name)) continue;
    const size = fileSize(file + e.suffix);
    if (size !== null) {
      chosen = { file: file + e.suffix, size, encoding: e.name };
      break;
    }
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream',
    'Content-Length': chosen.size,
    'Cache-Control': 'public, max-age=31536000, immutable',
    Vary: 'Accept-Encoding',
    ...(chosen.encoding ? { 'Content-Encoding': chosen.encoding } : {}),
  });
  if (chosen.size > CACHE_MAX_FILE) {
    fs.createReadStream(chosen.file).on('error', () => res.destroy()).pipe(res);
    return true;
  }
  let data = memory.get(chosen.file);
  if (!data) {
    data = fs.readFileSync(chosen.file);
    memory.set(chosen.file, data);
  }
  res.end(data);
  return true;
}

/** The app's page; false when the UI has not been built. */
export function serveApp(res: ServerResponse): boolean {
  let html: Buffer;
  try {
    html = fs.readFileSync(path.join(WEB_DIR, 'index.html'));
  } catch {
    return false;
  }
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': html.length, 'Cache-Control': 'no-store' });
  res.end(html);
  return true;
}
