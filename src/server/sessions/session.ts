/**
 * One session: its process in a PTY, the terminal mirror, its viewers and its state.
 * The registry only creates, finds and lists these; transport code talks to them through
 * `actions.ts` and the Viewer interface, and never sees node-pty.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { stateMessage, type ServerMessage } from '../../shared/protocol.js';
import type { SessionInfo } from '../../shared/session-info.js';
import type { PendingTool, SessionStateName } from '../../shared/state.js';

export type { SessionInfo };
import type { HookPayload } from '../claude/hooks.js';
import type { LaunchSpec } from '../claude/launcher.js';
import { ensureDir } from '../fs-util.js';
import type { Logger } from '../log.js';
import { PtyProcess, type PtyExit } from '../pty/pty-process.js';
import type { SessionStore } from '../store/store.js';
import { TerminalMirror } from '../terminal/mirror.js';
import type { Viewer, ViewerHost } from '../terminal/viewer.js';
import { INITIAL, next, type MachineState, type StateEvent } from '../../shared/state-machine.js';
import type { StateTracker, TrackerFactory, TrackerHost } from '../state/tracker.js';
import { signalName, storedInfo } from './info.js';
import { ENTER, ESC, inputKeys, selectKeys } from './keys.js';
/** How long input to a starting session waits for it to be ready. */
const READY_TIMEOUT_MS = 30_000;
/** Longest wait for the echo of typed text before pressing Enter. */
const ECHO_WAIT_MS = 250;
/** Graceful stop: /exit (Claude Code), then SIGHUP, then SIGKILL, waiting this long for each. */
const EXIT_WAIT_MS = 3_000;
const HUP_WAIT_MS = 2_000;

export const DEFAULT_COLS = 120;
export const DEFAULT_ROWS = 40;

export interface SessionDeps {
  store: SessionStore;
  log: Logger;
  launch: (id: string, folder: string, hookSecret: string) => { spec: LaunchSpec; env: Record<string, string> };
  /** The state source for a run of this kind (Claude Code or any other command). */
  tracker: TrackerFactory;
  idleSec: number;
}

/** What `select` did: pressed, no such option (the dialog shows `count`), or not taken. */
export type SelectOutcome = { ok: true } | { ok: false; reason: 'no_such_option'; count: number } | { ok: false; reason: 'not_taken' };


export class Session implements ViewerHost {
  readonly mirror = new TerminalMirror(DEFAULT_COLS, DEFAULT_ROWS);
  private pty: PtyProcess | null = null;
  private machine: MachineState = INITIAL;
  private readonly viewers = new Set<Viewer>();
  private decoder = new StringDecoder('utf8');
  private idleTimer: NodeJS.Timeout | null = null;
  private readyWaiters: Array<(ready: boolean) => void> = [];
  private stopping: Promise<void> | null = null;
  private settled = false;
  private hookSecret = '';
  private prompt: string | null = null;
  /** The current run's state source (null while no process runs). */
  private tracker: StateTracker | null = null;
  private readonly trackerHost: TrackerHost = {
    machine: INITIAL, // replaced by a getter in the constructor
    dispatch: (e) => this.dispatch(e),
    broadcast: (m) => this.broadcast(m),
    readScreenLines: (cb) => this.mirror.whenParsed(() => cb(this.mirror.screenLines())),
    write: (keys) => this.write(keys),
    setPrompt: (p) => {
      const news = p !== this.prompt;
      this.prompt = p;
      return news;
    },
  };
  private outputWaiters: Array<() => void> = [];
  /** Last start, exit or viewer change (for releasing unused sessions). */
  lastChangeAt = Date.now();

  constructor(
    readonly id: string,
    readonly folder: string,
    private readonly deps: SessionDeps,
  ) {
    Object.defineProperty(this.trackerHost, 'machine', { get: () => this.machine });
  }

  hookSecretMatches(secret: string): boolean {
    return this.tracker?.takesHooks === true && this.hookSecret !== '' && safeEqual(secret, this.hookSecret);
  }

  /** A hook's payload, relayed by hook-relay with this run's secret. False: not ours. */
  onHook(secret: string, payload: HookPayload): boolean {
    if (!this.tracker || !this.hookSecretMatches(secret)) return false;
    this.deps.log.debug({ session: this.id, hook: payload.hook_event_name, tool: payload.tool_name }, 'hook');
    this.tracker.onHook(payload);
    return true;
  }

  get state(): SessionStateName {
    return this.machine.name;
  }

  get pending(): PendingTool | null {
    return this.machine.pending;
  }

  get isRunning(): boolean {
    return this.pty !== null;
  }

  info(): SessionInfo {
    const rec = this.deps.store.get(this.id);
    const stored = rec ? storedInfo(rec) : storedInfo({ id: this.id, folder: this.folder, command: '', created_at: 0, last_active_at: 0, exit_code: null, exit_signal: null, runs: 0 });
    return { ...stored, state: this.state, running: this.isRunning, pid: this.pty?.pid ?? null, viewers: this.viewers.size, cols: this.mirror.cols, rows: this.mirror.rows };
  }

