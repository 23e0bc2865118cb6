/**
 * The benchmark's viewers, in a process of their own (as a real viewer is): one scenario per
 * run, given as JSON in argv[2], its result printed as one JSON line on stdout. The same
 * scenarios drive ccpty, the bare pipe (bench/pipe-server.ts) and ttyd, so that only the
 * server differs. Loopback only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { ACK_EVERY_BYTES } from '../src/shared/flow.js';

export type Kind = 'ccpty' | 'pipe' | 'ttyd';

export interface Target {
  kind: Kind;
  /** ws://127.0.0.1:PORT */
  ws: string;
  /** http://127.0.0.1:PORT (ccpty: to stop sessions) */
  http: string;
}

export type Scenario =
  | { name: 'throughput'; target: Target; sessions: number; viewers: number; bytes: number; json: boolean }
  | { name: 'flood'; target: Target }
  | { name: 'echo'; target: Target; samples: number; gapMs?: number }
  | { name: 'connect'; target: Target; samples: number }
  | { name: 'snapshot'; target: Target; lines: number; samples: number }
  | { name: 'fill'; target: Target; sessions: number; lines: number };

/** Every session runs this (through /bin/sh -c): a shell whose prompt the client can find. */
export const SESSION_COMMAND = "PS1='ready$ ' exec bash --norc --noprofile";
const PROMPT = 'ready$ ';
/** The size every session runs at: ccpty's default for a session no viewer has sized. */
export const COLS = 80;
export const ROWS = 24;
export const FLOOD_LINE = '0123456789abcdefghijklmnopqrstuvwxyz';

/** One socket on one session of any of the three servers. */
class Conn {
  readonly ws: WebSocket;
  /** Output bytes since `count()` was called, and when the last one came. */
  bytes = 0;
  lastAt = 0;
  private counting = false;
  /** Output text kept while something waits for a marker (never during a flood). */
  private text = '';
  private watchers: Array<{ test: (t: string) => boolean; resolve: () => void }> = [];
  private idleWaiter: (() => void) | null = null;
  private idle = false;
  private unacked = 0;
  resets = 0;
  /** Called with every output payload (bench scenarios that look at the data). */
  onData: ((data: Buffer | string) => void) | null = null;
  readonly ended: Promise<void>;
  private opened: Promise<void>;

