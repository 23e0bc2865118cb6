/**
 * Nothing a program prints, a client sends or a session does can take the server down or reach
 * another session (issue 15). Real server, real PTYs (bash), loopback only; every load is
 * bounded in count and time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SHELL } from '../helpers/shell.js';
import { ROOT, startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';

const TOKEN = 'hardening-test-token-0123456789abcdef';

/**
 * 8 view-link sockets at a time, each sending a 1 MB deeply nested JSON frame, reconnecting
 * when cut off, for the given milliseconds; prints how many frames went out.
 */
const ATTACKER = `
const WebSocket = require('ws');
const [url, n, ms] = process.argv.slice(1);
const nested = '['.repeat(500000) + ']'.repeat(500000);
const stop = Date.now() + Number(ms);
let sent = 0, refused = 0;
async function one() {
  while (Date.now() < stop) {
    await new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => { ws.send(nested); sent++; });
      ws.on('unexpected-response', () => { refused++; setTimeout(resolve, 50); });
      ws.on('error', () => resolve());
      ws.on('close', () => resolve());
    });
  }
}
Promise.all(Array.from({ length: Number(n) }, one)).then(() => { console.log('sent=' + sent + ' refused=' + refused); process.exit(0); });
`;
const OWNER = { authorization: `Bearer ${TOKEN}` };

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function open(server: RunningServer, id = randomUUID()): Promise<{ id: string; c: TestClient }> {
  const c = await TestClient.connect(`${server.wsUrl}/ws/${id}`, OWNER);
  c.send({ type: 'create_session' });
  await c.outputContains('ready$ ', 15_000);
  return { id, c };
}

/** Round trip of get_current_state on a socket, in ms. */
async function roundTrip(c: TestClient): Promise<number> {
  const from = c.messages.length;
  const t0 = performance.now();
  c.send({ type: 'get_current_state' });
  await c.next((m) => /^session_(idle|running|pending|ended)$/.test(m.type), 'the state', from, 10_000);
  return performance.now() - t0;
}

function rawRequest(port: number, text: string, localAddress = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => s.write(text));
    let out = '';
    s.setTimeout(5_000, () => s.destroy());
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

describe('program output and sizes', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ command: SHELL, token: TOKEN });
  });
  after(async () => {
    await server?.stop();
  });

  for (const count of ['2147483647', '100000000']) {
    test(`printf 'x\\033[${count}b' in one session: another answers within 200 ms throughout, RSS grows < 50 MiB`, async () => {
      const a = await open(server);
      const b = await open(server);
      const rss0 = rssMiB(server.proc.pid!);
      a.c.send({ type: 'input', input: `printf 'x\\033[${count}b'; echo rep-done` });
      const worst: number[] = [];
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline) worst.push(await roundTrip(b.c));
      await a.c.outputContains('rep-done', 10_000);
      worst.push(await roundTrip(b.c));
      const max = Math.max(...worst);
      assert.ok(max < 200, `another session's get_current_state took up to ${max.toFixed(0)} ms`);
      const grown = rssMiB(server.proc.pid!) - rss0;
      assert.ok(grown < 50, `RSS grew ${grown.toFixed(0)} MiB`);
      a.c.send({ type: 'input', input: 'echo still-$((6*7))' });
      await a.c.outputContains('still-42');
      await Promise.all([a.c.close(), b.c.close()]);
    });
  }

  test('a 1 MB line, then resize to 1 column, then more output: the server and the session carry on', async () => {
    const a = await open(server);
    a.c.send({ type: 'input', input: "head -c 1000000 /dev/zero | tr '\\0' y; echo; echo long-done" });
    await a.c.outputContains('long-done', 30_000);
    a.c.send({ type: 'resize', cols: 1, rows: 1 });
    a.c.send({ type: 'input', input: 'stty size; echo after-$((2+3))' });
    await a.c.outputContains('after-5', 10_000);
    const info = (await (await fetch(`${server.url}/api/sessions/${a.id}`, { headers: OWNER })).json()) as { cols: number; rows: number };
    assert.ok(info.cols >= 20 && info.rows >= 5, `clamped: ${info.cols}x${info.rows}`);
    // A viewer joining now gets a snapshot: the mirror is intact.
    const late = await TestClient.connect(`${server.wsUrl}/ws/${a.id}`, OWNER);
    await late.outputContains('after-5', 10_000);
    await Promise.all([a.c.close(), late.close()]);
  });

  test("a command in one session sees no other session's terminal among its descriptors", async () => {
    const one = await open(server);
    const two = await open(server);
    // The shell's descriptors: its own terminal (as 0, 1, 2, 255), nothing of another session.
    two.c.send({ type: 'input', input: 'ls -l /proc/$$/fd; t=$(tty); echo "foreign=$(ls -l /proc/$$/fd | grep -e ptmx -e /dev/pts/ | grep -v -c -- "$t")"' });
    await two.c.outputContains(/foreign=\d+/, 10_000);
    assert.equal(/foreign=(\d+)/.exec(two.c.output)?.[1], '0', `no other PTY (no ptmx, no other /dev/pts) in its /proc/self/fd: ${two.c.output.slice(-1500)}`);
    await Promise.all([one.c.close(), two.c.close()]);
  });
});

