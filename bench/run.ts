/**
 * Benchmarks (DESIGN.md §11), side by side in one run: ccpty against a bare node-pty → ws pipe
 * (bench/pipe-server.ts, binary and EchoKit JSON) that it runs itself, and against ttyd when
 * TTYD_BIN points at one. Every server runs in its own process and every viewer in a client
 * process (bench/client.ts); sessions run `bash --norc`, and the same keystrokes drive all of
 * them. Each figure is the median of RUNS repetitions, the servers taking turns within each
 * repetition; ratios are against the pipe of the same run. Loopback only; bounded in time.
 *
 * Run: npm run bench      (5 repetitions; BENCH_RUNS=N for another number, at least 3)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../test/helpers/server.js';
import { SESSION_COMMAND, type Kind, type Scenario, type Target } from './client.js';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const HERE = path.dirname(fileURLToPath(import.meta.url));
const MB = 1e6;
/** Bytes of output per run: one session; each of 10 / 50 sessions; each viewer of 10 / 50. */
const ONE_SESSION_BYTES = 40 * MB;
/** More than a session may run ahead of its mirror (64 MiB): shows the sustained rate. */
const SUSTAINED_BYTES = 200 * MB;
const SESSIONS: Array<[number, number]> = [
  [10, 8 * MB],
  [50, 2 * MB],
];
const VIEWERS: Array<[number, number]> = [
  [10, 8 * MB],
  [50, 2 * MB],
];
const ECHO_SAMPLES = 300;
/**
 * Echo at typing pace: a key every TYPING_GAP_MS, so the CPUs idle between keys as they do
 * while someone types (a fast typist's gap is ~100 ms; 20 ms keeps the run short and the
 * machine already idles within it). Shown beside the back-to-back figure, which the targets use.
 */
const TYPING_GAP_MS = 20;
const TYPING_SAMPLES = 150;
const CONNECT_SAMPLES = 15;
const SNAPSHOT_LINES = 10_000;
const RSS_SESSIONS = 10;
const BENCH_DEADLINE_MS = 15 * 60_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

// ---- servers ----

interface Server {
  kind: Kind;
  name: string;
  target: Target;
  pid: number;
  stop(): Promise<void>;
}

async function ccpty(name: string, extra: string[] = []): Promise<Server & { raw: RunningServer }> {
  const raw = await startServer({ command: SESSION_COMMAND, extraArgs: ['--log-level', 'warn', '--max-sessions', '64', ...extra] });
  return {
    kind: 'ccpty',
    name,
    raw,
    target: { kind: 'ccpty', ws: raw.wsUrl, http: raw.url },
    pid: raw.proc.pid as number,
    stop: async () => void (await raw.stop()),
  };
}

