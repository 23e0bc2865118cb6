/**
 * Access control over real HTTP and WebSockets: every route and the upgrade need a credential;
 * wrong, expired and revoked credentials, foreign Origins and Hosts are refused; share links
 * are scoped to one session and a role; limits answer with their error; TLS serves directly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import nodeHttp from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { ROUTES } from '../../src/server/http/routes.js';
import { MAIN, startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { waitFor } from '../helpers/wait.js';
import { SHELL } from '../helpers/shell.js';

const TOKEN = 'test-owner-token-0123456789';
const OWNER = { authorization: `Bearer ${TOKEN}` };

async function http(server: RunningServer, method: string, p: string, opts: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${server.url}${p}`, { method, headers: opts.headers, body: opts.body, redirect: 'manual' });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a page
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Status of a plain node:http request (fetch will not send a Host header of our choosing). */
function rawStatus(server: RunningServer, p: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    nodeHttp.get(`${server.url}${p}`, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** Status of a WebSocket upgrade (101 when accepted). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', (err) => reject(err));
  });
}

async function createShare(server: RunningServer, id: string, role: 'view' | 'control', expires_in?: number) {
  const r = await http(server, 'POST', `/api/sessions/${id}/shares`, { headers: OWNER, body: JSON.stringify({ role, expires_in }) });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as { id: string; secret: string; url: string; ws_url: string; role: string };
}

describe('with the access token', () => {
  let server: RunningServer;
  let ownerCookie = '';
  let id: string;
  let owner: TestClient;
  before(async () => {
    server = await startServer({ command: SHELL, token: TOKEN });
    id = randomUUID();
    owner = await TestClient.connect(`${server.wsUrl}/ws/${id}`, OWNER);
    owner.send({ type: 'create_session' });
    await owner.outputContains('ready$ ');
  });
  after(async () => {
    await owner?.close();
    await server?.stop();
  });

  test('no route and no upgrade works without a credential (every registered route)', async () => {
    for (const r of ROUTES) {
      const p = r.path.replace('{id}', id).replace('{share}', 'abcdef');
      const res = await http(server, r.method, p, { body: r.method === 'GET' ? undefined : '{}' });
      if (r.access === 'public') assert.equal(res.status, 200, `${r.method} ${r.path} is public`);
      else if (r.access === 'hook') assert.equal(res.status, 403, `${r.method} ${r.path} needs the run's secret`);
      else assert.equal(res.status, 401, `${r.method} ${r.path} without a credential → ${res.status}`);
    }
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/${id}`), 401);
    // The login page is public; it is all an anonymous caller gets.
    const page = await http(server, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /access token/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /script-src[^;]*unsafe-inline/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(!/<script/i.test(page.text), 'no inline script');
  });

  test('the token works as Bearer, as a /t/<token>/ prefix, and as ?token= on a first page load', async () => {
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: OWNER })).status, 200);
    assert.equal((await http(server, 'GET', `/t/${TOKEN}/api/sessions`)).status, 200);
    assert.equal(await upgradeStatus(`${server.wsUrl}/t/${TOKEN}/ws/${id}`), 101);
    const login = await http(server, 'GET', `/?id=${id}&token=${TOKEN}`);
    // A same-origin page moves on (a redirect would keep a cross-site click cross-site, and the
    // SameSite=Strict cookie would not be sent).
    assert.equal(login.status, 200);
    assert.match(login.text, new RegExp(`<meta http-equiv="refresh" content="0;url=/\\?id=${id}">`), 'the token leaves the URL');
    assert.ok(!login.text.includes(TOKEN), 'and the page');
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^ccpty_login=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    assert.ok(!cookie.includes(TOKEN), 'the cookie is not the token');
    const jar = cookie.split(';')[0]!;
    ownerCookie = jar;
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: { cookie: jar } })).status, 200);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/${id}`, { cookie: jar }), 101);
  });

  test('a wrong token is refused; repeated failures are rate-limited', async () => {
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    assert.equal(await upgradeStatus(`${server.wsUrl}/t/wrong-token-0123456789/ws/${id}`), 401);
    assert.equal((await http(server, 'GET', '/?token=wrong-token-0123456789')).status, 401);
    const form = await http(server, 'POST', '/login', { body: 'token=nope-nope-nope-nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 401);
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) {
      status = (await http(server, 'GET', '/api/sessions', { headers: { authorization: `Bearer bad-${i}-0123456789abcdef` } })).status;
    }
    assert.equal(status, 429, 'after 10 failures in a minute');
    // A correct credential always passes, from that same address too: the owner's own Bearer
    // token, /t/ prefix and login link are never locked out by someone guessing.
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: OWNER })).status, 200);
    assert.equal(await upgradeStatus(`${server.wsUrl}/t/${TOKEN}/ws/${id}`), 101);
    assert.equal((await http(server, 'GET', `/?token=${TOKEN}`)).status, 200, 'a new login from that address works');
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: { cookie: ownerCookie } })).status, 200);
    // Failures keep being answered 429 while the window lasts.
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: { authorization: 'Bearer still-wrong-0123456789' } })).status, 429);
  });

  test('malformed credentials never crash the server', async () => {
    // 401, or 429 while this address is still locked out by the previous test: a refusal, not a crash.
    assert.ok([401, 429].includes(await upgradeStatus(`${server.wsUrl}/t/%zz/ws/${id}`)));
    assert.equal((await http(server, 'GET', '/t/%zz/api/sessions', { headers: { cookie: ownerCookie } })).status, 200, 'the cookie still counts');
    assert.equal((await http(server, 'GET', '/healthz')).status, 200, 'still up');
  });
});

