/**
 * One child process in a pseudo-terminal. A thin layer over a backend (terminal.ts: ccpty's own
 * spawner on Linux, node-pty elsewhere) that (1) hands out raw bytes (no decoding on the hot
 * path), (2) reports exit only after the output is drained, (3) writes input on this thread,
 * in order, and never to a closed master's number (input-writer.ts), (4) signals the whole
 * process group, so a session's children never outlive it, and (5) joins a flood's reads into
 * fewer chunks (output-joiner.ts).
 */
import { InputWriter } from './input-writer.js';
import { NativeTerminal, nativePty } from './native-terminal.js';
import { NodePtyTerminal } from './node-pty-terminal.js';
import { OutputJoiner } from './output-joiner.js';
import { allPids, statFields } from './procfs.js';
import type { PtyExit, PtySpawnOptions, Terminal } from './terminal.js';

export type { PtyExit, PtySpawnOptions } from './terminal.js';

const MIRROR_HOLD = Symbol('mirror');
/** How often `writable` looks at the input waiting while it is over its limit. */
const WRITABLE_POLL_MS = 20;

/** Which backend starts sessions: 'native' where native/pty.c is built (Linux), else node-pty. */
export function ptyBackend(): 'native' | 'node-pty' {
  return nativePty() ? 'native' : 'node-pty';
}

export class PtyProcess {
  readonly pid: number;
  private readonly term: Terminal;
  private exited: PtyExit | null = null;
  private readonly exitWaiters: Array<(e: PtyExit) => void> = [];
  /** Input, written on this thread; null: the backend's own writer. */
  private readonly input: InputWriter | null;
  /** Who holds reading paused (see hold). */
  private readonly holds = new Set<unknown>();
  /** A flood's reads, joined into fewer chunks (output-joiner.ts). */
  private readonly joiner: OutputJoiner;

  constructor(
    opts: PtySpawnOptions,
    onData: (chunk: Buffer) => void,
    onExit: (e: PtyExit) => void,
    backend: 'native' | 'node-pty' = ptyBackend(),
  ) {
    this.joiner = new OutputJoiner(onData);
    const events = {
      onData: (chunk: Buffer): void => this.joiner.push(chunk),
      onExit: (e: PtyExit): void => {
        this.joiner.flush(); // every byte before the exit
        this.exited = e;
        this.input?.clear();
        onExit(e);
        for (const w of this.exitWaiters.splice(0)) w(e);
      },
    };
    const addon = backend === 'native' ? nativePty() : null;
    this.term = addon ? new NativeTerminal(addon, opts, events) : new NodePtyTerminal(opts, events);
    this.pid = this.term.pid;
    const fd = this.term.inputFd;
    this.input = fd !== null ? new InputWriter(fd, () => this.term.closed) : null;
  }

  /** Hands out the output read but held back to be joined, now (before a message that must follow it). */
  flushOutput(): void {
    this.joiner.flush();
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  /** Input, in order (see InputWriter); dropped once the master is closed. */
  write(data: string | Buffer): void {
    if (this.exited) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.input) this.input.write(bytes); // checks the master itself
    else if (!this.term.closed) this.term.write(bytes);
  }

  /**
   * Bytes handed to `write` that the terminal has not taken yet: what the kernel's buffer (a
   * few KiB) cannot hold while the program does not read waits in a queue.
   */
  get unwrittenBytes(): number {
    return this.input ? this.input.pending : this.term.queued;
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
    if (this.exited || this.term.closed) return; // the number may be another terminal's by now
    try {
      this.term.resize(cols, rows);
    } catch {
      // the pty can close between the check and the ioctl; nothing to resize then
    }
  }

  /**
   * Reading pauses while anyone holds it: the mirror far behind (`pause`), a viewer catching
   * up (sessions/session.ts). Released by the same key.
   */
  hold(key: unknown, on: boolean): void {
    const was = this.holds.size > 0;
    if (on) this.holds.add(key);
    else this.holds.delete(key);
    const is = this.holds.size > 0;
    if (is === was) return;
    if (is) this.term.pause();
    else this.term.resume();
  }

  /** The mirror's hold (MirrorBackpressure). */
  pause(): void {
    this.hold(MIRROR_HOLD, true);
  }

  resume(): void {
    this.hold(MIRROR_HOLD, false);
  }

  /** Sends a signal to the process group (the child leads a kernel session of its own). */
  signal(sig: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // The group is gone (the child leads it, so its pid is free by now: not signalled alone).
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
 * Processes whose kernel session is `sid` (the session's child leads one of its own, and
 * everything it starts stays in that session unless it calls setsid itself, like a daemon).
 * Linux reads /proc; elsewhere the process group is the best available answer.
 */
export function sessionMembers(sid: number): number[] {
  const pids = allPids();
  if (!pids) return [-sid];
  return pids.filter((pid) => Number(statFields(pid)?.[3]) === sid);
}
