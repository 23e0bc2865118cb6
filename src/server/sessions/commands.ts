/**
 * The one door for every client command (DESIGN.md §7). The WebSocket channel and
 * `POST /api/{id}/input` only decode, call `execute`, and encode its result: who may do what,
 * which state accepts what, start-on-input and the running-sessions limit are decided here.
 */
import { E } from '../../shared/errors.js';
import { sessionError, type ClientMessage, type ServerMessage, type SessionErrorMessage } from '../../shared/protocol.js';
import { actionAllowed } from '../../shared/state-machine.js';
import { isAutomaticReply } from '../../shared/terminal-replies.js';
import type { SessionStateName } from '../../shared/state.js';
import type { SubmitOutcome } from '../state/tracker.js';
import type { SelectOutcome } from './session.js';

/** What commands need of a session (the Session class; a fake in unit tests). */
export interface CommandTarget {
  readonly id: string;
  readonly state: SessionStateName;
  readonly isRunning: boolean;
  readonly isReady: boolean;
  /** Stopped after crashing at start repeatedly: input must not restart it (only create_session). */
  readonly restartBlocked?: boolean;
  whenReady(): Promise<boolean>;
  /** More input waits for the program than it should (it does not read its terminal). */
  readonly inputBacklogged: boolean;
  /** Resolves once the program has taken (nearly) all the input written to it. */
  inputWritable(): Promise<void>;
  stateMessage(): ServerMessage;
  /** The state for a client that asks (waits briefly for a dialog on its way to be drawn). */
  currentState(): Promise<ServerMessage>;
  write(data: string | Buffer): void;
  submit(text: string): Promise<SubmitOutcome>;
  /** Enter outside a dialog; false if a dialog came up (then nothing was pressed). */
  pressEnter(): Promise<boolean>;
  cancel(): void;
  confirm(): Promise<boolean>;
  select(index: number): Promise<SelectOutcome>;
  resize(cols: number, rows: number): void;
}

type Opened<S> = { ok: true; session: S } | { ok: false; error: SessionErrorMessage };

/** What commands need of the registry (SessionRegistry; a fake in unit tests). */
export interface SessionDirectory<S extends CommandTarget = CommandTarget> {
  /** Known to the store (without loading it). */
  info(id: string): unknown;
  get(id: string): S | undefined;
  /** Starts the session with this id, recording it first if new, within the running limit. */
  open(id: string): Opened<S>;
  /** Starts (or resumes) a known session within the running limit; a no-op while it runs. */
  start(session: S): { ok: true } | { ok: false; error: SessionErrorMessage };
}

/** The caller's rights on this session: the owner, or a share link's role. */
export type Role = 'owner' | 'control' | 'view';

/** Which message form the connection speaks (chosen per connection, never guessed). */
export type ProtocolVariant = 'ccpty' | 'echokit-state';

/** Messages that are commands to a session (the rest is connection housekeeping). */
export type Command =
  | Extract<ClientMessage, { type: 'create_session' | 'get_current_state' | 'input' | 'cancel' | 'confirm' | 'select' | 'resize' }>
  /** Raw keys: as decoded from JSON (numbers or UTF-8 text), or a binary frame's bytes as they came. */
  | { type: 'bytes_input'; input: number[] | string | Buffer };

/** Message types a view-only link may send; anything else is refused before it is validated. */
const VIEW_TYPES: ReadonlySet<string> = new Set(['hello', 'ack', 'ping', 'get_current_state']);

/**
 * The EchoKit server follows each Input with a Confirm 300 ms later (echokit_pty needed it to
 * press Enter). A Confirm this soon after an Input from the same caller belongs to that input:
 * the input was submitted already, and the Confirm must never answer a dialog.
 */
const CONFIRM_AFTER_INPUT_MS = 2000;

export interface Caller<S extends CommandTarget = CommandTarget> {
  role: Role;
  variant: ProtocolVariant;
  /**
   * Called once the command has a running session to show this caller (a socket attaches its
   * viewer there, so it watches from the start). True if the caller was not watching yet.
   */
  watch?(session: S): boolean;
  /** Per-connection memory, kept by the transport for the caller's lifetime. */
  readonly memo: { inputAt: number };
}

export function newCaller<S extends CommandTarget = CommandTarget>(role: Role, variant: ProtocolVariant = 'ccpty', watch?: (s: S) => boolean): Caller<S> {
  return { role, variant, memo: { inputAt: 0 }, ...(watch ? { watch } : {}) };
}

/** `absorbed`: accepted but deliberately not applied (why, for the log). */
export type CommandResult = { ok: true; reply?: ServerMessage; absorbed?: string } | { ok: false; error: SessionErrorMessage };

/** Whether a view-only caller may send this message type at all (checked before decoding). */
export function viewMaySend(type: string | null): boolean {
  return type === null || VIEW_TYPES.has(type);
}

function fail(error: SessionErrorMessage): CommandResult {
  return { ok: false, error };
}