function waitLine(proc: ChildProcess, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${re} from ${proc.spawnfile} within ${ms} ms: ${out}`)), ms);
    const on = (d: Buffer): void => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout?.off('data', on);
        proc.stderr?.off('data', on);
        resolve(m);
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
  });
}

async function pipeServer(): Promise<Server> {
  const proc = spawn(process.execPath, [path.join(HERE, 'pipe-server.js'), SESSION_COMMAND], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number((await waitLine(proc, /port (\d+)/, 10_000))[1]);
  return {
    kind: 'pipe',
    name: 'bare pipe',
    target: { kind: 'pipe', ws: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` },
    pid: proc.pid as number,
    stop: () => kill(proc),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function ttyd(bin: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(bin, ['-W', '-i', '127.0.0.1', '-p', String(port), '/bin/sh', '-c', SESSION_COMMAND], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitLine(proc, /Listening on port|listening|port/i, 10_000).catch(() => new Promise((r) => setTimeout(r, 1000)));
  return {
    kind: 'ttyd',
    name: 'ttyd',
    target: { kind: 'ttyd', ws: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` },
    pid: proc.pid as number,
    stop: () => kill(proc),
  };
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  await new Promise((r) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      r(undefined);
    }, 5000);
    proc.once('exit', () => {
      clearTimeout(t);
      r(undefined);
    });
  });
}

// ---- /proc ----

/** The process's CPU seconds (all threads; not its children). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Waits until the server has stopped using the CPU (a mirror may still be parsing a flood). */
async function quiet(pid: number, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs;
  let last = cpuSeconds(pid);
  let calm = 0;
  while (Date.now() < until && calm < 3) {
    await new Promise((r) => setTimeout(r, 150));
    const now = cpuSeconds(pid);
    calm = now - last <= 0.01 ? calm + 1 : 0;
    last = now;
  }
}

// ---- clients ----

/** Runs one scenario in a client process; a failed run (a machine hiccup) is tried once more. */
async function client<T>(scenario: Scenario, timeoutMs = 180_000): Promise<T> {
  try {
    return await clientOnce<T>(scenario, timeoutMs);
  } catch (err) {
    warnings.push(`retried ${scenario.name} on ${scenario.target.kind}: ${(err as Error).message.split('\n')[0]}`);
    return clientOnce<T>(scenario, timeoutMs);
  }
}

function clientOnce<T>(scenario: Scenario, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(HERE, 'client.js'), JSON.stringify(scenario)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line) resolve(JSON.parse(line) as T);
      else reject(new Error(`client ${scenario.name} on ${scenario.target.kind} failed (${code}): ${err.slice(-2000)}`));
    });
  });
}

interface ThroughputResult {
  mbps: number;
  seconds: number;
  short: number;
  resets: number;
}

/** One throughput run, with the server's CPU time for it (until its mirror has caught up too). */
async function throughput(server: Server, s: Omit<Extract<Scenario, { name: 'throughput' }>, 'name' | 'target'>): Promise<ThroughputResult & { cpuPerGB: number }> {
  await quiet(server.pid);
  const cpu0 = cpuSeconds(server.pid);
  const r = await client<ThroughputResult>({ name: 'throughput', target: server.target, ...s });
  await quiet(server.pid);
  const cpu = cpuSeconds(server.pid) - cpu0;
  if (r.short > 0 || r.resets > 0) warnings.push(`${server.name}: ${r.short} viewer(s) short of the output, ${r.resets} resync(s) (${JSON.stringify(s)})`);
  return { ...r, cpuPerGB: cpu / ((s.bytes * s.sessions) / 1e9) };
}

/** Keystroke echo, optionally while another session on the same server floods. */
async function echo(server: Server, flooded: boolean, gapMs = 0): Promise<number[]> {
  let flood: ChildProcess | null = null;
  let floodId = '';
  if (flooded) {
    flood = spawn(process.execPath, [path.join(HERE, 'client.js'), JSON.stringify({ name: 'flood', target: server.target })], { stdio: ['ignore', 'pipe', 'inherit'] });
    floodId = (JSON.parse((await waitLine(flood, /\{"id":"[^"]+"\}/, 30_000))[0]) as { id: string }).id;
    await waitLine(flood, /flooding/, 30_000);
  }
  try {
    const samples = gapMs ? TYPING_SAMPLES : ECHO_SAMPLES;
    return (await client<{ samples: number[] }>({ name: 'echo', target: server.target, samples, gapMs })).samples;
  } finally {
    if (flood) {
      await kill(flood);
      if (server.kind === 'ccpty') await fetch(`${server.target.http}/api/sessions/${floodId}`, { method: 'DELETE' }).catch(() => undefined);
      await quiet(server.pid);
    }
  }
}

const warnings: string[] = [];

// ---- the run ----

interface Row {
  what: string;
  unit: string;
  values: Record<string, number>;
  /** ratio of ccpty to the pipe (and to the JSON pipe for JSON rows) */
  ratio?: number;
  target?: string;
  met?: boolean;
}

const rows: Row[] = [];

function row(what: string, unit: string, values: Record<string, number>, opts: { ratio?: number; target?: string; met?: boolean } = {}): void {
  rows.push({ what, unit, values, ...opts });
  const vals = Object.entries(values)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const ratio = opts.ratio === undefined ? '' : `  ratio ${opts.ratio.toFixed(2)}`;
  const verdict = opts.target === undefined ? '' : `  target ${opts.target}: ${opts.met ? 'met' : 'MISSED'}`;
  console.log(`${what} (${unit}): ${vals}${ratio}${verdict}`);
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`the benchmark took over ${BENCH_DEADLINE_MS / 60000} minutes; giving up`);
    process.exit(1);
  }, BENCH_DEADLINE_MS);
  deadline.unref();
  const started = Date.now();
  const pipe = await pipeServer();
  const cc = await ccpty('ccpty');
  const ttydBin = process.env.TTYD_BIN;
  const tty = ttydBin ? await ttyd(ttydBin) : null;
  const servers = [pipe, cc, ...(tty ? [tty] : [])];
  console.log(`ccpty benchmark: ${RUNS} runs, medians; ratios are ccpty / the bare pipe of this run${tty ? '; ttyd included' : ' (set TTYD_BIN to add ttyd)'}`);
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = { pipe: status(pipe.pid, 'VmRSS'), ccpty: status(cc.pid, 'VmRSS'), ...(tty ? { ttyd: status(tty.pid, 'VmRSS') } : {}) };

  try {
    // One flood each first (JIT, the mirror worker's start), not counted.
    for (const sv of servers) await throughput(sv, { sessions: 1, viewers: 1, bytes: ONE_SESSION_BYTES / 4, json: false });

    // ---- 1-session throughput, binary and JSON ----
    const one: Record<string, { mbps: number[]; cpu: number[] }> = {};
    const add = (k: string, r: { mbps: number; cpuPerGB: number }): void => {
      one[k] ??= { mbps: [], cpu: [] };
      one[k].mbps.push(r.mbps);
      one[k].cpu.push(r.cpuPerGB);
    };
    for (let i = 0; i < RUNS; i++) {
      for (const sv of servers) add(`${sv.kind} binary`, await throughput(sv, { sessions: 1, viewers: 1, bytes: ONE_SESSION_BYTES, json: false }));
      for (const sv of [pipe, cc]) add(`${sv.kind} JSON`, await throughput(sv, { sessions: 1, viewers: 1, bytes: ONE_SESSION_BYTES, json: true }));
    }
    const m = (k: string, f: 'mbps' | 'cpu'): number => median(one[k]?.[f] ?? []);
    const binRatio = m('ccpty binary', 'mbps') / m('pipe binary', 'mbps');
    const jsonRatio = m('ccpty JSON', 'mbps') / m('pipe JSON', 'mbps');
    row('1 session, binary viewer', 'MB/s', { pipe: m('pipe binary', 'mbps'), ccpty: m('ccpty binary', 'mbps'), ...(tty ? { ttyd: m('ttyd binary', 'mbps') } : {}) }, { ratio: binRatio, target: '≥ 0.9', met: binRatio >= 0.9 });
    row('1 session, EchoKit JSON viewer', 'MB/s', { pipe: m('pipe JSON', 'mbps'), ccpty: m('ccpty JSON', 'mbps') }, { ratio: jsonRatio, target: '≥ 0.9', met: jsonRatio >= 0.9 });
    row('server CPU per GB (binary)', 's', { pipe: m('pipe binary', 'cpu'), ccpty: m('ccpty binary', 'cpu'), ...(tty ? { ttyd: m('ttyd binary', 'cpu') } : {}) }, { ratio: m('ccpty binary', 'cpu') / m('pipe binary', 'cpu') });
    row('server CPU per GB (JSON)', 's', { pipe: m('pipe JSON', 'cpu'), ccpty: m('ccpty JSON', 'cpu') }, { ratio: m('ccpty JSON', 'cpu') / m('pipe JSON', 'cpu') });

    // ---- a flood longer than the mirror may lag (mirror.ts LAG): ccpty at the parser's pace ----
    {
      const r: Record<string, number[]> = {};
      for (let i = 0; i < RUNS; i++) for (const sv of [pipe, cc]) (r[sv.kind] ??= []).push((await throughput(sv, { sessions: 1, viewers: 1, bytes: SUSTAINED_BYTES, json: false })).mbps);
      row(`1 session, ${SUSTAINED_BYTES / MB} MB (past the mirror's lag bound: sustained rate)`, 'MB/s', Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])), {
        ratio: median(r.ccpty ?? []) / median(r.pipe ?? []),
      });
    }

    // ---- many sessions, many viewers ----
    for (const [n, bytes] of SESSIONS) {
      const r: Record<string, number[]> = {};
      for (let i = 0; i < RUNS; i++) for (const sv of servers) (r[sv.kind] ??= []).push((await throughput(sv, { sessions: n, viewers: 1, bytes, json: false })).mbps);
      const ratio = median(r.ccpty ?? []) / median(r.pipe ?? []);
      row(`${n} sessions at once (${bytes / MB} MB each), total`, 'MB/s', Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])), { ratio, target: '≥ 0.8', met: ratio >= 0.8 });
    }
    for (const [n, bytes] of VIEWERS) {
      const r: Record<string, number[]> = {};
      for (let i = 0; i < RUNS; i++) for (const sv of [pipe, cc]) (r[sv.kind] ??= []).push((await throughput(sv, { sessions: 1, viewers: n, bytes, json: false })).mbps);
      const ratio = median(r.ccpty ?? []) / median(r.pipe ?? []);
      row(`${n} viewers of one session (${bytes / MB} MB), each`, 'MB/s', Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])), { ratio, target: '≥ 0.8', met: ratio >= 0.8 });
    }

    // ---- keystroke echo: back to back idle (the targets), at typing pace, under another session's flood ----
    for (const [flooded, gapMs] of [[false, 0], [false, TYPING_GAP_MS], [true, 0]] as const) {
      const p50: Record<string, number[]> = {};
      const p99: Record<string, number[]> = {};
      for (let i = 0; i < RUNS; i++) {
        for (const sv of servers) {
          const s = await echo(sv, flooded, gapMs);
          (p50[sv.kind] ??= []).push(pct(s, 0.5));
          (p99[sv.kind] ??= []).push(pct(s, 0.99));
        }
      }
      const med = (r: Record<string, number[]>): Record<string, number> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
      const r50 = median(p50.ccpty ?? []) / median(p50.pipe ?? []);
      const r99 = median(p99.ccpty ?? []) / median(p99.pipe ?? []);
      if (gapMs) {
        row(`keystroke echo p50 / p99, a key every ${gapMs} ms (typing pace)`, 'ms', { ...med(p50), ...Object.fromEntries(Object.entries(med(p99)).map(([k, v]) => [`${k} p99`, v])) }, { ratio: r50 });
        continue;
      }
      const when = flooded ? 'while another session floods' : 'idle, keys back to back';
      row(`keystroke echo p50, ${when}`, 'ms', med(p50), { ratio: r50, target: flooded ? '≤ 1.3' : '≤ 1.15', met: r50 <= (flooded ? 1.3 : 1.15) });
      row(`keystroke echo p99, ${when}`, 'ms', med(p99), flooded ? { ratio: r99 } : { ratio: r99, target: '≤ 1.5', met: r99 <= 1.5 });
    }

    // ---- connect → first byte ----
    {
      const r: Record<string, number[]> = {};
      for (let i = 0; i < RUNS; i++) for (const sv of servers) (r[sv.kind] ??= []).push(median((await client<{ samples: number[] }>({ name: 'connect', target: sv.target, samples: CONNECT_SAMPLES })).samples));
      const ratio = median(r.ccpty ?? []) / median(r.pipe ?? []);
      row('connect → first byte of a new session (its prompt)', 'ms', Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])), { ratio, target: '≤ 1.2', met: ratio <= 1.2 });
    }
    const peak = status(cc.pid, 'VmHWM');
    const after = status(cc.pid, 'VmRSS');

    // ---- snapshot of a 10,000-line scrollback ----
    {
      const big = await ccpty('ccpty --scrollback 10000', ['--scrollback', String(SNAPSHOT_LINES)]);
      try {
        const r = await client<{ samples: number[]; bytes: number }>({ name: 'snapshot', target: big.target, lines: SNAPSHOT_LINES + 100, samples: 3 * RUNS });
        const ms = median(r.samples);
        row(`a viewer joins: connect → whole ${SNAPSHOT_LINES.toLocaleString('en')}-line snapshot (${(r.bytes / MB).toFixed(1)} MB) received`, 'ms', { ccpty: ms }, { target: '< 50', met: ms < 50 });
      } finally {
        await big.stop();
      }
    }

    // ---- memory ----
    {
      const fresh = await ccpty('ccpty (memory)');
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const lines = 2100; // more than the default 2,000 lines of scrollback + 24 rows
        await client({ name: 'fill', target: fresh.target, sessions: 1, lines });
        await quiet(fresh.pid);
        const one = status(fresh.pid, 'VmRSS');
        await client({ name: 'fill', target: fresh.target, sessions: RSS_SESSIONS, lines });
        await quiet(fresh.pid);
        await new Promise((r) => setTimeout(r, 2000));
        const many = status(fresh.pid, 'VmRSS');
        const per = (many - one) / RSS_SESSIONS;
        row('server RSS idle', 'MiB', idleRss);
        row(`server RSS per session with a full scrollback (default settings; ${RSS_SESSIONS} sessions, no viewer)`, 'MiB', { ccpty: per }, { target: '≤ 8', met: per <= 8 });
        row('server RSS after the throughput runs / peak', 'MiB', { 'ccpty now': after, 'ccpty peak': peak, 'pipe peak': status(pipe.pid, 'VmHWM'), ...(tty ? { 'ttyd peak': status(tty.pid, 'VmHWM') } : {}) });
      } finally {
        await fresh.stop();
      }
    }
  } finally {
    for (const sv of servers) await sv.stop();
  }
  for (const w of warnings) console.log(`warning: ${w}`);
  const missed = rows.filter((r) => r.target !== undefined && !r.met);
  console.log(`\n${rows.filter((r) => r.target !== undefined).length - missed.length} targets met, ${missed.length} missed${missed.length ? `: ${missed.map((r) => r.what).join('; ')}` : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