describe('bounded work per client', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ command: SHELL, token: TOKEN });
  });
  after(async () => {
    await server?.stop();
  });

  test("8 view-link sockets sending 1 MB nested frames for 10 s: the owner's round trip p99 < 50 ms", async () => {
    const { id, c } = await open(server);
    const link = (await (await fetch(`${server.url}/api/sessions/${id}/shares`, { method: 'POST', headers: { ...OWNER, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'view' }) })).json()) as { ws_url: string };
    // The attackers run in a process of their own: this one only measures the owner's latency.
    const attack = spawn(process.execPath, ['-e', ATTACKER, link.ws_url, '8', '10000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let report = '';
    attack.stdout!.on('data', (d: Buffer) => (report += d.toString()));
    const done = new Promise<void>((r) => attack.on('exit', () => r()));
    const stop = Date.now() + 10_000;
    const rtts: number[] = [];
    while (Date.now() < stop) rtts.push(await roundTrip(c));
    await done;
    const sent = Number(/sent=(\d+)/.exec(report)?.[1] ?? 0);
    rtts.sort((a, b) => a - b);
    const p99 = rtts[Math.floor(rtts.length * 0.99)] ?? 0;
    assert.ok(sent > 8, `the attack ran (${report.trim()})`);
    assert.ok(p99 < 50, `owner round trip p99 ${p99.toFixed(1)} ms over ${rtts.length}`);
    await c.close();
  });

  test('40 MiB of binary frames on an owner socket to a program that reads nothing: RSS grows < 64 MiB', async () => {
    const { c } = await open(server);
    c.send({ type: 'input', input: 'sleep 30' }); // bash stops reading its terminal while sleep runs
    await waitFor(async () => (await roundTrip(c)) >= 0, 'the state');
    const rss0 = rssMiB(server.proc.pid!);
    const frame = Buffer.alloc(1024 * 1024, 0x61);
    let peak = rss0;
    for (let i = 0; i < 40 && !c.closed; i++) {
      c.sendBinary(frame);
      if (i % 8 === 7) peak = Math.max(peak, rssMiB(server.proc.pid!));
    }
    const end = Date.now() + 3_000;
    while (Date.now() < end) {
      peak = Math.max(peak, rssMiB(server.proc.pid!));
      await new Promise((r) => setTimeout(r, 100)); // sampling interval, not a wait for a condition
    }
    assert.ok(peak - rss0 < 64, `RSS grew ${(peak - rss0).toFixed(0)} MiB`);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    await c.close();
  });
});

describe('the HTTP edge', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ command: SHELL, token: TOKEN });
  });
  after(async () => {
    await server?.stop();
  });

  test('//%zz and friends answer 4xx without an error log; malformed requests get 400/431', async () => {
    for (const p of ['//%zz', '//evil.example/x', '/%', '/t/%zz/api/sessions', '/api/%zz']) {
      const r = await rawRequest(server.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(r)?.[1]);
      assert.ok(status >= 400 && status < 500, `${p} → ${status}`);
    }
    assert.ok(!/"level":50/.test(server.stderr()), 'no error was logged');
    assert.match(await rawRequest(server.port, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431/);
  });

  test('/healthz tells a caller without a credential only that the server is up', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { ok: true });
    const full = (await (await fetch(`${server.url}/healthz`, { headers: OWNER })).json()) as Record<string, unknown>;
    assert.equal(typeof full.running, 'number');
  });

  test('guesses spread over many loopback addresses are limited in total; the owner is never locked out', async () => {
    let limited = 0;
    for (let i = 0; i < 80; i++) {
      const r = await rawRequest(server.port, `GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer guess-${i}-0123456789abcdef\r\nConnection: close\r\n\r\n`, `127.0.${1 + (i % 250)}.${1 + i}`);
      if (/^HTTP\/1\.1 429/.test(r)) limited++;
    }
    assert.ok(limited >= 15, `a spray over 80 addresses was limited in total (${limited} refused with 429)`);
    assert.equal((await fetch(`${server.url}/api/sessions`, { headers: OWNER })).status, 200, 'the right token still passes');
  });
});