export async function execute<S extends CommandTarget>(registry: SessionDirectory<S>, caller: Caller<S>, sessionId: string, msg: Command): Promise<CommandResult> {
  if (caller.role === 'view' && !VIEW_TYPES.has(msg.type)) {
    return fail(sessionError(sessionId, E.forbidden, { error_message: `"${msg.type}" refused: this link is view-only` }));
  }
  if (msg.type === 'get_current_state') {
    const s = registry.info(sessionId) ? registry.get(sessionId) : undefined;
    return s ? { ok: true, reply: await s.currentState() } : fail(notFound(sessionId, 'no session with this id'));
  }
  if (msg.type === 'create_session') {
    // The limit is checked before anything is recorded: a refused create leaves no row.
    const opened = registry.open(sessionId);
    if (!opened.ok) return fail(opened.error);
    const fresh = caller.watch?.(opened.session) ?? false;
    // A new watcher gets snapshot + state from its join; one already watching is told the state.
    return fresh || !caller.watch ? { ok: true } : { ok: true, reply: opened.session.stateMessage() };
  }
  const s = registry.get(sessionId);
  if (!s) return fail(notFound(sessionId, 'no session with this id; send create_session first'));
  if (msg.type === 'input' || msg.type === 'bytes_input') {
    // Typing into a stopped session resumes it (within the limit); the caller watches from the
    // start. Not by a terminal's own answers to the exited program's queries (focus reports,
    // colours, device attributes): nobody typed them. Not one that keeps crashing at start: a
    // person resumes that one explicitly.
    if (msg.type === 'bytes_input' && !s.isRunning && isAutomaticReply(bytesText(msg.input))) {
      return { ok: true, absorbed: "a terminal's automatic reply to a program that is not running" };
    }
    if (s.restartBlocked) {
      return fail(sessionError(s.id, E.restart_blocked, {
        error_message: 'the session exited right after starting, twice in a row: input does not restart it; send create_session to start it',
      }));
    }
    const started = registry.start(s);
    if (!started.ok) return fail(started.error);
  }
  if (s.isRunning) caller.watch?.(s);
  return apply(s, caller, msg);
}

/**
 * Keystrokes on the hot path (binary frames): written at once when nothing needs deciding.
 * False: take the ordinary path through `execute` (not ready, not running, not allowed).
 */
export function writeKeysNow<S extends CommandTarget>(registry: SessionDirectory<S>, caller: Caller<S>, sessionId: string, keys: Buffer): boolean {
  if (caller.role === 'view') return false;
  const s = registry.get(sessionId);
  if (!s?.isReady || s.inputBacklogged) return false; // queued: apply() waits for the program
  caller.watch?.(s);
  s.write(keys);
  return true;
}

async function apply<S extends CommandTarget>(s: S, caller: Caller<S>, msg: Exclude<Command, { type: 'create_session' | 'get_current_state' }>): Promise<CommandResult> {
  const refuse = (): CommandResult =>
    fail(sessionError(s.id, E.invalid_input_for_state, {
      error_message: `"${msg.type}" is not accepted while the session is ${s.state}`,
      error_state: s.state,
      error_input: msg.type,
    }));
  const failed = (error_message: string): CommandResult => fail(sessionError(s.id, E.internal_error, { error_message }));

  switch (msg.type) {
    case 'resize':
      s.resize(msg.cols, msg.rows);
      return { ok: true };
    case 'input':
    case 'bytes_input': {
      if (msg.type === 'input') caller.memo.inputAt = Date.now();
      if (!s.isReady) await s.whenReady();
      if (!s.isRunning) return failed('the session exited before the input could be typed');
      if (!actionAllowed(s.state, msg.type)) return refuse();
      // Input counts as applied once the program has taken it: a caller's next command waits
      // behind it, so one that does not read its terminal holds back its writers (backpressure),
      // not the server's memory.
      if (msg.type === 'bytes_input') {
        s.write(typeof msg.input === 'string' || Buffer.isBuffer(msg.input) ? msg.input : Buffer.from(msg.input));
        await s.inputWritable();
        return { ok: true };
      }
      const submitted = await s.submit(msg.input);
      await s.inputWritable();
      caller.memo.inputAt = Date.now(); // the Confirm that follows counts from the submission
      if (submitted.ok) return { ok: true };
      if (submitted.reason === 'dialog') return refuse(); // a dialog came up meanwhile: nothing typed into it
      return failed(submitted.reason === 'exited' ? 'the session exited before the input could be typed' : 'the prompt was typed but not submitted (the program did not take the Enter)');
    }
    case 'cancel':
      if (!s.isRunning || !actionAllowed(s.state, 'cancel')) return refuse();
      s.cancel();
      return { ok: true };
    case 'confirm':
      if (Date.now() - caller.memo.inputAt < CONFIRM_AFTER_INPUT_MS) return { ok: true, absorbed: 'a confirm right after an input belongs to it' };
      if (!s.isRunning || !actionAllowed(s.state, 'confirm')) return refuse();
      if (s.state !== 'pending') {
        // Enter, as echokit_pty does: its web UI types spoken text as bytes, then confirms.
        return (await s.pressEnter()) ? { ok: true } : refuse();
      }
      return (await s.confirm()) ? { ok: true } : failed('the permission dialog did not take the key');
    case 'select': {
      if (!s.isRunning || !actionAllowed(s.state, 'select')) return refuse();
      const outcome = await s.select(msg.index);
      if (outcome.ok) return { ok: true };
      if (outcome.reason === 'not_taken') return failed('the permission dialog did not take the key');
      return fail(sessionError(s.id, E.invalid_input, {
        error_message: `option ${msg.index} does not exist; the prompt shows ${outcome.count} option(s), 0-based`,
      }));
    }
  }
}

function bytesText(input: string | number[] | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}

function notFound(id: string, error_message: string): SessionErrorMessage {
  return sessionError(id, E.session_not_found, { error_message });
}
