/**
 * The server's own HTML pages until the web UI lands: the login page and a landing page.
 * These carry no script; the CSP allows only same-origin script files (the built UI), never
 * inline script; styles may be inline (xterm.js sets them on its elements). Voice needs two
 * things more, nothing from another origin: compiling WebAssembly ('wasm-unsafe-eval', for the
 * VAD's ONNX runtime; it allows no eval of script) and playing audio from blob: URLs (the
 * spoken replies).
 */
import type { ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:10vh auto;padding:0 1rem;color:#ddd;background:#1d232a}
input,button{font:inherit;padding:.6rem .8rem;border-radius:.5rem;border:1px solid #555;background:#111;color:#eee;width:100%;box-sizing:border-box}
button{margin-top:.8rem;background:#3b5bdb;border:0;color:#fff;cursor:pointer}.err{color:#f87272}code{color:#9cf}`;

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store' });
  res.end(html);
}

export function loginPage(res: ServerResponse, status: number, error: string | null): void {
  sendPage(res, status, 'ccpty — log in', `<h1>ccpty</h1><p>Paste the access token (or open the login URL the server printed).</p>
${error ? `<p class="err">${escape(error)}</p>` : ''}<form method="post" action="/login"><input name="token" type="password" autocomplete="current-password" placeholder="access token" required autofocus><button type="submit">Log in</button></form>`);
}

export function landingPage(res: ServerResponse, role: string): void {
  sendPage(res, 200, 'ccpty', `<h1>ccpty</h1><p>You are logged in (${escape(role)}). The web UI has not been built on this machine
(<code>npm run build</code>); meanwhile sessions are reachable over <code>/ws/&lt;id&gt;</code> and <code>/api/…</code> (see docs/protocol.md).</p>`);
}