  stateMessage(): ServerMessage {
    return stateMessage(this.id, this.state, this.pending, this.prompt);
  }

  /** Starts (or resumes) the process; a no-op while it runs. */
  start(): void {
    if (this.pty && this.stopping) {
      // Asked to start while stopping (a DELETE racing a create_session): start once stopped.
      this.stopping
        .then(() => this.start())
        .catch((err: unknown) => this.deps.log.error({ session: this.id, err: (err as Error).message }, 'could not restart the session'));
      return;
    }
    if (this.pty) return;
    ensureDir(this.folder, 0o700);
    this.hookSecret = randomBytes(24).toString('hex');
    const { spec, env } = this.deps.launch(this.id, this.folder, this.hookSecret);
    this.prompt = null;
    this.decoder = new StringDecoder('utf8');
    const pty = new PtyProcess(
      { file: spec.file, args: spec.args, cwd: this.folder, env, cols: this.mirror.cols, rows: this.mirror.rows },
      (chunk) => this.onOutput(chunk),
      (e) => this.onExit(pty, e),
    );
    this.pty = pty;
    this.settled = false;
    this.mirror.setBackpressure(pty);
    this.record(() => this.deps.store.markStarted(this.id, spec.display, Date.now()));
    this.deps.log.info({ session: this.id, pid: pty.pid, command: spec.display }, 'session started');
    this.dispatch({ type: 'spawned' });
    this.tracker = this.deps.tracker(spec.kind, this.id, this.trackerHost);
  }

  /** True once the current run has settled (been idle) at least once: its UI takes input. */
  get isReady(): boolean {
    return this.pty !== null && this.settled && this.stopping === null; // keys for a dying process are lost
  }

