/**
 * The native backend (Linux): ccpty's own spawner, native/pty.c, built at install time.
 * node-pty forks the server to start a session, and fork copies the server's page tables:
 * measured here, a shell's first byte came 13.5 ms after the spawn from a 45 MiB server and
 * 31 ms from a 445 MiB one (the mirror worker's heap after a flood), plus 3-5 ms for the bash
 * wrapper that closes the descriptors a forked child inherits. posix_spawn (CLONE_VFORK) copies
 * nothing and closes them in the child itself: 7 ms at either size.
 *
 * Not built (no compiler, not Linux, CCPTY_PTY=node-pty): node-pty-terminal.ts is used.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import tty from 'node:tty';
import { fileURLToPath } from 'node:url';
import type { PtySpawnOptions, Terminal, TerminalEvents } from './terminal.js';

/** native/pty.c: its header comment documents each function. */
interface Addon {
  openPty(cols: number, rows: number): { master: number; slave: number; path: string };
  spawn(file: string, argv: string[], envp: string[], cwd: string, ptsPath: string): number;
  resize(fd: number, cols: number, rows: number): void;
  watch(pid: number, cb: (exitCode: number, signal: number) => void): void;
}

/**
 * How long after the child's death its last output is still read before the master closes.
 * The server holds the slave, so the master's read never fails with EIO (which would drop
 * what is still queued); nothing marks the end, so the wait is node-pty's 200 ms, which the
 * drain tests have held to.
 */
const DRAIN_MS = 200;
/** Where ensure-build.mjs builds the addon (from dist/src/server/pty/). */
const ADDON_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'native', 'build', 'Release', 'ccpty_pty.node');

let loaded: Addon | null | undefined;

/** The addon, or null where it is not built, not supported, or not wanted (CCPTY_PTY=node-pty). */
export function nativePty(): Addon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.platform !== 'linux' || process.env.CCPTY_PTY === 'node-pty' || !fs.existsSync(ADDON_PATH)) return loaded;
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch {
    loaded = null; // built for another system, say: node-pty still works
  }
  return loaded;
}

export class NativeTerminal implements Terminal {
  readonly pid: number;
  readonly inputFd: number;
  private readonly addon: Addon;
  private readonly socket!: tty.ReadStream; // unset only if the constructor throws
  private slave: number | null;
  private finished = false;
  /** The child has died: reading is never paused again (see watch). */
  private dead = false;

  constructor(addon: Addon, opts: PtySpawnOptions, events: TerminalEvents) {
    // What node-pty sets for its children too.
    const env = { ...opts.env, PWD: opts.cwd, TERM: opts.env.TERM ?? 'xterm-256color' };
    const pty = addon.openPty(opts.cols, opts.rows);
    // Only this process has the master open (every descriptor is close-on-exec): input may be
    // written to it on this thread without another program making it blocking.
    this.inputFd = pty.master;
    this.slave = pty.slave;
    this.addon = addon;
    let watched = 0; // the pid, once the watch is set up
    try {
      this.pid = spawnOrExplain(addon, opts.file, opts.args, env, opts.cwd, pty.path);
      // The watch before the stream: once it is set up, the child is always reaped. It throws
      // only when no thread can be made, after killing and reaping the child (pty.c).
      addon.watch(this.pid, (exitCode, signal) => {
        if (!this.socket) return; // never got a stream (below): nothing to drain or report
        // The child is gone: nothing is left to slow down, and what it wrote last must be
        // read within DRAIN_MS, so whoever paused reading (a viewer's hold, the mirror) is
        // overruled from now on.
        this.dead = true;
        this.socket.resume();
        setTimeout(() => this.finish(exitCode, signal, events), DRAIN_MS);
      });
      watched = this.pid;
      this.socket = new tty.ReadStream(pty.master);
    } catch (err) {
      if (watched) killGroup(watched); // the watch reaps it
      fs.closeSync(pty.master);
      fs.closeSync(pty.slave);
      throw err;
    }
    this.socket.on('data', (chunk: Buffer) => events.onData(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EAGAIN') this.socket.destroy(); // the exit still comes from the watch
    });
  }

  get closed(): boolean {
    return this.socket.destroyed; // set synchronously, before the descriptor is closed
  }

  write(): void {
    throw new Error('the native terminal takes input through its inputFd');
  }

  get queued(): number {
    return 0;
  }

  resize(cols: number, rows: number): void {
    this.addon.resize(this.inputFd, cols, rows); // PtyProcess checks the master is open
  }

  pause(): void {
    if (!this.dead) this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private finish(exitCode: number, signal: number, events: TerminalEvents): void {
    if (this.finished) return;
    this.finished = true;
    this.socket.destroy();
    if (this.slave !== null) fs.closeSync(this.slave);
    this.slave = null;
    events.onExit({ exitCode, signal: signal ? signal : null });
  }
}

/**
 * Starts `file` (looked up in the session's PATH, as execvp does) in the terminal. When it
 * cannot run, the terminal says why and the session ends with a shell's status (127: not
 * found, 126: not runnable), as it did when a shell ran it; a file without a `#!` line runs
 * under /bin/sh, as execvp runs it.
 */
function spawnOrExplain(addon: Addon, file: string, args: string[], env: Record<string, string>, cwd: string, ptsPath: string): number {
  const envp = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const explain = (why: string, status: number): number =>
    addon.spawn('/bin/sh', ['sh', '-c', `printf 'ccpty: %s\\n' "$1"; exit "$2"`, 'sh', why, String(status)], envp, '/', ptsPath);
  if (!isDirectory(cwd)) return explain(`cannot enter ${cwd}`, 126);
  const resolved = resolveCommand(file, env.PATH, cwd);
  if (!resolved) return explain(`${file}: command not found`, 127);
  try {
    return addon.spawn(resolved, [file, ...args], envp, cwd, ptsPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOEXEC') return addon.spawn('/bin/sh', [file, resolved, ...args], envp, cwd, ptsPath);
    if (!isDirectory(cwd)) return explain(`cannot enter ${cwd}`, 126); // removed meanwhile
    if (code === 'EACCES' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') {
      return explain(`${file}: ${(err as Error).message.replace(/^.*?: /, '')}`, code === 'EACCES' ? 126 : 127);
    }
    throw err;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** execvp's search: a name with a slash as it is, else the first executable file on PATH. */
function resolveCommand(file: string, searchPath: string | undefined, cwd: string): string | null {
  if (file.includes('/')) return path.resolve(cwd, file);
  if (file === '') return null;
  for (const dir of (searchPath ?? '/bin:/usr/bin').split(':')) {
    const candidate = path.resolve(cwd, dir || '.', file);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
