/**
 * The session server over real sockets: a real server process on a free port, real
 * WebSocket clients, real PTYs running a shell.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { renderScreen, TestClient } from '../helpers/ws-client.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { SHELL } from '../helpers/shell.js';


async function post(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function open(server: RunningServer, id = randomUUID()): Promise<{ id: string; c: TestClient }> {
  const c = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
  c.send({ type: 'create_session' });
  await c.outputContains('ready$ ');
  return { id, c };
}

describe('session server with a shell', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ command: SHELL });
  });
  after(async () => {
    await server.stop();
  });

  test('create_session starts the command in its own folder; input and binary frames reach the PTY', async () => {
    const { id, c } = await open(server);
    await c.nextType('session_running');
    assert.ok(fs.statSync(path.join(server.workspace, id)).isDirectory());
    c.send({ type: 'input', input: 'echo "in-$((40+2)) $PWD $CLAUDE_SESSION_ID"' });
    await c.outputContains(`in-42 ${path.join(server.workspace, id)} ${id}`);
    c.sendBinary('echo bin-$((1+1)) $TERM $COLORTERM\r');
    await c.outputContains('bin-2 xterm-256color truecolor');
    await c.close();
  });

  test('get_current_state answers running/idle; activity drives the state', async () => {
    const { c } = await open(server);
    await c.nextType('session_idle');
    const from = c.messages.length;
    c.send({ type: 'get_current_state' });
    const m = await c.next((x) => x.type === 'session_idle' || x.type === 'session_running', 'a state', from);
    assert.equal(m.type, 'session_idle');
    const from2 = c.messages.length;
    c.send({ type: 'input', input: 'for i in 1 2 3 4 5 6; do echo tick; sleep 0.2; done' });
    await c.nextType('session_running', from2);
    await c.nextType('session_idle', from2);
    await c.close();
  });

  test('two viewers get identical output; a late viewer gets the screen first, then live output', async () => {
    const { id, c: a } = await open(server);
    const b = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    // b joined a running session: its first frame is the PTY's size (to size its terminal
    // before the snapshot is written into it), then the snapshot, then the state.
    await b.nextType('session_pty_output');
    assert.equal(b.messages[0]?.type, 'session_size');
    assert.deepEqual([b.messages[0]?.cols, b.messages[0]?.rows], [80, 24], 'no viewer sized it yet');
    assert.ok((b.messages[1]?.output as string).startsWith('\x1bc'), 'snapshot starts with a reset');
    assert.ok((b.messages[1]?.output as string).includes('ready$'), 'snapshot shows the prompt');
    assert.match(b.messages[2]?.type ?? '', /^session_(idle|running)$/);
    a.send({ type: 'input', input: 'echo MARK; seq 1 3000; echo END-$((6*7))' });
    await a.outputContains('END-42\r\n');
    await b.outputContains('END-42\r\n');
    const tail = (s: string) => s.slice(s.indexOf('echo MARK'));
    await waitFor(() => tail(a.output) === tail(b.output), 'both viewers to hold the same output');

    const late = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    const first = await late.nextType('session_pty_output');
    assert.equal(late.messages[0]?.type, 'session_size');
    assert.equal(late.messages[1], first);
    assert.ok((first.output as string).includes('END-42'), 'the snapshot holds the earlier output');
    assert.ok((first.output as string).includes('\r\n2999\r\n'), 'with scrollback');
    const from = late.messages.length;
    a.send({ type: 'input', input: 'echo AFTER-$((2+3))' });
    await late.outputContains('AFTER-5');
    // nothing repeated: the snapshot's content does not come again as live output
    const live = late.messages.slice(from).filter((m) => m.type === 'session_pty_output').map((m) => m.output).join('');
    assert.ok(!live.includes('END-42'), 'no earlier output repeated after the snapshot');
    await Promise.all([a.close(), b.close(), late.close()]);
  });

  test('binary output frames after hello {binary:true}', async () => {
    const { id, c } = await open(server);
    const b = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    b.send({ type: 'hello', binary: true, ack: true });
    const hello = await b.nextType('hello');
    assert.equal(hello.binary, true);
    assert.equal(hello.protocol_version, 1);
    const before = b.binaryBytes;
    c.send({ type: 'input', input: 'echo BIN-$((3*3))' });
    await b.outputContains('BIN-9');
    assert.ok(b.binaryBytes > before, 'output came as binary frames');
    b.send({ type: 'ack', bytes: b.binaryBytes });
    await Promise.all([c.close(), b.close()]);
  });

  test('resize changes the PTY size; every viewer is told it (session_size)', async () => {
    const { id, c } = await open(server);
    const other = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    await other.nextType('session_pty_output');
    const from = other.messages.length;
    c.send({ type: 'resize', cols: 101, rows: 33 });
    c.send({ type: 'input', input: 'stty size' });
    await c.outputContains('33 101');
    const told = await other.nextType('session_size', from);
    assert.deepEqual([told.cols, told.rows, told.session_id], [101, 33, id]);
    c.send({ type: 'resize', cols: 101, rows: 33 }); // the same size again: nothing to tell
    c.send({ type: 'resize', cols: 90, rows: 30 });
    await other.next((m) => m.type === 'session_size' && m.cols === 90, 'the next size', from);
    assert.equal(other.messages.slice(from).filter((m) => m.type === 'session_size').length, 2, 'an unchanged size is not told again');
    await Promise.all([c.close(), other.close()]);
  });

  test('REST input and its errors carry the right status', async () => {
    const { id, c } = await open(server);
    const ok = await post(`${server.url}/api/${id}/input`, JSON.stringify({ type: 'input', input: 'echo rest-$((5*5))' }));
    assert.deepEqual(ok, { status: 200, json: { ok: true } });
    await c.outputContains('rest-25');

    const state = await post(`${server.url}/api/${id}/input`, JSON.stringify({ type: 'get_current_state' }));
    assert.equal(state.status, 200);
    assert.match(String(state.json.type), /^session_(idle|running)$/);

    const bad = await post(`${server.url}/api/${id}/input`, '{not json');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error_code, 'invalid_input');
    assert.match(String(bad.json.error_message), /JSON/);

    const wrongType = await post(`${server.url}/api/${id}/input`, JSON.stringify({ type: 'input', input: 42 }));
    assert.equal(wrongType.status, 400);
    assert.match(String(wrongType.json.error_message), /input/);

    const unknown = await post(`${server.url}/api/${randomUUID()}/input`, JSON.stringify({ type: 'input', input: 'x' }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error_code, 'session_not_found');

    await waitFor(async () => (await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { state: string }).state === 'idle', 'idle');
    // `select` answers a dialog only; `confirm` outside one presses Enter (as echokit_pty does).
    const wrongState = await post(`${server.url}/api/${id}/input`, JSON.stringify({ type: 'select', index: 0 }));
    assert.equal(wrongState.status, 409);
    assert.equal(wrongState.json.error_code, 'invalid_input_for_state');
    assert.equal(wrongState.json.error_state, 'idle');
    assert.equal(wrongState.json.error_input, 'select');
    // A confirm within 2 s after this caller's input belongs to it: absorbed. REST callers are
    // separate requests, so this one presses Enter in idle: the shell prints a new prompt.
    const enter = await post(`${server.url}/api/${id}/input`, JSON.stringify({ type: 'confirm' }));
    assert.deepEqual(enter, { status: 200, json: { ok: true } });

    const notUuid = await post(`${server.url}/api/not-a-uuid/input`, JSON.stringify({ type: 'input', input: 'x' }));
    assert.equal(notUuid.status, 400);
    assert.equal(notUuid.json.error_code, 'invalid_input');

    const huge = await post(`${server.url}/api/${id}/input`, JSON.stringify({ type: 'input', input: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error_code, 'invalid_input');
    await c.close();
  });

  test('every session_error code over the socket, and the session carries on', async () => {
    const { id, c } = await open(server);
    const err = async (from: number) => c.nextType('session_error', from);

    let from = c.messages.length;
    c.ws.send('{oops');
    assert.equal((await err(from)).error_code, 'invalid_input');

    from = c.messages.length;
    c.send({ type: 'fly' });
    assert.match(String((await err(from)).error_message), /unknown message type "fly"/);

    from = c.messages.length;
    c.send({ type: 'select', index: 'one' });
    assert.match(String((await err(from)).error_message), /index/);

    from = c.messages.length;
    c.ws.send(JSON.stringify({ type: 'input', input: 'y'.repeat(1024 * 1024 + 10) }));
    assert.match(String((await err(from)).error_message), /larger than/);

    from = c.messages.length;
    c.send({ type: 'select', index: 0 }); // no dialog: refused in any state of a shell
    const wrong = await err(from);
    assert.equal(wrong.error_code, 'invalid_input_for_state');
    assert.equal(wrong.error_input, 'select');

    const other = await TestClient.connect(`${server.wsUrl}/ws/${randomUUID()}`);
    other.send({ type: 'get_current_state' });
    assert.equal((await other.nextType('session_error')).error_code, 'session_not_found');
    other.send({ type: 'input', input: 'x' });
    await other.next((m) => m.type === 'session_error' && m !== other.messages[0], 'a second error');

    // internal_error: the command exits before input to a stopped session can be typed
    const broken = randomUUID();
    fs.mkdirSync(path.join(server.workspace, broken), { recursive: true });
    fs.writeFileSync(path.join(server.workspace, broken, 'fail-marker'), '');
    const bc = await TestClient.connect(`${server.wsUrl}/ws/${broken}`);
    bc.send({ type: 'create_session' });
    await bc.nextType('session_ended');
    const f = bc.messages.length;
    bc.send({ type: 'input', input: 'hello' });
    const internal = await bc.nextType('session_error', f);
    assert.equal(internal.error_code, 'internal_error');

    // everything above left the first session working
    c.send({ type: 'input', input: 'echo still-$((1+1))' });
    await c.outputContains('still-2');
    await Promise.all([c.close(), other.close(), bc.close()]);
  });

  test('PascalCase EchoKit type names are accepted', async () => {
    const id = randomUUID();
    const c = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    c.send({ type: 'CreateSession' });
    await c.outputContains('ready$ ');
    c.send({ type: 'Input', input: 'echo pascal-$((2*2))' });
    await c.outputContains('pascal-4');
    c.send({ type: 'BytesInput', input: [...Buffer.from('echo bytes-$((3+4))\r')] });
    await c.outputContains('bytes-7');
    await c.close();
  });

  test('a non-UUID id is refused at the upgrade; the server carries on', async () => {
    await assert.rejects(TestClient.connect(`${server.wsUrl}/ws/not-a-uuid`), /400/);
    await assert.rejects(TestClient.connect(`${server.wsUrl}/ws/%E0%A4%A`), /400/);
    const badEscape = await post(`${server.url}/api/%E0%A4/input`, JSON.stringify({ type: 'get_current_state' }));
    assert.equal(badEscape.status, 400);
    assert.equal(badEscape.json.error_code, 'invalid_input');
    await assert.rejects(TestClient.connect(`${server.wsUrl}/elsewhere`), /404/);
    const health = await fetch(`${server.url}/healthz`).then((r) => r.json()) as { ok: boolean };
    assert.equal(health.ok, true);
  });

  test('a viewer that cannot keep up neither stalls the others nor grows server memory; it is resynced', async (t) => {
    const { id, c: fast } = await open(server);
    const slow = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    await slow.nextType('session_pty_output');
    const slowSocket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    slowSocket.pause(); // stops reading: the server's sends to it back up in the kernel, then in ccpty

    let maxRss = 0;
    const sample = setInterval(() => {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'));
      maxRss = Math.max(maxRss, Number(m?.[1] ?? 0) / 1024);
    }, 50);
    try {
      fast.send({ type: 'input', input: 'seq 1 1500000; echo FLOOD-$((4*5))' });
      await fast.outputContains('FLOOD-20\r\n', 60_000);
    } finally {
      clearInterval(sample);
    }
    // ~10.9 MB went to the fast viewer while the slow one read nothing.
    assert.ok(fast.output.includes('\r\n1499999\r\n1500000\r\n'), 'the fast viewer got every line');
    assert.ok(maxRss < 250, `server RSS stayed bounded (max ${maxRss.toFixed(0)} MiB)`);
    t.diagnostic(`10.9 MB flood with one viewer not reading: server max RSS ${maxRss.toFixed(0)} MiB`);

    slowSocket.resume();
    await slow.outputContains('FLOOD-20', 30_000);
    const resets = slow.output.split('\x1bc').length - 1;
    assert.ok(resets >= 2, `the slow viewer was resynchronised with a fresh snapshot (${resets} resets)`);
    const screen = await renderScreen(slow.output.slice(slow.output.lastIndexOf('\x1bc')));
    assert.match(screen, /1500000\s+FLOOD-20/, 'and its screen ends like the real one');
    await Promise.all([fast.close(), slow.close()]);
  });

  test('a viewer that reads slower than a flood, but reads, loses nothing: the PTY waits for it (3 floods)', async () => {
    const { id, c: typist } = await open(server);
    const slow = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    slow.send({ type: 'hello', binary: true, ack: true });
    await slow.nextType('hello');
    const from = slow.output.length;
    // A renderer that parses 8 MB/s: it acks at most 400 KB per 50 ms. A flood is faster, so
    // its unacknowledged bytes pass the limit (2 MiB); held, it is back under half within
    // ~130 ms of the 300 ms it gets. Without the hold it would be resynchronised (ESC c).
    let acked = slow.binaryBytes;
    const acker = setInterval(() => {
      const n = Math.min(slow.binaryBytes - acked, 400_000);
      if (n <= 0) return;
      acked += n;
      slow.send({ type: 'ack', bytes: n });
    }, 50);
    try {
      const n = 1_000_000;
      const all = Array.from({ length: n }, (_, i) => String(i + 1)).join('\r\n');
      for (let i = 0; i < 3; i++) {
        const mark = slow.output.length;
        typist.send({ type: 'input', input: `seq 1 ${n}; echo FLOOD-$((${i}+40))` });
        await slow.outputContains(`FLOOD-${i + 40}\r\n`, 60_000);
        assert.ok(slow.output.slice(mark).includes(`${all}\r\nFLOOD-${i + 40}`), `flood ${i}: every line, in order`);
      }
      assert.equal(slow.output.slice(from).split('\x1bc').length - 1, 0, 'never resynchronised');
    } finally {
      clearInterval(acker);
      await Promise.all([typist.close(), slow.close()]);
    }
  });

  test('an ack is applied at once, not behind input the program has yet to take: a held viewer is released by it', async () => {
    const { id, c } = await open(server);
    c.send({ type: 'hello', binary: true, ack: true });
    await c.nextType('hello');
    const from = c.output.length;
    const dir = path.join(server.workspace, id);
    // Raw mode, input never read; 3 MB of output once told to (a file appears).
    c.send({ type: 'input', input: `stty raw -echo; echo READY; while [ ! -e '${dir}/go' ]; do sleep 0.02; done; head -c 3000000 /dev/zero | tr '\\0' y; echo; echo DONE-$((6*7)); sleep 30` });
    await c.outputContains('READY\n'); // raw mode: no \r
    // A paste the program never takes: this socket's later messages queue behind it.
    c.send({ type: 'input', input: 'p'.repeat(600_000) });
    let acked = c.binaryBytes;
    fs.writeFileSync(path.join(dir, 'go'), '');
    // No ack until the viewer is well past its limit (2 MiB unacked): it holds the PTY. The
    // ack that follows must end the hold within its 300 ms, or the viewer is resynchronised.
    await waitFor(() => c.binaryBytes - acked > 2 * 1024 * 1024, 'the viewer past its limit');
    const acker = setInterval(() => {
      c.send({ type: 'ack', bytes: c.binaryBytes - acked });
      acked = c.binaryBytes;
    }, 20);
    try {
      await c.outputContains('DONE-42', 30_000);
      assert.ok(c.output.slice(from).includes(`${'y'.repeat(3_000_000)}\n`), 'every byte');
      assert.equal(c.output.slice(from).split('\x1bc').length - 1, 0, 'never resynchronised');
    } finally {
      clearInterval(acker);
      await c.close();
    }
  });

  test('the PTY is drained before session_ended', async () => {
    const { c } = await open(server);
    c.send({ type: 'input', input: 'seq 1 150000; exit 7' });
    const ended = await c.nextType('session_ended', 0, 30_000);
    assert.equal(ended.exit_code, 7);
    const idx = c.messages.indexOf(ended);
    const before = c.messages.slice(0, idx).filter((m) => m.type === 'session_pty_output').map((m) => m.output).join('');
    assert.ok(before.includes('\r\n149999\r\n150000\r\n'), 'the last lines arrived before session_ended');
    await c.close();
  });

  test('DELETE stops a session; sessions are listed with state and times', async () => {
    const { id, c } = await open(server);
    const list = await fetch(`${server.url}/api/sessions`).then((r) => r.json()) as { sessions: Array<Record<string, unknown>> };
    const mine = list.sessions.find((s) => s.id === id);
    assert.ok(mine, 'listed');
    assert.equal(mine.running, true);
    assert.equal(typeof mine.created_at, 'number');
    const del = await fetch(`${server.url}/api/sessions/${id}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    const ended = await c.nextType('session_ended');
    assert.equal(ended.exit_code, null, 'a death by signal has no exit code');
    assert.equal(ended.exit_signal, 'SIGHUP');
    const one = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as Record<string, unknown>;
    assert.equal(one.running, false);
    assert.equal(one.state, 'stopped');
    assert.equal(one.exit_signal, 'SIGHUP');
    assert.equal((await fetch(`${server.url}/api/sessions/${randomUUID()}`, { method: 'DELETE' })).status, 404);

    // A new socket whose first message is input to the stopped session resumes it, and is
    // never greeted with "ended" (an EchoKit device would hang up on that).
    const fresh = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
    fresh.send({ type: 'input', input: 'echo resumed-$((9*9))' });
    await fresh.outputContains('resumed-81');
    assert.ok(!fresh.messages.some((m) => m.type === 'session_ended'), 'no session_ended before the resume');
    await Promise.all([c.close(), fresh.close()]);
  });
});

describe('lifecycle across timeouts and restarts', () => {
  test('the idle timeout stops an unattended session; create_session resumes it', async () => {
    const server = await startServer({ command: SHELL, idleSec: 1 });
    try {
      const { id, c } = await open(server);
      await c.close();
      await waitFor(async () => {
        const s = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { running: boolean };
        return !s.running;
      }, 'the idle timeout to stop the session', 15_000);
      const again = await TestClient.connect(`${server.wsUrl}/ws/${id}`);
      again.send({ type: 'create_session' });
      await again.outputContains('ready$ ');
      const s = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { running: boolean; runs: number };
      assert.equal(s.running, true);
      assert.equal(s.runs, 2);
      await again.close();
    } finally {
      await server.stop();
    }
  });

  test('a watched session is not stopped by the idle timeout', async () => {
    const server = await startServer({ command: SHELL, idleSec: 1 });
    try {
      const { id, c } = await open(server);
      await c.nextType('session_idle');
      // stays running for well past the timeout while a viewer is attached
      const until = Date.now() + 2500;
      await waitFor(async () => {
        const s = await fetch(`${server.url}/api/sessions/${id}`).then((r) => r.json()) as { running: boolean };
        assert.equal(s.running, true);
        return Date.now() > until;
      }, '2.5 s with the session running');
      await c.close();
    } finally {
      await server.stop();
    }
  });

  test('a restarted server lists the earlier session and resumes it; SIGTERM leaves no child behind', async () => {
    const first = await startServer({ command: SHELL });
    const { id, c } = await open(first);
    c.send({ type: 'input', input: 'echo kept > note.txt; sleep 300 & echo "PIDS $$ $!"' });
    await c.outputContains(/PIDS \d+ \d+/);
    const [, shellPid, bgPid] = /PIDS (\d+) (\d+)/.exec(c.output)!.map(Number);
    const code = await first.stop();
    assert.equal(code, 0);
    assert.ok(c.messages.some((m) => m.type === 'session_ended'), 'viewers were told');
    for (const pid of [shellPid, bgPid]) {
      assert.ok(!isAlive(pid!), `process ${pid} is gone`);
    }

    const second = await startServer({ command: SHELL, workspace: first.workspace, dataDir: first.dataDir });
    try {
      const list = await fetch(`${second.url}/api/sessions`).then((r) => r.json()) as { sessions: Array<{ id: string; state: string; running: boolean }> };
      const rec = list.sessions.find((s) => s.id === id);
      assert.ok(rec, 'the earlier session is listed');
      assert.equal(rec.state, 'stopped');
      const again = await TestClient.connect(`${second.wsUrl}/ws/${id}`);
      again.send({ type: 'create_session' });
      await again.outputContains('ready$ ');
      again.send({ type: 'input', input: 'cat note.txt' });
      await again.outputContains('kept');
      await again.close();
    } finally {
      await second.stop();
    }
  });
});

describe('configuration errors', () => {
  for (const [args, pattern] of [
    [['--bogus'], /Unknown option/],
    [['--bind', '127.0.0.1:70000'], /out of range/],
    [['--idle-sec', 'soon'], /whole number/],
    [['--workspace', '/proc/forbidden'], /not a writable folder/],
    [['--workspace', '/etc/hostname'], /not a writable folder/],
  ] as const) {
    test(`${args.join(' ')} exits non-zero with one line`, async () => {
      await assert.rejects(startServer({ command: SHELL, extraArgs: [...args] }), (err: Error) => {
        assert.match(err.message, pattern);
        return true;
      });
    });
  }
});
