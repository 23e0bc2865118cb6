/**
 * One child process in a pseudo-terminal. A thin layer over node-pty that (1) hands out raw
 * bytes (no decoding on the hot path), (2) reports exit only after the output is drained and
 * (3) signals the whole process group, so a session's children never outlive it.
 *
 * Draining: when the last holder of the slave side closes it, Linux lets the master's read
 * fail with EIO while output is still queued, and node-pty then drops those last KiBs
 * (measured here: 1 run in 6 of `seq 1 150000` lost 5-14 KiB). So we hold the slave open
 * ourselves until node-pty reports the exit; it reports it 200 ms after the child's death at
 * the latest, with the queue read by then.
 */
import fs from 'node:fs';
import * as pty from 'node-pty';
import { InputWriter } from './input-writer.js';
import { allPids, statFields } from './procfs.js';

/**
 * Runs the session's command with every descriptor above stderr closed first. node-pty's
 * child inherits the server's open descriptors, among them every other session's PTY master
 * (a command in one session could then type into another's terminal) and the slave we hold.
 * Node has no fcntl to mark them close-on-exec, so the child closes them before it execs.
 */
const CLOSE_FDS = 'for f in /proc/self/fd/*; do f=${f##*/}; [ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-" 2>/dev/null; done; exec "$0" "$@"';
const BASH = '/bin/bash';
/** How often `writable` looks at the input waiting while it is over its limit. */
const WRITABLE_POLL_MS = 20;
const CAN_CLOSE_FDS = fs.existsSync('/proc/self/fd') && fs.existsSync(BASH);

export interface PtySpawnOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

export class PtyProcess {
  readonly pid: number;
  private readonly term: pty.IPty;
  private exited: PtyExit | null = null;
  private readonly exitWaiters: Array<(e: PtyExit) => void> = [];
  private slaveFd: number | null;
  /** Input, written on this thread (input-writer.ts); null: node-pty's own writer. */
  private readonly input: InputWriter | null;

  constructor(
    opts: PtySpawnOptions,
    onData: (chunk: Buffer) => void,
    onExit: (e: PtyExit) => void,
  ) {
    const [file, args] = CAN_CLOSE_FDS ? [BASH, ['-c', CLOSE_FDS, opts.file, ...opts.args]] : [opts.file, opts.args];
    this.term = pty.spawn(file, args, {
      name: opts.env.TERM ?? 'xterm-256color',
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: opts.env,
      // Raw bytes: the mirror and binary viewers take bytes; JSON viewers decode once.
      encoding: null,
    });
    this.pid = this.term.pid;
    this.slaveFd = holdSlave(this.term);
    const fd = (this.term as unknown as { fd?: unknown }).fd; // node-pty's, not a public API
    // Only where each child closes every inherited descriptor: elsewhere other sessions'
    // programs share the master's open file description and could make it blocking, and a
    // write on this thread would then block the whole server.
    this.input = CAN_CLOSE_FDS && typeof fd === 'number' && fd >= 0 ? new InputWriter(fd, () => this.masterClosed) : null;
    // node-pty's typings say string, but with `encoding: null` the events carry Buffers.
    this.term.onData((d) => onData(d as unknown as Buffer));
    // node-pty emits exit only once the pty's read side has closed (EIO), i.e. drained.
    this.term.onExit(({ exitCode, signal }) => {
      this.exited = { exitCode, signal: signal ? signal : null };
      this.input?.clear();
      if (this.slaveFd !== null) fs.closeSync(this.slaveFd);
      this.slaveFd = null;
      onExit(this.exited);
      for (const w of this.exitWaiters.splice(0)) w(this.exited);
    });
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  /** Input, in order (see InputWriter); dropped once node-pty has closed the master. */
  write(data: string | Buffer): void {
    if (this.exited) return;
    if (this.input) this.input.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data); // checks the master itself
    else if (!this.masterClosed) this.term.write(data);
  }

  /**
   * True once node-pty has closed the master, which it does before it reports the exit (its
   * socket is destroyed on EIO, or 200 ms after the child's death). The descriptor's number
   * can then belong to any file the server opens next: a key written to it, or a resize, would
   * land there. The socket is marked destroyed synchronously, before the close. (node-pty's
   * field, not a public API: false if it is not there.)
   */
  private get masterClosed(): boolean {
    return (this.term as unknown as { _socket?: { destroyed?: unknown } })._socket?.destroyed === true;
  }

  /**
   * Bytes handed to `write` that the terminal has not taken yet: what the kernel's buffer (a
   * few KiB) cannot hold while the program does not read waits in a queue (ours, or node-pty's
   * write queue: not a public API; 0 if it is not there).
   */
  get unwrittenBytes(): number {
    if (this.input) return this.input.pending;
    const queue = (this.term as unknown as { _writeStream?: { _writeQueue?: unknown } })._writeStream?._writeQueue;
    if (!Array.isArray(queue)) return 0;
    let n = 0;
    for (const t of queue as Array<{ buffer: Uint8Array; offset: number }>) n += t.buffer.length - t.offset;
    return n;
  }

  /**
   * Resolves once at most `limit` bytes wait to be written (at once when so), or the process
   * has ended. Polled (neither writer has a drain event); WRITABLE_POLL_MS is far below a person's
   * notice and costs nothing while nothing waits.
   */
  async writable(limit: number): Promise<void> {
    while (this.exited === null && this.unwrittenBytes > limit) await new Promise((r) => setTimeout(r, WRITABLE_POLL_MS));
  }

  resize(cols: number, rows: number): void {
    if (this.exited || this.masterClosed) return; // the number may be another terminal's by now
    try {
      this.term.resize(cols, rows);
    } catch {
      // the pty can close between the check and the ioctl; nothing to resize then
    }
  }

  pause(): void {
    this.term.pause();
  }

  resume(): void {
    this.term.resume();
  }

  /** Sends a signal to the process group (node-pty makes the child a session leader). */
  signal(sig: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      try {
        process.kill(this.pid, sig);
      } catch {
        // already gone
      }
    }
  }

  /**
   * SIGKILLs whatever is left of the session after the leader exited: a background child
   * that ignored SIGHUP, or a job an interactive shell put in a process group of its own.
   */
  sweep(): void {
    for (const pid of sessionMembers(this.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }

  /** Resolves with the exit, or null if it has not happened within `ms`. */
  waitExit(ms: number): Promise<PtyExit | null> {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      this.exitWaiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }
}

/**
 * Processes whose kernel session is `sid` (node-pty makes the child a session leader, and
 * everything it starts stays in that session unless it calls setsid itself, like a daemon).
 * Linux reads /proc; elsewhere the process group is the best available answer.
 */
export function sessionMembers(sid: number): number[] {
  const pids = allPids();
  if (!pids) return [-sid];
  return pids.filter((pid) => Number(statFields(pid)?.[3]) === sid);
}

function holdSlave(term: pty.IPty): number | null {
  const name = (term as unknown as { ptsName?: string }).ptsName;
  if (!name) return null;
  try {
    return fs.openSync(name, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  } catch {
    return null; // not fatal: we only lose the drain guarantee
  }
}
