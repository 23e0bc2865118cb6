/**
 * Run by Claude Code for each hook (`node hook-relay.js`): posts the hook's JSON (stdin) to the
 * ccpty server on loopback with the session's secret, then exits 0 with no output, whatever
 * happens. Claude Code waits for hooks, so this gives up after RELAY_TIMEOUT_MS, and a server
 * that is gone costs one refused connection.
 * Environment (set by the launcher): CCPTY_HOOK_URL, CCPTY_HOOK_SECRET.
 */
import http from 'node:http';

const RELAY_TIMEOUT_MS = 1500;
const MAX_PAYLOAD = 4 * 1024 * 1024;

function relay(): void {
  const url = process.env.CCPTY_HOOK_URL;
  const secret = process.env.CCPTY_HOOK_SECRET;
  if (!url || !secret) return;
  const chunks: Buffer[] = [];
  let size = 0;
  process.stdin.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_PAYLOAD) chunks.push(c);
  });
  process.stdin.on('end', () => {
    if (size > MAX_PAYLOAD) return;
    const body = Buffer.concat(chunks);
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-ccpty-hook-secret': secret },
      timeout: RELAY_TIMEOUT_MS,
    });
    req.on('response', (res) => res.resume());
    req.on('timeout', () => req.destroy());
    req.on('error', () => undefined);
    req.end(body);
  });
  process.stdin.on('error', () => undefined);
}

setTimeout(() => process.exit(0), RELAY_TIMEOUT_MS + 200).unref();
relay();
