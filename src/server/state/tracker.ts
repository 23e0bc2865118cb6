/**
 * A session's state source: what turns a run's output (and, for Claude Code, its hooks,
 * transcript and screen) into state-machine events, and what answers the dialogs it reports.
 * One per run; the Session owns it and is its host. Two kinds: `ClaudeTracker` for Claude Code,
 * `ActivityTracker` for any other command.
 */
import type { ServerMessage } from '../../shared/protocol.js';
import type { MachineState, StateEvent } from '../../shared/state-machine.js';
import type { HookPayload } from '../claude/hooks.js';

/** What a tracker may see and do of its session. */
export interface TrackerHost {
  readonly machine: MachineState;
  dispatch(event: StateEvent): void;
  broadcast(message: ServerMessage): void;
  /** Calls back with the visible screen once everything printed so far is parsed. */
  readScreenLines(cb: (lines: string[]) => void): void;
  write(keys: string): void;
  /** Records the prompt being worked on; true when it is news (not typed through our API). */
  setPrompt(prompt: string | null): boolean;
  /** The title the program gave the conversation (Claude Code's `ai-title` transcript line). */
  setTitle?(title: string): void;
  /** The program asked for bracketed paste (pasted text then arrives as text, never as keys). */
  readonly bracketedPaste: boolean;
  /** Resolves at the next output, or after `ms` at the latest. */
  nextOutput(ms: number): Promise<void>;
  /** Tells viewers the current state again: a reply came after it, and clients take the last word. */
  retell(): void;
}

/** What submitting a prompt did. */
export type SubmitOutcome =
  | { ok: true }
  /** A dialog is up, or its hook came: typed text would answer it. Nothing was pressed. */
  | { ok: false; reason: 'dialog' }
  /** Typed, but the program did not take it as a prompt (say so; never silently). */
  | { ok: false; reason: 'not_submitted' }
  | { ok: false; reason: 'exited' };

export interface StateTracker {
  /** Whether this run reports through Claude Code hooks (it then gets a hook secret). */
  readonly takesHooks: boolean;
  /** What to type to ask the program to quit (Claude Code: `/exit`), or null: signals only. */
  readonly exitCommand: string | null;
  /** The program printed something. */
  onOutput(): void;
  onHook(payload: HookPayload): void;
  /** Submits `text` as one prompt, exactly as given. */
  submit(text: string): Promise<SubmitOutcome>;
  /** Enter outside a dialog; false (nothing pressed) if a dialog is up or coming. */
  enter(): Promise<boolean>;
  /** The options of the dialog on screen, waiting briefly for it to be drawn; [] if none shows. */
  dialogOptions(): Promise<string[]>;
  /** Presses keys in the dialog on screen; true once it took them. */
  pressInDialog(keys: string): Promise<boolean>;
  /** Frees timers and watchers; the run is over. */
  /** The session sent Esc (a cancel): what it cuts off may end without a hook. */
  noteInterrupt(): void;
  close(): void;
}

export type TrackerFactory = (kind: 'claude' | 'custom', sessionId: string, host: TrackerHost) => StateTracker;