describe('each session holds only its own processes, across a crash', () => {
  test('kill -9 of the server with a nohup sleep in a later session: the next start ends it; a resumed session has one process', async () => {
    const dataDir = tempDir('kill9-data');
    const workspace = tempDir('kill9-ws');
    const first = await startServer({ command: SHELL, token: TOKEN, dataDir, workspace });
    const one = await open(first);
    const two = await open(first);
    two.c.send({ type: 'input', input: 'nohup sleep 1000 >/dev/null 2>&1 & echo "sleeper=$!"' });
    await two.c.outputContains(/sleeper=\d+/);
    const sleeper = Number(/sleeper=(\d+)/.exec(two.c.output)?.[1]);
    assert.ok(isAlive(sleeper));
    first.proc.kill('SIGKILL');
    await waitFor(() => first.proc.exitCode !== null || first.proc.signalCode !== null, 'the server to die');
    assert.ok(isAlive(sleeper), 'precondition: the SIGHUP-immune process survived its server');
    const second = await startServer({ command: SHELL, token: TOKEN, dataDir, workspace });
    try {
      await waitFor(() => !isAlive(sleeper), 'the leftover to be ended at start', 5_000);
      const resumed = await TestClient.connect(`${second.wsUrl}/ws/${two.id}`, OWNER);
      resumed.send({ type: 'create_session' });
      await resumed.outputContains('ready$ ', 15_000);
      const folder = path.join(workspace, two.id);
      const inFolder = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return fs.readlinkSync(`/proc/${p}/cwd`) === folder;
        } catch {
          return false;
        }
      });
      assert.equal(inFolder.length, 1, `one process for the resumed session: ${inFolder.join(' ')}`);
      await resumed.close();
    } finally {
      await second.stop();
    }
    await one.c.close().catch(() => undefined);
  });
});

describe('the owner token stays secret', () => {
  for (const how of ['generated at first start', 'read from a file'] as const) {
    test(`${how}: ps and /proc/<server>/{cmdline,environ}, read from a session, hold no token`, async () => {
      const dataDir = tempDir('secret-data');
      let token: string;
      let server: RunningServer;
      if (how === 'read from a file') {
        token = `file-token-${randomUUID()}`;
        const file = path.join(dataDir, 'token');
        fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
        server = await startServer({ command: SHELL, dataDir, token: 'generated', extraArgs: ['--token-file', file] });
      } else {
        server = await startServer({ command: SHELL, dataDir, token: 'generated' });
        token = new URL(/Login URL[^:]*: (\S+)/.exec(server.stdout())![1]!).searchParams.get('token')!;
      }
      try {
        const headers = { authorization: `Bearer ${token}` };
        const c = await TestClient.connect(`${server.wsUrl}/ws/${randomUUID()}`, headers);
        c.send({ type: 'create_session' });
        await c.outputContains('ready$ ', 15_000);
        const pid = server.proc.pid!;
        c.send({ type: 'input', input: `{ ps -eo args; tr '\\0' ' ' < /proc/${pid}/cmdline; tr '\\0' '\\n' < /proc/${pid}/environ; env; } > probe.txt; echo "pro""bed"` });
        await c.outputContains(/\bprobed/);
        const id = new URL(c.ws.url).pathname.split('/').pop()!;
        const probe = fs.readFileSync(path.join(server.workspace, id, 'probe.txt'), 'utf8');
        assert.ok(probe.length > 100 && probe.includes('main.js'), 'the probe read the server');
        assert.ok(!probe.includes(token), 'no token anywhere a session can read');
        await c.close();
      } finally {
        await server.stop();
      }
    });
  }

  test('10 wrong tokens from 127.0.0.1, then the right one: 200', async () => {
    const server = await startServer({ command: SHELL, token: TOKEN });
    try {
      for (let i = 0; i < 10; i++) await fetch(`${server.url}/api/sessions`, { headers: { authorization: `Bearer wrong-${i}-0123456789abcdef` } });
      assert.equal((await fetch(`${server.url}/api/sessions`, { headers: OWNER })).status, 200);
    } finally {
      await server.stop();
    }
  });
});
