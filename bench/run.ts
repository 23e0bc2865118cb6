/**
 * Benchmarks (DESIGN.md §10), bounded in time and count, loopback only. Prints numbers and
 * ratios against the baseline measured in the same run:
 * - output throughput: a bare node-pty read (the baseline) vs ccpty to one viewer with binary
 *   frames + acks (the web UI's mode) and with EchoKit JSON frames;
 * - keystroke echo latency through ccpty (binary frame in → echoed byte out), p50/p99.
 * Run: npm run bench
 */
import { randomUUID } from 'node:crypto';
import * as pty from 'node-pty';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import WebSocket, { WebSocketServer } from 'ws';
import { ACK_EVERY_BYTES } from '../src/shared/flow.js';
import { startServer } from '../test/helpers/server.js';

const BYTES_CMD = 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 40000000'; // 40 MB of 37-byte lines
const RUNS = 3;
const require_ = createRequire(import.meta.url);
const ECHO_SAMPLES = 300;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

async function barePty(): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let n = 0;
    const p = pty.spawn('/bin/sh', ['-c', BYTES_CMD], { cols: 120, rows: 40, encoding: null } as pty.IPtyForkOptions);
    p.onData((d) => (n += (d as unknown as Buffer).length));
    p.onExit(() => resolve(n / 1e6 / ((performance.now() - t0) / 1000)));
  });
}

/**
 * The bare pipe of DESIGN.md §10: node-pty → ws binary frames, nothing else (no mirror, no
 * flow control), to a client in another process like ccpty's. The fair baseline.
 */
async function barePipe(binary: boolean): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (sock) => {
    const p = pty.spawn('/bin/sh', ['-c', BYTES_CMD], { cols: 120, rows: 40, encoding: binary ? null : 'utf8' } as pty.IPtyForkOptions);
    p.onData((d) => sock.send(binary ? d : JSON.stringify({ type: 'session_pty_output', output: d })));
    p.onExit(() => sock.close());
  });
  const port = (wss.address() as { port: number }).port;
  const rate = await clientProcess(`ws://127.0.0.1:${port}`);
  wss.close();
  return rate;
}

/** Receives in a separate process (as a real viewer does) and reports MB/s. */
function clientProcess(url: string): Promise<number> {
  const code = `const W=require(${JSON.stringify(require_.resolve('ws'))});const ws=new W(${JSON.stringify(url)});let n=0,t0=0;
ws.on('message',(d,b)=>{if(!t0)t0=performance.now();n+=b?d.length:Buffer.byteLength(JSON.parse(d).output||'');});
ws.on('close',()=>{console.log(n/1e6/((performance.now()-t0)/1000));process.exit(0)});`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => child.kill(), 120_000);
    child.on('exit', () => {
      clearTimeout(kill);
      const v = Number(out.trim());
      if (Number.isFinite(v) && v > 0) resolve(v);
      else reject(new Error(`bare pipe client: ${out}`));
    });
  });
}

async function throughCcpty(wsUrl: string, binary: boolean): Promise<number> {
  const ws = new WebSocket(`${wsUrl}/ws/${randomUUID()}`);
  await new Promise((r) => ws.once('open', r));
  let n = 0;
  let t0 = 0;
  let unacked = 0;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('benchmark run took over 120 s')), 120_000);
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      if (isBinary) {
        n += buf.length;
        // Ack like the web UI: every 64 KiB parsed.
        unacked += buf.length;
        if (unacked >= ACK_EVERY_BYTES) {
          ws.send(JSON.stringify({ type: 'ack', bytes: unacked }));
          unacked = 0;
        }
        return;
      }
      const m = JSON.parse(buf.toString()) as { type: string; output?: string };
      if (m.type === 'session_pty_output') n += Buffer.byteLength(m.output ?? '');
      if (m.type === 'session_idle' && t0 === 0) {
        t0 = performance.now();
        n = 0;
        ws.send(JSON.stringify({ type: 'input', input: `${BYTES_CMD}; exit` }));
      }
      if (m.type === 'session_ended') {
        clearTimeout(deadline);
        ws.close();
        resolve(n / 1e6 / ((performance.now() - t0) / 1000));
      }
    });
    ws.send(JSON.stringify({ type: 'hello', binary, ack: binary }));
    ws.send(JSON.stringify({ type: 'create_session' }));
  });
}

async function echoLatency(wsUrl: string): Promise<number[]> {
  const ws = new WebSocket(`${wsUrl}/ws/${randomUUID()}`);
  await new Promise((r) => ws.once('open', r));
  const samples: number[] = [];
  await new Promise<void>((resolve) => {
    let sentAt = 0;
    let ready = false;
    const next = (): void => {
      if (samples.length >= ECHO_SAMPLES) return resolve();
      sentAt = performance.now();
      ws.send(Buffer.from('x'), { binary: true });
    };
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const m = JSON.parse((data as Buffer).toString()) as { type: string };
        if (m.type === 'session_idle' && !ready) {
          ready = true;
          next();
        }
        return;
      }
      if (!ready || sentAt === 0) return;
      samples.push(performance.now() - sentAt);
      sentAt = 0;
      setImmediate(next);
    });
    ws.send(JSON.stringify({ type: 'hello', binary: true }));
    ws.send(JSON.stringify({ type: 'create_session' }));
  });
  ws.close();
  return samples;
}

async function main(): Promise<void> {
  // `cat` echoes each keystroke through the tty: the round trip a person feels.
  const server = await startServer({ command: 'exec sh -c "stty raw -echo; exec cat"' });
  const shellServer = await startServer({ command: 'exec sh' });
  try {
    const bare: number[] = [];
    const pipeBin: number[] = [];
    const pipeJson: number[] = [];
    const bin: number[] = [];
    const json: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(await barePty());
      pipeBin.push(await barePipe(true));
      pipeJson.push(await barePipe(false));
      bin.push(await throughCcpty(shellServer.wsUrl, true));
      json.push(await throughCcpty(shellServer.wsUrl, false));
    }
    const echo = await echoLatency(server.wsUrl);
    const pb = median(pipeBin);
    const pj = median(pipeJson);
    console.log(`output throughput, MB/s (median of ${RUNS}, ${BYTES_CMD}; viewers in another process):`);
    console.log(`  node-pty read alone, no socket (the PTY's limit here)  ${median(bare).toFixed(1)}`);
    console.log(`  bare node-pty → ws pipe, binary (baseline)             ${pb.toFixed(1)}`);
    console.log(`  bare node-pty → ws pipe, EchoKit JSON (baseline)       ${pj.toFixed(1)}`);
    console.log(`  ccpty → binary viewer with acks (mirror on)            ${median(bin).toFixed(1)}   ratio ${(median(bin) / pb).toFixed(2)} of the binary pipe`);
    console.log(`  ccpty → EchoKit JSON viewer (mirror on)                ${median(json).toFixed(1)}   ratio ${(median(json) / pj).toFixed(2)} of the JSON pipe`);
    console.log(`keystroke echo through ccpty (${ECHO_SAMPLES} samples): p50 ${pct(echo, 0.5).toFixed(2)} ms, p99 ${pct(echo, 0.99).toFixed(2)} ms`);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(await import('node:fs').then((fs) => fs.readFileSync(`/proc/${server.proc.pid}/status`, 'utf8')))?.[1] ?? 0) / 1024;
    console.log(`server RSS after the runs: ${rss.toFixed(0)} MiB`);
  } finally {
    await server.stop();
    await shellServer.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
