/**
 * One session: its process in a PTY, the terminal mirror, its viewers and its state.
 * The registry only creates, finds and lists these; transport code talks to them through
 * `actions.ts` and the Viewer interface, and never sees node-pty.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { stateMessage, type ServerMessage, type SessionSizeMessage } from '../../shared/protocol.js';
import { clampSize } from '../../shared/size-limits.js';
import type { SessionInfo } from '../../shared/session-info.js';
import type { PendingTool, SessionStateName } from '../../shared/state.js';

export type { SessionInfo };
import type { HookPayload } from '../claude/hooks.js';
import type { LaunchSpec } from '../claude/launcher.js';
import { ensureDir } from '../fs-util.js';
import type { Logger } from '../log.js';
import { processStartTicks } from '../pty/leftovers.js';
import { PtyProcess, type PtyExit } from '../pty/pty-process.js';
import type { SessionStore } from '../store/store.js';
import { TerminalMirror } from '../terminal/mirror.js';
import { outputFrame, skipText } from '../terminal/output.js';
import type { Viewer, ViewerHost } from '../terminal/viewer.js';
import { HoldGate } from './hold-gate.js';
import { INITIAL, next, type MachineState, type StateEvent } from '../../shared/state-machine.js';
import type { StateTracker, SubmitOutcome, TrackerFactory, TrackerHost } from '../state/tracker.js';
import { signalName, storedInfo } from './info.js';
import { RunNotes } from './run-notes.js';
import { ENTER, ESC, selectKeys } from './keys.js';
/** How long input to a starting session waits for it to be ready. */
const READY_TIMEOUT_MS = 30_000;
/** Graceful stop: /exit (Claude Code), then SIGHUP, then SIGKILL, waiting this long for each. */
const EXIT_WAIT_MS = 3_000;
const HUP_WAIT_MS = 2_000;

/** A session no viewer has sized runs at 80×24, as echokit_pty does (its web UI never sends a size). */
export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;

/** A client asking for the state waits at most this long for a dialog's announcement (the tracker announces within 2 s). */
const ANNOUNCE_WAIT_MS = 2500;
/** Input a program may leave unread before its writers wait: a long paste, far more than typing. */
const INPUT_BACKLOG = 256 * 1024;

export interface SessionDeps {
  store: SessionStore;
  log: Logger;
  launch: (id: string, folder: string, hookSecret: string) => { spec: LaunchSpec; env: Record<string, string> };
  /** The state source for a run of this kind (Claude Code or any other command). */
  tracker: TrackerFactory;
  idleSec: number;
  /** Lines of scrollback the mirror keeps (`--scrollback`; the mirror's default if absent). */
  scrollback?: number;
}

/** What `select` did: pressed, no such option (the dialog shows `count`), or not taken. */
export type SelectOutcome = { ok: true } | { ok: false; reason: 'no_such_option'; count: number } | { ok: false; reason: 'not_taken' };


export class Session implements ViewerHost {
  readonly mirror: TerminalMirror;
  private pty: PtyProcess | null = null;
  private machine: MachineState = INITIAL;
  private readonly viewers = new Set<Viewer>();
  /** Viewers holding the PTY while they catch up. */
  private readonly holds = new HoldGate<Viewer>((v) => v.cancelHold());
  private decoder = new StringDecoder('utf8');
  private idleTimer: NodeJS.Timeout | null = null;
  private readyWaiters: Array<(ready: boolean) => void> = [];
  private stopping: Promise<void> | null = null;
  private settled = false;
  private hookSecret = '';
  private prompt: string | null = null;
  /** The last state message viewers were sent (and its JSON, to tell news from repeats). */
  private reported: ServerMessage | null = null;
  private reportedKey = '';
  private reportWaiters: Array<() => void> = [];
  /** The current run's state source (null while no process runs). */
  private tracker: StateTracker | null = null;
  private readonly trackerHost: TrackerHost = {
    machine: INITIAL, // replaced by a getter in the constructor
    dispatch: (e) => this.dispatch(e),
    broadcast: (m) => this.broadcast(m),
    readScreenLines: (cb) => this.mirror.readScreenLines(cb),
    write: (keys) => this.write(keys),
    setPrompt: (p) => {
      const news = p !== this.prompt;
      this.prompt = p;
      if (p !== null) this.notes.prompt(p);
      return news;
    },
    setTitle: (title) => this.notes.title(title),
    bracketedPaste: false, // replaced by a getter in the constructor
    nextOutput: (ms) => this.nextOutput(ms),
    retell: () => {
      if (this.reported) this.broadcast(this.reported);
    },
  };
  private outputWaiters: Array<() => void> = [];
  /** Last start, exit or viewer change (for releasing unused sessions). */
  lastChangeAt = Date.now();
  /** The first prompt, the title, how runs ended, crashes at start: for the dashboard. */
  private readonly notes: RunNotes;

