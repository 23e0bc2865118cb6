/**
 * The node-pty backend: used where ccpty's own spawner (native-terminal.ts) is not built or
 * not supported. node-pty forks the server, so its child inherits every descriptor the
 * server has open; on Linux a bash wrapper closes them before the command runs.
 */
import fs from 'node:fs';
import * as pty from 'node-pty';
import type { PtySpawnOptions, Terminal, TerminalEvents } from './terminal.js';

/**
 * Runs the session's command with every descriptor above stderr closed first. node-pty's
 * child inherits the server's open descriptors, among them every other session's PTY master
 * (a command in one session could then type into another's terminal) and the slave we hold.
 * Node has no fcntl to mark them close-on-exec, so the child closes them before it execs.
 */
const CLOSE_FDS = 'for f in /proc/self/fd/*; do f=${f##*/}; [ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-" 2>/dev/null; done; exec "$0" "$@"';
const BASH = '/bin/bash';
const CAN_CLOSE_FDS = fs.existsSync('/proc/self/fd') && fs.existsSync(BASH);

export class NodePtyTerminal implements Terminal {
  readonly pid: number;
  readonly inputFd: number | null;
  private readonly term: pty.IPty;
  private slaveFd: number | null;

  constructor(opts: PtySpawnOptions, events: TerminalEvents) {
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
    // programs share the master's open file description and could make it blocking.
    this.inputFd = CAN_CLOSE_FDS && typeof fd === 'number' && fd >= 0 ? fd : null;
    // node-pty's typings say string, but with `encoding: null` the events carry Buffers.
    this.term.onData((d) => events.onData(d as unknown as Buffer));
    // With the slave held, node-pty's read never fails with EIO: it reports the exit 200 ms
    // after the child's death, with the queued output read by then.
    this.term.onExit(({ exitCode, signal }) => {
      if (this.slaveFd !== null) fs.closeSync(this.slaveFd);
      this.slaveFd = null;
      events.onExit({ exitCode, signal: signal ? signal : null });
    });
  }

  /**
   * node-pty closes the master before it reports the exit (on EIO, or 200 ms after the
   * child's death), marking its socket destroyed synchronously, before the close. (node-pty's
   * field, not a public API: false if it is not there.)
   */
  get closed(): boolean {
    return this.socket?.destroyed === true;
  }

  write(data: Buffer): void {
    this.term.write(data as unknown as string); // node-pty takes Buffers too
  }

  /** node-pty's write queue (not a public API; 0 if it is not there). */
  get queued(): number {
    const queue = (this.term as unknown as { _writeStream?: { _writeQueue?: unknown } })._writeStream?._writeQueue;
    if (!Array.isArray(queue)) return 0;
    let n = 0;
    for (const t of queue as Array<{ buffer: Uint8Array; offset: number }>) n += t.buffer.length - t.offset;
    return n;
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  pause(): void {
    this.term.pause();
  }

  resume(): void {
    this.term.resume();
  }

  destroy(): void {
    this.socket?.destroy();
  }

  private get socket(): { destroyed?: unknown; destroy(): void } | undefined {
    return (this.term as unknown as { _socket?: { destroyed?: unknown; destroy(): void } })._socket;
  }
}

/**
 * Holds the slave open ourselves until node-pty reports the exit: when the last holder of the
 * slave closes it, Linux lets the master's read fail with EIO while output is still queued,
 * and node-pty then drops those last KiBs (measured here: 1 run in 6 of `seq 1 150000` lost
 * 5-14 KiB).
 */
function holdSlave(term: pty.IPty): number | null {
  const name = (term as unknown as { ptsName?: string }).ptsName;
  if (!name) return null;
  try {
    return fs.openSync(name, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  } catch {
    return null; // not fatal: we only lose the drain guarantee
  }
}