describe('origins, hosts, share links and limits', () => {
  let server: RunningServer;
  let id: string;
  let other: string;
  let owner: TestClient;
  before(async () => {
    server = await startServer({ command: SHELL, token: TOKEN, extraArgs: ['--max-sessions', '2', '--max-viewers', '4'] });
    id = randomUUID();
    other = randomUUID();
    owner = await TestClient.connect(`${server.wsUrl}/ws/${id}`, OWNER);
    owner.send({ type: 'create_session' });
    await owner.outputContains('ready$ ');
  });
  after(async () => {
    await owner?.close();
    await server?.stop();
  });

  test('a foreign Origin is refused for upgrades and state changes; a foreign Host for everything', async () => {
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/${id}`, { ...OWNER, origin: 'https://evil.example' }), 403);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/${id}`, { ...OWNER, origin: server.url }), 101);
    const post = await http(server, 'POST', `/api/${id}/input`, { headers: { ...OWNER, origin: 'https://evil.example' }, body: JSON.stringify({ type: 'input', input: 'echo EVIL' }) });
    assert.equal(post.status, 403);
    assert.equal(await rawStatus(server, '/api/sessions', { ...OWNER, host: `evil.example:${server.port}` }), 421);
    assert.equal(await rawStatus(server, '/api/sessions', { ...OWNER, host: `localhost:${server.port}` }), 200, 'loopback names are this server');
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/${id}`, { ...OWNER, host: `rebound.example:${server.port}` }), 421);
    assert.ok(!owner.output.includes('EVIL'), 'nothing reached the PTY');
  });

  test('a view link gets output and state; every input it sends is refused and never reaches the PTY', async () => {
    const share = await createShare(server, id, 'view');
    assert.match(share.url, new RegExp(`/\\?id=${id}&share=`));
    const view = await TestClient.connect(share.ws_url);
    await view.nextType('session_pty_output');
    // The state follows the snapshot once its frame has been handed to the OS (one frame in flight).
    await view.next((m) => m.type === 'session_idle' || m.type === 'session_running', 'state');
    const from = view.messages.length;
    view.send({ type: 'input', input: 'echo VIEWLEAK1' });
    view.send({ type: 'bytes_input', input: [...Buffer.from('echo VIEWLEAK2\r')] });
    view.sendBinary('echo VIEWLEAK3\r');
    view.send({ type: 'resize', cols: 50, rows: 10 });
    view.send({ type: 'cancel' });
    view.send({ type: 'confirm' });
    view.send({ type: 'select', index: 0 });
    view.send({ type: 'create_session' });
    await waitFor(() => view.messages.slice(from).filter((m) => m.type === 'session_error').length === 8, 'eight refusals');
    assert.ok(view.messages.slice(from).filter((m) => m.type === 'session_error').every((m) => m.error_code === 'forbidden'));
    const rest = await http(server, 'POST', `/api/${id}/input`, { headers: { authorization: `Bearer ${share.secret}` }, body: JSON.stringify({ type: 'input', input: 'echo VIEWLEAK4' }) });
    assert.equal(rest.status, 403);
    assert.equal(rest.json.error_code, 'forbidden');
    const state = await http(server, 'POST', `/api/${id}/input`, { headers: { authorization: `Bearer ${share.secret}` }, body: JSON.stringify({ type: 'get_current_state' }) });
    assert.equal(state.status, 200, 'reading the state is allowed');
    // Output still flows to the view link, and nothing it sent was typed.
    owner.send({ type: 'input', input: 'echo owner-$((6*7)); stty size' });
    await view.outputContains('owner-42');
    await owner.outputContains('owner-42');
    assert.ok(!/VIEWLEAK/.test(owner.output), 'the PTY got none of the view link input');
    assert.ok(!owner.output.includes('10 50'), 'the view link did not resize');
    await view.close();
  });

  test('a link login always lands on this server (no open redirect)', async () => {
    const share = await createShare(server, id, 'view');
    const page = await http(server, 'GET', `/.//evil.example/?share=${share.secret}`);
    assert.equal(page.status, 200);
    const target = /content="0;url=([^"]+)"/.exec(page.text)?.[1] ?? '';
    assert.ok(target.startsWith('/') && !target.startsWith('//'), `stays here: ${target}`);
  });

  test('a view link is refused before its message is validated, over the socket and REST', async () => {
    const share = await createShare(server, id, 'view');
    const view = await TestClient.connect(share.ws_url);
    // A small action: refused from its type alone.
    view.send({ type: 'input', input: 'AAAA' });
    const refused = await view.nextType('session_error');
    assert.equal(refused.error_code, 'forbidden');
    // A big frame: a view link never needs one; the socket is closed before it is read (1009).
    const big = JSON.stringify({ type: 'bytes_input', input: new Array(300_000).fill(65) });
    view.ws.send(big);
    await waitFor(() => view.closed, 'the view socket to be closed');
    assert.equal(view.closed?.code, 1009);
    const rest = await http(server, 'POST', `/api/${id}/input`, { headers: { authorization: `Bearer ${share.secret}` }, body: big });
    assert.equal(rest.status, 403);
    assert.ok(!owner.output.includes('AAAA'), 'nothing typed');
  });

  test('a control link works for its session and no other', async () => {
    const share = await createShare(server, id, 'control');
    const ctl = await TestClient.connect(share.ws_url);
    await ctl.nextType('session_pty_output');
    ctl.send({ type: 'input', input: 'echo ctl-$((3*3))' });
    await owner.outputContains('ctl-9');
    const bearer = { authorization: `Bearer ${share.secret}` };
    assert.equal((await http(server, 'POST', `/api/${id}/input`, { headers: bearer, body: JSON.stringify({ type: 'input', input: 'echo ctlrest-$((2*2))' }) })).status, 200);
    await owner.outputContains('ctlrest-4');
    assert.equal((await http(server, 'GET', `/api/sessions/${id}`, { headers: bearer })).status, 200);
    assert.equal((await http(server, 'GET', `/api/sessions/${other}`, { headers: bearer })).status, 403);
    assert.equal((await http(server, 'POST', `/api/${other}/input`, { headers: bearer, body: JSON.stringify({ type: 'create_session' }) })).status, 403);
    assert.equal((await http(server, 'GET', '/api/sessions', { headers: bearer })).status, 403);
    assert.equal((await http(server, 'POST', `/api/sessions/${id}/shares`, { headers: bearer, body: '{"role":"control"}' })).status, 403);
    assert.equal(await upgradeStatus(`${server.wsUrl}/t/${share.secret}/ws/${other}`), 403);
    await ctl.close();
  });

  test('a revoked link closes its sockets at once and opens nothing; an expired one opens nothing', async () => {
    const share = await createShare(server, id, 'view');
    const view = await TestClient.connect(share.ws_url);
    await view.nextType('session_pty_output');
    const list = await http(server, 'GET', `/api/sessions/${id}/shares`, { headers: OWNER });
    assert.ok((list.json.shares as Array<{ id: string; active: boolean }>).some((s) => s.id === share.id && s.active));
    const revoked = await http(server, 'DELETE', `/api/shares/${share.id}`, { headers: OWNER });
    assert.equal(revoked.status, 200);
    await waitFor(() => view.closed, 'the socket to close');
    assert.equal(view.closed?.code, 4403);
    assert.equal(await upgradeStatus(share.ws_url), 401);
    assert.equal((await http(server, 'GET', `/api/sessions/${id}`, { headers: { authorization: `Bearer ${share.secret}` } })).status, 401);

    const soon = await createShare(server, id, 'control', 60);
    // Let it expire: move its expiry into the past in the real store.
    const db = new Database(path.join(server.dataDir, 'ccpty.sqlite3'));
    db.prepare('UPDATE shares SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, soon.id);
    db.close();
    assert.equal(await upgradeStatus(soon.ws_url), 401);
    assert.equal((await http(server, 'GET', `/?share=${soon.secret}`)).status, 401);
    // A long-lived link's socket stays open (its expiry is past a timer's range).
    const long = await createShare(server, id, 'view', 365 * 24 * 3600);
    const lv = await TestClient.connect(long.ws_url);
    await lv.nextType('session_pty_output');
    owner.send({ type: 'input', input: 'echo long-$((5*5))' });
    await lv.outputContains('long-25');
    assert.equal(lv.closed, null);
    await lv.close();
  });

  test('limits: running sessions and viewers per session answer with their error', async () => {
    const second = await TestClient.connect(`${server.wsUrl}/ws/${other}`, OWNER);
    second.send({ type: 'create_session' });
    await second.outputContains('ready$ ');
    const count = async (): Promise<number> => ((await http(server, 'GET', '/api/sessions', { headers: OWNER })).json.sessions as unknown[]).length;
    // Counted before any refusal: neither transport may record a session it refused to start.
    const before = await count();
    const third = await TestClient.connect(`${server.wsUrl}/ws/${randomUUID()}`, OWNER);
    third.send({ type: 'create_session' });
    const err = await third.nextType('session_error');
    assert.equal(err.error_code, 'limit_exceeded');
    assert.match(String(err.error_message), /max-sessions/);
    assert.equal(await count(), before, 'a create_session refused over the socket records no session');
    const rest = await http(server, 'POST', '/api/sessions', { headers: OWNER });
    assert.equal(rest.status, 429);
    assert.equal(await count(), before, 'a refused REST start records no session');
    const link = await createShare(server, other, 'view');
    const viewers: TestClient[] = [];
    while (viewers.length < 3) viewers.push(await TestClient.connect(link.ws_url));
    assert.equal(await upgradeStatus(link.ws_url), 429, 'the fifth socket on one session, from a link');
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/${other}`, OWNER), 101, 'a link can never lock the owner out');
    await Promise.all([second, third, ...viewers].map((c) => c.close()));
  });

  test('the token is never in the logs nor in clear in the store', () => {
    const logs = server.stderr();
    assert.ok(logs.length > 1000, 'there are debug logs to look at');
    assert.ok(!logs.includes(TOKEN), 'not in the logs');
    const files = fs.readdirSync(server.dataDir).filter((f) => f.startsWith('ccpty.sqlite3'));
    for (const f of files) assert.ok(!fs.readFileSync(path.join(server.dataDir, f)).includes(TOKEN), `not in ${f}`);
  });
});

describe('token lifecycle, --no-auth and TLS', () => {
  const loginUrl = (stdout: string): string | undefined => /Login URL[^:]*: (\S+)/.exec(stdout)?.[1];

  test('first start makes a token and prints its login URL once; `token rotate` replaces it', async () => {
    const dataDir = tempDir('tok');
    const first = await startServer({ command: SHELL, dataDir, token: 'generated' });
    const url = loginUrl(first.stdout());
    assert.ok(url, `a login URL is printed: ${first.stdout()}`);
    const token = new URL(url).searchParams.get('token')!;
    assert.ok(Buffer.from(token, 'base64url').length >= 16, '≥128 bits');
    assert.equal((await http(first, 'GET', '/api/sessions', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.ok(!first.stderr().includes(token), 'not in the log');
    await first.stop();

    const again = await startServer({ command: SHELL, dataDir, token: 'generated' });
    assert.equal(loginUrl(again.stdout()), undefined, 'printed only once');
    assert.equal((await http(again, 'GET', '/api/sessions', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    await again.stop();

    const rotate = spawnSync(process.execPath, [MAIN, 'token', 'rotate', '--data-dir', dataDir, '--bind', '127.0.0.1:4123'], { encoding: 'utf8' });
    assert.equal(rotate.status, 0, rotate.stderr);
    const rotated = loginUrl(rotate.stdout);
    assert.ok(rotated?.startsWith('http://127.0.0.1:4123/?token='), rotate.stdout);
    const newToken = new URL(rotated!).searchParams.get('token')!;
    const after = await startServer({ command: SHELL, dataDir, token: 'generated' });
    assert.equal((await http(after, 'GET', '/api/sessions', { headers: { authorization: `Bearer ${token}` } })).status, 401, 'the old token is dead');
    assert.equal((await http(after, 'GET', '/api/sessions', { headers: { authorization: `Bearer ${newToken}` } })).status, 200);
    await after.stop();
  });

  test('--no-auth with a non-loopback bind refuses to start', async () => {
    const r = spawnSync(process.execPath, [MAIN, '--no-auth', '--bind', '0.0.0.0:0', '--data-dir', tempDir('na'), '--workspace', tempDir('naw'), '-c', 'true'], { encoding: 'utf8', timeout: 10_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--no-auth is refused with a non-loopback bind/);
    assert.equal(r.stdout, '', 'nothing started');
  });

  test('--tls-cert/--tls-key serve HTTPS and WSS', async () => {
    const dir = tempDir('tls');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const server = await startServer({ command: SHELL, token: TOKEN, extraArgs: ['--tls-cert', path.join(dir, 'c.pem'), '--tls-key', path.join(dir, 'k.pem')] });
    try {
      assert.ok(server.url.startsWith('https://'), server.url);
      const status = await new Promise<number>((resolve, reject) => {
        https.get(`${server.url}/api/sessions`, { headers: OWNER, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(status, 200);
      const ws = new WebSocket(`${server.wsUrl}/ws/${randomUUID()}`, { headers: OWNER, rejectUnauthorized: false });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.close();
    } finally {
      await server.stop();
    }
  });
});