  constructor(
    readonly id: string,
    readonly folder: string,
    private readonly deps: SessionDeps,
  ) {
    this.mirror = new TerminalMirror(DEFAULT_COLS, DEFAULT_ROWS, deps.scrollback);
    this.notes = new RunNotes(id, deps.store, (write) => this.record(write));
    Object.defineProperty(this.trackerHost, 'machine', { get: () => this.machine });
    Object.defineProperty(this.trackerHost, 'bracketedPaste', { get: () => this.mirror.bracketedPaste });
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

  /** More than INPUT_BACKLOG bytes of input wait for the program (it does not read its terminal). */
  get inputBacklogged(): boolean {
    return (this.pty?.unwrittenBytes ?? 0) > INPUT_BACKLOG;
  }

  /**
   * Resolves once the program has taken all but INPUT_BACKLOG bytes of the input written to
   * it: the command path waits for this, so a program that does not read its terminal makes
   * its writers wait (backpressure), not the server's memory grow.
   */
  inputWritable(): Promise<void> {
    return this.pty ? this.pty.writable(INPUT_BACKLOG) : Promise.resolve();
  }

  /** The running process's pid (also its kernel session id), or null. */
  get pid(): number | null {
    return this.pty?.pid ?? null;
  }

  get isRunning(): boolean {
    return this.pty !== null;
  }

  info(): SessionInfo {
    const rec = this.deps.store.get(this.id);
    const note = this.deps.store.notes.get(this.id);
    const stored = rec ? storedInfo(rec, note) : storedInfo({ id: this.id, folder: this.folder, command: '', created_at: 0, last_active_at: 0, exit_code: null, exit_signal: null, runs: 0 }, note);
    const p = this.machine.name === 'pending' ? this.machine.pending : null;
    return {
      ...stored,
      state: this.state,
      running: this.isRunning,
      pid: this.pty?.pid ?? null,
      viewers: this.viewers.size,
      cols: this.mirror.cols,
      rows: this.mirror.rows,
      waiting_for: p ? { kind: p.kind, tool_name: p.tool_name, question: p.question ?? null } : null,
      quick_exits: this.notes.quickExits,
    };
  }

  /**
   * Whether input may restart this stopped session: not after QUICK_EXITS_BLOCK runs in a row
   * ended by themselves within QUICK_EXIT_MS of starting (a command that cannot start, or a
   * terminal's automatic replies would relaunch it in a loop); create_session still starts it.
   */
  get restartBlocked(): boolean {
    return this.pty === null && this.notes.blocksRestart;
  }

  /** The PTY's size, as every viewer must render it. */
  sizeMessage(): SessionSizeMessage {
    return { type: 'session_size', session_id: this.id, cols: this.mirror.cols, rows: this.mirror.rows };
  }

  /**
   * The state as viewers have been told it: a dialog whose hook came but which is not drawn
   * yet is not news until it is announced (then with its options).
   */
  stateMessage(): ServerMessage {
    const m = this.machine;
    if (m.name === 'pending' && !m.announced) return this.reported ?? { type: 'session_running', session_id: this.id };
    return stateMessage(this.id, m.name, m.pending, this.prompt);
  }

  /** The state for a client that asks: a dialog on its way is waited for (bounded), then told. */
  async currentState(): Promise<ServerMessage> {
    // Output read before the question goes out first, and may change the answer (a quiet
    // session printing again). Not in stateMessage(): a joining viewer's snapshot point must not
    // move (requestSnapshot), or it would get those bytes twice.
    this.pty?.flushOutput();
    if (this.machine.name === 'pending' && !this.machine.announced) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ANNOUNCE_WAIT_MS);
        const self = this;
        function done(): void {
          clearTimeout(timer);
          self.reportWaiters = self.reportWaiters.filter((w) => w !== done);
          resolve();
        }
        this.reportWaiters.push(done);
      });
      this.pty?.flushOutput(); // and what was read during the wait
    }
    return this.stateMessage();
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
    this.notes.started();
    this.mirror.setBackpressure(pty);
    this.holds.setTarget(pty);
    this.record(() => this.deps.store.markStarted(this.id, spec.display, Date.now()));
    this.record(() => this.deps.store.recordRun(this.id, pty.pid, processStartTicks(pty.pid)));
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

  /** Submits `text` as one prompt, exactly as given (announced with `session_running`). */
  async submit(text: string): Promise<SubmitOutcome> {
    const tracker = this.tracker;
    if (!tracker) return { ok: false, reason: 'exited' };
    const before = this.prompt;
    this.prompt = text;
    this.notes.prompt(text);
    const outcome = await tracker.submit(text);
    if (!outcome.ok && this.prompt === text) this.prompt = before;
    return outcome;
  }

  /** Enter outside a dialog (submits what was typed); false if a dialog is up or coming. */
  async pressEnter(): Promise<boolean> {
    return (await this.tracker?.enter()) ?? false;
  }

  /** Esc: interrupts running work, or declines the dialog on screen. */
  cancel(): void {
    this.write(ESC);
    this.tracker?.noteInterrupt();
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
  nextOutput(ms: number): Promise<void> {
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

  /** Resizes the PTY and the mirror, clamped to SIZE_LIMITS (the protocol allows 1–1000). */
  resize(cols: number, rows: number): void {
    const size = clampSize(cols, rows);
    if (size.cols === this.mirror.cols && size.rows === this.mirror.rows) return;
    this.pty?.flushOutput(); // what was read before the resize is drawn at the old size
    this.mirror.resize(size.cols, size.rows);
    this.pty?.resize(size.cols, size.rows);
    // Every viewer renders exactly this size: tell them, in order with the output.
    this.broadcast(this.sizeMessage());
  }

  attach(viewer: Viewer): void {
    if (this.viewers.has(viewer)) return;
    this.lastChangeAt = Date.now();
    this.viewers.add(viewer);
    // The size first: a client sizes its terminal before it writes the snapshot into it.
    viewer.reply(this.sizeMessage());
    viewer.beginJoin();
    this.reviewIdle();
  }

  detach(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.lastChangeAt = Date.now();
    viewer.detach(); // releases its hold, if it had one
    if (this.viewers.size === 0 && !this.pty) this.mirror.compact();
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

  /** A viewer over its limit asks to pause the PTY while it catches up (hold-gate.ts). */
  hold(viewer: Viewer): boolean {
    return this.viewers.has(viewer) && this.holds.hold(viewer);
  }

  release(viewer: Viewer, caughtUp: boolean): void {
    this.holds.release(viewer, caughtUp);
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

  /** Tells every viewer, in order with the output (what was read before it goes first). */
  broadcast(message: ServerMessage): void {
    this.pty?.flushOutput();
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
    this.notes.stopping(reason);
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
      const frame = outputFrame(chunk, this.decoder, this.viewers); // one frame for all viewers; text only if one reads JSON
      for (const v of this.viewers) v.pushFrame(frame);
    } else {
      skipText(this.decoder, chunk); // keep the decoder in step for viewers who join later
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
    this.holds.setTarget(null); // holds were on that run's PTY
    this.clearTimers();
    const tail = this.decoder.end();
    if (tail) for (const v of this.viewers) v.pushOutput(Buffer.from(tail), tail);
    this.record(() => this.deps.store.markExited(this.id, e.exitCode, e.signal, Date.now()));
    this.record(() => this.deps.store.clearRun(this.id));
    this.deps.log.info({ session: this.id, exit_code: e.exitCode, signal: e.signal }, 'session exited');
    this.notes.exited(e.exitCode, signalName(e.signal), (cb) => this.mirror.readScreenLines(cb));
    this.machine = next(this.machine, { type: 'exited' });
    this.reported = null;
    this.reportedKey = '';
    for (const w of this.reportWaiters.splice(0)) w();
    // A death by signal has no exit code (node-pty reports 0); say which signal instead.
    const exit_signal = signalName(e.signal);
    this.broadcast({ type: 'session_ended', session_id: this.id, exit_code: exit_signal ? null : e.exitCode, exit_signal });
    for (const w of this.readyWaiters.splice(0)) w(false);
    if (this.viewers.size === 0) this.mirror.compact(); // nobody needs its live terminal now
  }

  dispatch(event: StateEvent): void {
    // Output read before the event goes first, and its own events (a quiet session printing
    // again) are applied before this one, not after it.
    this.pty?.flushOutput();
    const before = this.machine;
    this.machine = next(before, event);
    if (this.machine.name !== before.name) {
      this.deps.log.debug({ session: this.id, state: this.machine.name, event: event.type }, 'state');
      this.record(() => this.deps.store.markState(this.id, this.machine.name, Date.now()));
    }
    this.report();
    if (this.machine === before) return;
    if (this.machine.name === 'idle') this.prompt = null; // the turn is over
    if (this.machine.name === 'idle' && !this.settled) {
      this.settled = true;
      for (const w of this.readyWaiters.splice(0)) w(true);
    }
    this.reviewIdle();
  }

  /**
   * Tells viewers the state when what they would be told changes: once per state, once per
   * dialog (a pending is told once it is announced), again only if the dialog on screen
   * changes (the next question of a call, options scrolled into view).
   */
  private report(): void {
    const m = this.machine;
    if (m.name === 'stopped' || (m.name === 'pending' && !m.announced)) return;
    const message = stateMessage(this.id, m.name, m.pending, this.prompt);
    const key = JSON.stringify(message);
    if (key === this.reportedKey) return;
    this.reported = message;
    this.reportedKey = key;
    this.broadcast(message);
    for (const w of this.reportWaiters.splice(0)) w();
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