  constructor(
    readonly target: Target,
    readonly id: string,
    private readonly json: boolean,
    create: boolean,
  ) {
    const t = target;
    if (t.kind === 'ccpty') this.ws = new WebSocket(`${t.ws}/ws/${id}`, { perMessageDeflate: false });
    else if (t.kind === 'pipe') this.ws = new WebSocket(`${t.ws}/s/${id}?json=${json ? 1 : 0}`, { perMessageDeflate: false });
    else this.ws = new WebSocket(`${t.ws}/ws`, ['tty'], { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        if (t.kind === 'ccpty') {
          if (!json) this.ws.send(JSON.stringify({ type: 'hello', binary: true, ack: true }));
          if (create) this.ws.send(JSON.stringify({ type: 'create_session' }));
        } else if (t.kind === 'ttyd') {
          this.ws.send(Buffer.from(JSON.stringify({ AuthToken: '', columns: COLS, rows: ROWS })));
        }
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.ended = new Promise((resolve) => {
      this.ws.on('close', () => resolve());
      if (t.kind === 'ccpty') this.endOnMessage = resolve;
    });
    this.ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
  }

  private endOnMessage: (() => void) | null = null;

  get open(): Promise<void> {
    return this.opened;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const kind = this.target.kind;
    if (kind === 'ttyd') {
      if (data[0] !== 0x30) return; // '0' = output
      return this.output(data.subarray(1));
    }
    if (isBinary) {
      if (kind === 'ccpty') {
        this.unacked += data.length;
        if (this.unacked >= ACK_EVERY_BYTES) {
          this.ws.send(JSON.stringify({ type: 'ack', bytes: this.unacked }));
          this.unacked = 0;
        }
      }
      return this.output(data);
    }
    const m = JSON.parse(data.toString('utf8')) as { type: string; output?: string };
    if (m.type === 'session_pty_output') return this.output(m.output ?? '');
    if (m.type === 'session_idle' && !this.idle) {
      this.idle = true;
      this.idleWaiter?.();
    }
    if (m.type === 'session_ended') this.endOnMessage?.();
  }

  private output(data: Buffer | string): void {
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.counting) {
      this.bytes += n;
      this.lastAt = performance.now();
      // A ccpty viewer resynchronised with a snapshot would not have every byte: count them.
      if (typeof data === 'string' ? data.includes('\x1bc') : data.includes('\x1bc')) this.resets++;
    }
    this.onData?.(data);
    if (this.counting) return;
    // Kept even with no one waiting: ws emits several messages in one go, before a waiter's
    // continuation can register the next waiter.
    this.text = (this.text + (typeof data === 'string' ? data : data.toString('utf8'))).slice(-65536);
    for (const w of this.watchers.slice()) {
      if (w.test(this.text)) {
        this.watchers = this.watchers.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  /** Resolves once the output (from now on, or what is already kept) holds `marker`. */
  waitFor(marker: string | RegExp, ms = 30_000): Promise<void> {
    const test = (t: string): boolean => (typeof marker === 'string' ? t.includes(marker) : marker.test(t));
    if (test(this.text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.target.kind}: no ${String(marker)} within ${ms} ms; got ${JSON.stringify(this.text.slice(-200))}`)), ms);
      this.watchers.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  forget(): void {
    this.text = '';
  }

  /** The program is at its prompt and (ccpty) the session takes keystrokes. */
  async ready(): Promise<void> {
    await this.opened;
    await this.waitFor(PROMPT, 60_000);
    if (this.target.kind === 'ccpty' && !this.idle) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('ccpty: no session_idle')), 30_000);
        this.idleWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.forget();
  }

  count(): void {
    this.bytes = 0;
    this.lastAt = 0;
    this.resets = 0;
    this.counting = true;
  }

  keys(s: string): void {
    if (this.target.kind === 'ttyd') this.ws.send(Buffer.from(`0${s}`));
    else this.ws.send(Buffer.from(s), { binary: true });
  }

  close(): void {
    this.ws.close();
  }

  /** ccpty keeps a session running without viewers: stop it. */
  async stop(): Promise<void> {
    this.close();
    if (this.target.kind === 'ccpty') await fetch(`${this.target.http}/api/sessions/${this.id}`, { method: 'DELETE' }).catch(() => undefined);
  }
}

/**
 * A viewer that reads as cheaply as a socket can be read, for the throughput runs: a raw TCP
 * WebSocket client that parses frame headers and counts binary payloads without copying them
 * (text frames are decoded: ccpty's control messages). With the `ws` library's receiver, one
 * client process serving 10 or 50 viewers was the bottleneck of the run, and ccpty rightly
 * resynchronised viewers that fell 2 MiB behind, where the bare pipe just buffered for them;
 * the runs would have measured the client, not the servers.
 */
class RawConn {
  private readonly sock: net.Socket;
  bytes = 0;
  lastAt = 0;
  resets = 0;
  private counting = false;
  private json: boolean;
  private unacked = 0;
  private upgraded = false;
  private head = Buffer.alloc(0);
  /** Parser state: bytes of the current frame's payload still to come, and its kind. */
  private left = 0;
  private opcode = 0;
  private text: Buffer[] = [];
  private tail = '';
  private idle = false;
  private readonly waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private readonly opened: Promise<void>;

  constructor(
    readonly target: Target,
    readonly id: string,
    json: boolean,
    private readonly create: boolean,
  ) {
    this.json = json;
    const url = new URL(target.kind === 'ccpty' ? `${target.ws}/ws/${id}` : target.kind === 'pipe' ? `${target.ws}/s/${id}?json=${json ? 1 : 0}` : `${target.ws}/ws`);
    this.sock = net.connect(Number(url.port), url.hostname);
    this.sock.setNoDelay(true);
    this.ended = new Promise((resolve) => {
      this.endResolve = resolve;
      this.sock.on('close', () => resolve());
    });
    this.opened = new Promise((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.once('connect', () => {
        const key = randomBytes(16).toString('base64');
        const proto = target.kind === 'ttyd' ? 'Sec-WebSocket-Protocol: tty\r\n' : '';
        this.sock.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${proto}\r\n`);
      });
      this.sock.on('data', (d: Buffer) => {
        if (this.upgraded) return this.onData(d);
        this.head = Buffer.concat([this.head, d]);
        const end = this.head.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!/^HTTP\/1\.1 101/.test(this.head.toString('latin1', 0, 12))) return reject(new Error(`upgrade refused: ${this.head.toString('latin1', 0, 200)}`));
        this.upgraded = true;
        const rest = this.head.subarray(end + 4);
        this.head = Buffer.alloc(0);
        if (target.kind === 'ccpty') {
          if (!json) this.sendText(JSON.stringify({ type: 'hello', binary: true, ack: true }));
          if (this.create) this.sendText(JSON.stringify({ type: 'create_session' }));
        } else if (target.kind === 'ttyd') this.sendFrame(2, Buffer.from(JSON.stringify({ AuthToken: '', columns: COLS, rows: ROWS })));
        resolve();
        if (rest.length > 0) this.onData(rest);
      });
    });
  }

  get open(): Promise<void> {
    return this.opened;
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    const mask = randomBytes(4);
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
    const masked = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) masked[i] = (payload[i] as number) ^ (mask[i & 3] as number);
    this.sock.write(Buffer.concat([head, mask, masked]));
  }

  private sendText(s: string): void {
    this.sendFrame(1, Buffer.from(s));
  }

  keys(s: string): void {
    if (this.target.kind === 'ttyd') this.sendFrame(2, Buffer.from(`0${s}`));
    else this.sendFrame(2, Buffer.from(s));
  }

  count(): void {
    this.bytes = 0;
    this.lastAt = 0;
    this.resets = 0;
    this.counting = true;
  }

  /** Frame headers and payloads; binary payloads are counted where they lie. */
  private onData(d: Buffer): void {
    let at = 0;
    if (this.head.length > 0) {
      d = Buffer.concat([this.head, d]);
      this.head = Buffer.alloc(0);
    }
    while (at < d.length) {
      if (this.left === 0) {
        // A frame header: 2 bytes, +2 or +8 for the length (server frames are not masked).
        if (d.length - at < 2) break;
        const b1 = d[at + 1] as number;
        let len = b1 & 0x7f;
        let hl = 2;
        if (len === 126) hl = 4;
        else if (len === 127) hl = 10;
        if (d.length - at < hl) break;
        if (len === 126) len = d.readUInt16BE(at + 2);
        else if (len === 127) len = Number(d.readBigUInt64BE(at + 2));
        const op = (d[at] as number) & 0x0f;
        if (op === 8) {
          // A close frame: the server is done (ws waits for our close frame before it ends the
          // TCP connection; we just hang up).
          this.endResolve();
          this.sock.destroy();
          return;
        }
        this.fin = ((d[at] as number) & 0x80) !== 0;
        this.messageStart = op !== 0;
        if (op !== 0) this.opcode = op; // 0: a continuation keeps the message's opcode
        at += hl;
        this.left = len;
        if (len === 0) this.endOfFrame();
        continue;
      }
      const n = Math.min(this.left, d.length - at);
      const part = d.subarray(at, at + n);
      if (this.opcode === 2) this.binary(part);
      else if (this.opcode === 1) this.text.push(Buffer.from(part));
      this.left -= n;
      at += n;
      if (this.left === 0) this.endOfFrame();
    }
    if (at < d.length) this.head = Buffer.from(d.subarray(at));
  }

  private fin = true;
  private messageStart = false;

  private endOfFrame(): void {
    if (!this.fin || this.opcode !== 1) return;
    const m = JSON.parse(Buffer.concat(this.text).toString('utf8')) as { type: string; output?: string };
    this.text = [];
    if (m.type === 'session_pty_output') this.output(Buffer.from(m.output ?? ''), m.output ?? '');
    else if (m.type === 'session_idle') this.idle = true;
    else if (m.type === 'session_ended') this.endResolve();
    this.check();
  }

  private binary(part: Buffer): void {
    if (this.target.kind === 'ttyd') {
      // A ttyd message's first byte says what it is ('0': output); the rest of a message that
      // is not output is skipped.
      if (this.messageStart) {
        this.messageStart = false;
        this.ttydOutput = part[0] === 0x30;
        part = part.subarray(1);
      }
      if (!this.ttydOutput) return;
    }
    this.output(part, null);
    if (this.target.kind === 'ccpty') {
      this.unacked += part.length;
      if (this.unacked >= ACK_EVERY_BYTES) {
        this.sendText(JSON.stringify({ type: 'ack', bytes: this.unacked }));
        this.unacked = 0;
      }
    }
  }

  private ttydOutput = false;

  private output(data: Buffer, text: string | null): void {
    if (this.counting) {
      this.bytes += data.length;
      this.lastAt = performance.now();
      if (data.includes('\x1bc')) this.resets++;
      return;
    }
    this.tail = (this.tail + (text ?? data.toString('utf8'))).slice(-4096);
    this.check();
  }

  private check(): void {
    for (const w of this.waiters.slice()) {
      if (w.test()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  private wait(test: () => boolean, what: string, ms: number): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.target.kind}: no ${what} within ${ms} ms; got ${JSON.stringify(this.tail.slice(-200))}`)), ms);
      this.waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** At the prompt and (ccpty) taking keystrokes; for a joining viewer, its screen has come. */
  async ready(joining = false): Promise<void> {
    await this.opened;
    await this.wait(() => this.tail.includes(PROMPT), 'prompt', 60_000);
    if (this.target.kind === 'ccpty' && !joining) await this.wait(() => this.idle, 'session_idle', 60_000);
    this.tail = '';
  }

  close(): void {
    this.sock.destroy();
  }
}

function session(target: Target, json = false, id = randomUUID()): Conn {
  return new Conn(target, id, json, true);
}

const floodCommand = (bytes: number): string => `yes ${FLOOD_LINE} | head -c ${bytes}; exit\r`;

async function throughput(s: Extract<Scenario, { name: 'throughput' }>): Promise<unknown> {
  const t = s.target;
  if (t.kind === 'ttyd' && s.viewers > 1) throw new Error('ttyd gives every socket its own process: no shared session');
  const groups = await Promise.all(
    Array.from({ length: s.sessions }, async () => {
      const first = new RawConn(t, randomUUID(), s.json, true);
      await first.ready();
      const others = Array.from({ length: s.viewers - 1 }, () => new RawConn(t, first.id, s.json, false));
      // A joining ccpty viewer first gets the screen (a snapshot with the prompt).
      await Promise.all(others.map(async (c) => (t.kind === 'ccpty' ? c.ready(true) : c.open)));
      return [first, ...others];
    }),
  );
  const all = groups.flat();
  for (const c of all) c.count();
  const t0 = performance.now();
  for (const g of groups) (g[0] as RawConn).keys(floodCommand(s.bytes));
  await Promise.all(all.map((c) => c.ended));
  const end = Math.max(...all.map((c) => c.lastAt));
  const seconds = (end - t0) / 1000;
  const total = all.reduce((n, c) => n + c.bytes, 0);
  const short = all.filter((c) => c.bytes < s.bytes).length;
  for (const c of all) c.close();
  return {
    // sessions: all output of all sessions per second; viewers: what each viewer got per second
    mbps: (s.viewers > 1 ? total / s.viewers : total) / 1e6 / seconds,
    seconds,
    short,
    resets: all.reduce((n, c) => n + c.resets, 0),
  };
}

async function flood(s: Extract<Scenario, { name: 'flood' }>): Promise<never> {
  const c = session(s.target);
  await c.ready();
  process.stdout.write(`${JSON.stringify({ id: c.id })}\n`);
  c.count();
  c.keys(`yes ${FLOOD_LINE} | head -c 4000000000\r`);
  let told = false;
  c.onData = () => {
    if (!told && c.bytes > 1_000_000) {
      told = true;
      process.stdout.write(`${JSON.stringify({ flooding: true })}\n`);
    }
  };
  await c.ended;
  process.exit(0);
}

async function echo(s: Extract<Scenario, { name: 'echo' }>): Promise<unknown> {
  const c = session(s.target);
  await c.ready();
  // Raw mode, no tty echo: `cat` itself sends each keystroke back, as a TUI draws it.
  c.keys("stty raw -echo; echo RE''ADY; exec cat\r");
  await c.waitFor('READY');
  await new Promise((r) => setTimeout(r, 100));
  c.forget();
  const samples: number[] = [];
  await new Promise<void>((resolve) => {
    let sentAt = 0;
    const next = (): void => {
      if (samples.length >= s.samples) return resolve();
      sentAt = performance.now();
      c.keys('x');
    };
    c.onData = (data) => {
      if (sentAt === 0 || !(typeof data === 'string' ? data : data.toString('latin1')).includes('x')) return;
      samples.push(performance.now() - sentAt);
      sentAt = 0;
      // Back to back by default; with a gap, each key finds the machine idle, as typing does.
      if (s.gapMs) setTimeout(next, s.gapMs);
      else setImmediate(next);
    };
    next();
  });
  await c.stop();
  return { samples };
}

async function connect(s: Extract<Scenario, { name: 'connect' }>): Promise<unknown> {
  const samples: number[] = [];
  for (let i = 0; i < s.samples; i++) {
    const t0 = performance.now();
    const c = session(s.target);
    await c.waitFor(PROMPT);
    samples.push(performance.now() - t0);
    await c.stop();
    await new Promise((r) => setTimeout(r, 50));
  }
  return { samples };
}

/** A session with `lines` numbered lines of output; each sample: one more line, then a new viewer joins. */
async function snapshot(s: Extract<Scenario, { name: 'snapshot' }>): Promise<unknown> {
  const control = session(s.target);
  await control.ready();
  const last = String(s.lines).padStart(8, '0');
  control.keys(`seq -f '%08g ${FLOOD_LINE}' 1 ${s.lines}\r`); // one row a line
  await control.waitFor(`${last} `, 120_000);
  await control.waitFor(PROMPT);
  const samples: number[] = [];
  let size = 0;
  for (let i = 0; i < s.samples; i++) {
    control.forget();
    control.keys(`echo ti''ck-${i}\r`);
    await control.waitFor(`tick-${i}\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    const viewer = new Conn(s.target, control.id, true, false); // JSON: attached (and sent the screen) at connect
    let snap = '';
    viewer.onData = (d) => {
      if (snap === '') snap = typeof d === 'string' ? d : d.toString('utf8');
    };
    await viewer.waitFor(`tick-${i}`);
    samples.push(performance.now() - t0);
    size = Buffer.byteLength(snap);
    const kept = `${String(s.lines - 9000).padStart(8, '0')} `;
    const gone = `${String(1).padStart(8, '0')} `;
    if (!snap.startsWith('\x1bc') || !snap.includes(kept) || snap.includes(gone)) throw new Error('the first output is not the screen with its whole scrollback');
    viewer.close();
  }
  await control.stop();
  return { samples, bytes: size };
}

/** Sessions, each with `lines` lines of output, left running with no viewer. */
async function fill(s: Extract<Scenario, { name: 'fill' }>): Promise<unknown> {
  const ids = await Promise.all(
    Array.from({ length: s.sessions }, async () => {
      const c = session(s.target);
      await c.ready();
      const last = String(s.lines).padStart(8, '0');
      c.keys(`seq -f '%08g ${FLOOD_LINE}' 1 ${s.lines}\r`);
      await c.waitFor(`${last} `, 120_000);
      await c.waitFor(PROMPT);
      c.close();
      return c.id;
    }),
  );
  return { ids };
}

async function main(): Promise<void> {
  const s = JSON.parse(process.argv[2] ?? '{}') as Scenario;
  let result: unknown;
  switch (s.name) {
    case 'throughput':
      result = await throughput(s);
      break;
    case 'flood':
      return flood(s);
    case 'echo':
      result = await echo(s);
      break;
    case 'connect':
      result = await connect(s);
      break;
    case 'snapshot':
      result = await snapshot(s);
      break;
    case 'fill':
      result = await fill(s);
      break;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '-')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
