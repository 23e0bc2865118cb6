/**
 * The bare pipe of DESIGN.md §11, the benchmark's baseline: node-pty → ws, nothing else (no
 * mirror, no flow control, no state, no store). It runs in its own process, like ccpty, so
 * that its CPU time and memory are measured the same way.
 *
 * `ws://127.0.0.1:PORT/s/<id>?json=0|1`: the first socket for an id starts `/bin/sh -c CMD`
 * in a PTY of ccpty's default size; every socket of that id gets its output (binary frames of the raw bytes, or
 * the EchoKit JSON `session_pty_output` encoded once per chunk for all of them), and its binary
 * frames are typed into it. The PTY is killed when its last socket closes; its sockets close
 * when it exits. Prints `port N` once listening. Loopback only.
 */
import * as pty from 'node-pty';
import { WebSocketServer, type WebSocket } from 'ws';
import { COLS, ROWS } from './client.js';

const command = process.argv[2];
if (!command) throw new Error('usage: pipe-server.js COMMAND');

interface Session {
  term: pty.IPty;
  sockets: Set<WebSocket>;
}

const sessions = new Map<string, Session>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('connection', (sock, req) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const id = url.pathname.replace(/^\/s\//, '');
  const json = url.searchParams.get('json') === '1';
  let s = sessions.get(id);
  if (!s) {
    const term = pty.spawn('/bin/sh', ['-c', command], {
      name: 'xterm-256color',
      cols: COLS,
      rows: ROWS,
      cwd: process.cwd(),
      env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>,
      encoding: json ? 'utf8' : null,
    } as pty.IPtyForkOptions);
    const session: Session = { term, sockets: new Set() };
    s = session;
    sessions.set(id, session);
    term.onData((d) => {
      const frame = json ? JSON.stringify({ type: 'session_pty_output', output: d }) : (d as unknown as Buffer);
      for (const k of session.sockets) k.send(frame);
    });
    term.onExit(() => {
      sessions.delete(id);
      for (const k of session.sockets) k.close();
    });
  }
  const session = s;
  session.sockets.add(sock);
  sock.on('message', (data: Buffer) => session.term.write(data.toString('utf8')));
  sock.on('close', () => {
    session.sockets.delete(sock);
    if (session.sockets.size === 0 && sessions.get(id) === session) {
      sessions.delete(id);
      try {
        process.kill(-session.term.pid, 'SIGKILL');
      } catch {
        session.term.kill('SIGKILL');
      }
    }
  });
});

wss.on('listening', () => {
  process.stdout.write(`port ${(wss.address() as { port: number }).port}\n`);
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const s of sessions.values()) {
      try {
        process.kill(-s.term.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    process.exit(0);
  });
}
