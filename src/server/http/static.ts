/**
 * The web UI's built files (dist/web, made by Vite): hashed assets under /assets/ (public,
 * cached for good) and index.html for the app's pages (never cached; only for callers who are
 * logged in). Only plain file names are served: no path ever leaves the assets folder.
 */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from './pages.js';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** Answers /assets/<name>; false when there is no such file. */
export function serveAsset(res: ServerResponse, name: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return false;
  const file = path.join(WEB_DIR, 'assets', name);
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return false;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream',
    'Content-Length': data.length,
    'Cache-Control': 'public, max-age=31536000, immutable',
  });
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