  /**
   * Resolves once the current run has settled, false if it exits first. A TUI that is still
   * drawing itself (Claude Code takes 0.5-2 s) drops keys typed into it.
   */
  whenReady(): Promise<boolean> {
    if (!this.pty) return Promise.resolve(false);
    if (this.stopping) return this.stopping.then(() => false); // being stopped: not for typing
    if (this.settled) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(true), READY_TIMEOUT_MS); // tty buffers it; type anyway
      const settle = (ready: boolean): void => {
        clearTimeout(timer);
        resolve(ready);
      };
      this.readyWaiters.push(settle);
    });
  }

  /** Raw keys, exactly as given (the terminal's own keyboard). */
  write(data: string | Buffer): void {
    if (!this.pty) return;
    this.pty.write(data);
    this.reviewIdle(true);
  }

  /**
   * Submits `text` as one prompt: types it, then presses Enter once the program has echoed it
   * (at most ECHO_WAIT_MS later). In one chunk, Claude Code takes "text\r" for a paste and
   * swallows the Enter. The prompt is announced with `session_running` once submitted.
   */
  async submit(text: string): Promise<void> {
    if (!this.pty) return;
    this.prompt = text;
    const echoed = this.nextOutput(ECHO_WAIT_MS);
    this.write(inputKeys(text, this.mirror.bracketedPaste));
    await echoed;
    this.write(ENTER);
  }

  /** Types `text` without submitting it (the EchoKit server submits with a `confirm`). */
  type(text: string): void {
    this.prompt = text;
    this.write(inputKeys(text, this.mirror.bracketedPaste));
  }

  /** Enter, outside any dialog: submits what was typed. */
  pressEnter(): void {
    this.write(ENTER);
  }

  /** Esc: interrupts running work, or declines the dialog on screen. */
  cancel(): void {
    this.write(ESC);
  }

  /** Accepts the highlighted option of the dialog on screen; true once it took the key. */
  async confirm(): Promise<boolean> {
    return (await this.tracker?.pressInDialog(ENTER)) ?? false;
  }

  /** Picks option `index` (0-based) of the dialog on screen. */
  async select(index: number): Promise<SelectOutcome> {
    const tracker = this.tracker;
    if (!tracker) return { ok: false, reason: 'not_taken' };
    const shown = await tracker.dialogOptions();
    const options = shown.length > 0 ? shown : (this.pending?.options ?? []);
    if (index >= options.length) return { ok: false, reason: 'no_such_option', count: options.length };
    return (await tracker.pressInDialog(selectKeys(index))) ? { ok: true } : { ok: false, reason: 'not_taken' };
  }

  /** Resolves at the next output, or after `ms` at the latest. */
  private nextOutput(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.outputWaiters = this.outputWaiters.filter((w) => w !== done); // a silent program must not pile them up
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.outputWaiters.push(done);
    });
  }

  resize(cols: number, rows: number): void {
    this.mirror.resize(cols, rows);
    this.pty?.resize(cols, rows);
  }

  attach(viewer: Viewer): void {
    if (this.viewers.has(viewer)) return;
    this.lastChangeAt = Date.now();
    this.viewers.add(viewer);
    viewer.beginJoin();
    this.reviewIdle();
  }

  detach(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.lastChangeAt = Date.now();
    viewer.detach();
    this.reviewIdle();
  }

  hasViewer(viewer: Viewer): boolean {
    return this.viewers.has(viewer);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** A store write that must not throw out of a timer or callback (a full disk, say). */
  private record(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.deps.log.error({ session: this.id, err: (err as Error).message }, 'could not record the session');
    }
  }

  requestSnapshot(viewer: Viewer): void {
    const state = this.stateMessage(); // as of the join point; later changes queue in order
    // This runs inside xterm's parse queue (a timer): nothing may throw out of it.
    this.mirror.snapshot((text) => {
      try {
        viewer.completeJoin(text, state);
      } catch (err) {
        this.deps.log.error({ session: this.id, err: (err as Error).message }, 'could not send a snapshot');
      }
    });
  }

  /** Tells every viewer, in order with the output. */
  broadcast(message: ServerMessage): void {
    for (const v of this.viewers) v.pushMessage(message);
  }

  /**
   * Stops the process the way a user would: `/exit` for Claude Code when it is idle, then
   * SIGHUP to the process group, then SIGKILL. Resolves once it has exited.
   */
  stop(reason: string): Promise<void> {
    const pty = this.pty;
    if (!pty) return Promise.resolve();
    if (this.stopping) return this.stopping;
    this.deps.log.info({ session: this.id, reason }, 'stopping session');
    this.stopping = (async () => {
      const exit = this.tracker?.exitCommand;
      if (exit && this.state === 'idle') {
        pty.write(exit);
        pty.write(ENTER);
        if (await pty.waitExit(EXIT_WAIT_MS)) return;
      }
      pty.signal('SIGHUP');
      if (await pty.waitExit(HUP_WAIT_MS)) return;
      pty.signal('SIGKILL');
      await pty.waitExit(HUP_WAIT_MS);
    })().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  private onOutput(chunk: Buffer): void {
    if (this.outputWaiters.length > 0) for (const w of this.outputWaiters.splice(0)) w();
    this.mirror.write(chunk);
    if (this.viewers.size > 0) {
      const text = this.decoder.write(chunk);
      for (const v of this.viewers) v.pushOutput(chunk, text);
    } else {
      this.decoder.write(chunk); // keep the decoder in step for viewers who join later
    }
    this.tracker?.onOutput();
  }

  private onExit(pty: PtyProcess, e: PtyExit): void {
    if (this.pty !== pty) return;
    pty.sweep();
    this.pty = null;
    this.tracker?.close();
    this.tracker = null;
    this.hookSecret = '';
    this.lastChangeAt = Date.now();
    this.mirror.setBackpressure(null);
    this.clearTimers();
    const tail = this.decoder.end();
    if (tail) for (const v of this.viewers) v.pushOutput(Buffer.from(tail), tail);
    this.record(() => this.deps.store.markExited(this.id, e.exitCode, e.signal, Date.now()));
    this.deps.log.info({ session: this.id, exit_code: e.exitCode, signal: e.signal }, 'session exited');
    this.machine = next(this.machine, { type: 'exited' });
    // A death by signal has no exit code (node-pty reports 0); say which signal instead.
    const exit_signal = signalName(e.signal);
    this.broadcast({ type: 'session_ended', session_id: this.id, exit_code: exit_signal ? null : e.exitCode, exit_signal });
    for (const w of this.readyWaiters.splice(0)) w(false);
  }

  dispatch(event: StateEvent): void {
    const before = this.machine;
    this.machine = next(before, event);
    if (this.machine === before || (this.machine.name === before.name && this.machine.pending === before.pending)) return;
    this.record(() => this.deps.store.markState(this.id, this.machine.name, Date.now()));
    if (this.machine.name !== 'stopped') this.broadcast(this.stateMessage());
    if (this.machine.name === 'idle') this.prompt = null; // the turn is over
    if (this.machine.name === 'idle' && !this.settled) {
      this.settled = true;
      for (const w of this.readyWaiters.splice(0)) w(true);
    }
    this.reviewIdle();
  }

  /**
   * Counts down the idle timeout while the session is idle, unwatched and untouched; any
   * change of those restarts the count from the full --idle-sec.
   */
  private reviewIdle(restart = false): void {
    const idleMs = this.deps.idleSec * 1000;
    const eligible = idleMs > 0 && this.pty !== null && this.state === 'idle' && this.viewers.size === 0;
    if (this.idleTimer && (!eligible || restart)) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (!eligible || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.state === 'idle' && this.viewers.size === 0) void this.stop('idle timeout');
    }, idleMs);
  }

  private clearTimers(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  dispose(): void {
    this.clearTimers();
    this.tracker?.close();
    for (const v of this.viewers) v.detach();
    this.viewers.clear();
    this.mirror.dispose();
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
