import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASH, installRelayScript } from './relay-script.js';

// Both relays, as Claude Code runs them (`node hook-relay.js` or `bash hook-relay.sh`), hook
// JSON on stdin. The bash one is what the server installs where /bin/bash exists.
const RELAYS: ReadonlyArray<{ name: string; argv: string[] }> = [
  { name: 'node relay', argv: [process.execPath, fileURLToPath(new URL('./hook-relay.js', import.meta.url))] },
  { name: 'bash relay', argv: [BASH, installRelayScript(fs.mkdtempSync(path.join(os.tmpdir(), 'ccpty-relay-')))!] },
];

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the relay; `input` null leaves stdin open (as a hook runner that never closes it would). */
function runRelay(argv: string[], env: Record<string, string>, input: string | null): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined); // the relay may exit before reading it all
    // Safety net only: a relay that hangs is a failure, not a hung test run.
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      if (input === null) child.stdin.destroy();
      resolve({ code, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    });
    if (input !== null) child.stdin.end(input);
  });
}

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/abc` };
}

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const PAYLOAD = JSON.stringify({
  session_id: 'e682aa8d-0000-4000-8000-000000000000',
  transcript_path: '/tmp/t/cfg/projects/-tmp-t-proj/e682aa8d-0000-4000-8000-000000000000.jsonl',
  cwd: '/tmp/t/proj',
  hook_event_name: 'PermissionRequest',
  tool_name: 'Bash',
  tool_input: { command: 'touch hello-from-tool.txt && echo hello-from-tool', description: 'Print a greeting — ✓ ünïcode' },
});

for (const relay of RELAYS) describe(relay.name, () => {
  const run = (env: Record<string, string>, input: string | null) => runRelay(relay.argv, env, input);

  test('relay: POSTs stdin JSON with the secret header, exits 0 with no output (wall time: median of 5)', async (t) => {
    const received: Received[] = [];
    const { server, url } = await listen((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    try {
      const env = { CCPTY_HOOK_URL: url, CCPTY_HOOK_SECRET: 's3cret' };
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await run(env, PAYLOAD);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, '');
        times.push(r.ms);
      }
      assert.equal(received.length, 5);
      for (const req of received) {
        assert.equal(req.method, 'POST');
        assert.equal(req.url, '/hooks/abc');
        assert.equal(req.headers['x-ccpty-hook-secret'], 's3cret');
        assert.match(String(req.headers['content-type']), /^application\/json/);
        assert.equal(req.body, PAYLOAD);
        assert.deepEqual(JSON.parse(req.body), JSON.parse(PAYLOAD));
      }
      times.sort((a, b) => a - b);
      const median = times[2] ?? NaN;
      t.diagnostic(`relay wall time (spawn → exit, server answers 204): median ${median.toFixed(1)} ms of 5; all ${times.map((x) => x.toFixed(1)).join(', ')} ms`);
      // It exits as soon as the POST is answered, not at its give-up timer.
      assert.ok(median < 1500, `median ${median} ms`);
    } finally {
      await stop(server);
    }
  });

  test('relay: a server answering 500 or 403 still means exit 0 with no output', async () => {
    let status = 500;
    const { server, url } = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status).end('nope'));
    });
    try {
      for (status of [500, 403]) {
        const r = await run({ CCPTY_HOOK_URL: url, CCPTY_HOOK_SECRET: 's3cret' }, PAYLOAD);
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
        assert.ok(r.ms < 1500, `${r.ms} ms`);
      }
    } finally {
      await stop(server);
    }
  });

  test('relay: a closed port means exit 0 quickly (< 2 s), nothing on stdout or stderr', async (t) => {
    // A port that was just free: listen, note it, close.
    const { server, url } = await listen(() => undefined);
    await stop(server);
    const r = await run({ CCPTY_HOOK_URL: url, CCPTY_HOOK_SECRET: 's3cret' }, PAYLOAD);
    t.diagnostic(`closed port: ${r.ms.toFixed(1)} ms`);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.ok(r.ms < 2000, `${r.ms} ms`);
  });

  test('relay: a server that never answers means exit 0 within about 2 s', async (t) => {
    let got = 0;
    const { server, url } = await listen((req) => {
      got++;
      req.resume(); // read the request, never respond
    });
    try {
      const r = await run({ CCPTY_HOOK_URL: url, CCPTY_HOOK_SECRET: 's3cret' }, PAYLOAD);
      t.diagnostic(`silent server: ${r.ms.toFixed(1)} ms`);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '');
      assert.equal(got, 1);
      assert.ok(r.ms < 2500, `${r.ms} ms`);
    } finally {
      await stop(server);
    }
  });

  test('relay: stdin never closed means exit 0 within about 2 s', async () => {
    const { server, url } = await listen((req, res) => res.end());
    try {
      const r = await run({ CCPTY_HOOK_URL: url, CCPTY_HOOK_SECRET: 's3cret' }, null);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
      assert.ok(r.ms < 2500, `${r.ms} ms`);
    } finally {
      await stop(server);
    }
  });

  test('relay: without CCPTY_HOOK_URL / CCPTY_HOOK_SECRET it exits 0 at once, even with stdin open', async (t) => {
    const { server, url } = await listen((req, res) => {
      res.end();
      assert.fail(`unexpected request ${req.url}`);
    });
    try {
      const envs: Record<string, string>[] = [{}, { CCPTY_HOOK_URL: url }, { CCPTY_HOOK_SECRET: 's3cret' }];
      for (const env of envs) {
        const r = await run(env, null);
        t.diagnostic(`env ${JSON.stringify(Object.keys(env))}: ${r.ms.toFixed(1)} ms`);
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
        assert.ok(r.ms < 1000, `${r.ms} ms`);
        const piped = await run(env, PAYLOAD);
        assert.deepEqual([piped.code, piped.stdout, piped.stderr], [0, '', '']);
      }
    } finally {
      await stop(server);
    }
  });
});
