/**
 * Claude Code's state for one run of a session: hooks first, the transcript for replies, the
 * screen (the terminal mirror) as the cross-check that closes the gaps hooks leave: an
 * interrupt, or a refusal with Esc or "No", fires no hook at all (claude-code-facts.md §5, §9).
 * Dialogs are `pending` from their hook on and announced once drawn (state-machine.ts);
 * typing a prompt is its own module (prompt-input.ts).
 */
import type { ToolRef } from '../../shared/state-machine.js';
import { dialogKindOf } from '../../shared/state.js';
import type { Logger } from '../log.js';
import type { StateTracker, SubmitOutcome, TrackerHost } from '../state/tracker.js';
import { ENTER } from '../sessions/keys.js';
import type { HookPayload } from './hooks.js';
import { submitPrompt } from './prompt-input.js';
import type { ScreenReading } from './screen.js';
import { ScreenWatch } from './screen-watch.js';
import { TranscriptTail } from './transcript.js';

/** The idle prompt must show this long, and this long after the last hook, to mean idle. */
const IDLE_STABLE_MS = 400;
const HOOK_GRACE_MS = 1200;
/** Claude Code ignores keys for ~150 ms after it draws a dialog (measured); wait past that. */
const DIALOG_SETTLE_MS = 250;
const PRESS_VERIFY_MS = 450;
const PRESS_ATTEMPTS = 3;
/** A dialog must read the same again after this long to count (half-drawn frames differ). */
const DIALOG_STABLE_MS = 40;
/** A read of an answered dialog this soon after its PostToolUse is the old frame, not a new dialog. */
const STALE_DIALOG_MS = 1500;
/** How long confirm/select wait for a dialog to be drawn after its hook. */
const DIALOG_WAIT_MS = 1500;
/**
 * A dialog not drawn this long after its hook is announced with what the hook said. Claude
 * Code draws it 36–125 ms after the hook (measured), a plan dialog later; reading it takes one
 * or two screen reads more. 2 s covers a loaded 2-core machine, so the one announcement nearly
 * always carries the options; until then input is refused all the same.
 */
const DIALOG_ANNOUNCE_MS = 2000;
/** A hook said "dialog" but none showed this long (a user's hook answered it): not pending. */
const DIALOG_LOST_MS = 5000;
/**
 * After PreToolUse, the permission check runs: PermissionRequest follows in 0.15–0.3 s if a
 * dialog will show. Keys typed before it land in the dialog once drawn, so typing waits this
 * long for the outcome (PostToolUse, PermissionRequest) before going ahead.
 */
const TOOL_DECIDE_MS = 1000;
/** An idle screen this soon after our Esc ends the calls it cut off. */
const INTERRUPT_WINDOW_MS = 5000;
/**
 * The final reply reaches the transcript ~120 ms after the Stop hook on a quiet machine, but
 * more than 500 ms later with five sessions busy on two cores (seen in CI: the idle went out
 * first). The wait ends as soon as the reply is read, so a long bound costs only a reply that
 * never comes.
 */
const TRANSCRIPT_WAIT_MS = 3000;

export class ClaudeTracker implements StateTracker {
  readonly takesHooks = true;
  readonly exitCommand = '/exit';
  private readonly screen: ScreenWatch;
  private tail: TranscriptTail | null = null;
  private lastTool: ToolRef | null = null;
  /** Tool calls started (PreToolUse) and not finished (PostToolUse): id → name. */
  private readonly openTools = new Map<string, string>();
  /** Tool inputs from the transcript's tool_use blocks (a plan when the hook's input is empty). */
  private readonly toolInputs = new Map<string, unknown>();
  private toolStartedAt = 0;
  /** When we last sent Esc (cancel). */
  private interruptedAt = 0;
  /** When the last UserPromptSubmit arrived. */
  private promptAt = 0;
  /** The dialog last told, and the one whose call ended (PostToolUse) with when. */
  private dialogSignature = '';
  /** Counts the hooks that open or close a dialog (PermissionRequest, PostToolUse). */
  private dialogHooks = 0;
  private answered = { signature: '', at: 0 };
  /** Tool calls whose permission check has ended with a dialog (their PermissionRequest came). */
  private readonly askedFor = new Set<string>();
  private lastHookAt = 0;
  private lastStopAt = 0;
  private turn = 0;
  private stableTimer: NodeJS.Timeout | null = null;
  private announceTimer: NodeJS.Timeout | null = null;
  private lostTimer: NodeJS.Timeout | null = null;
  private trustAnswered = false;
  /** Replies already told since the last prompt (a transcript line is read more than once). */
  private told = new Set<string>();
  /** The turn's API error text came from the transcript. */
  private errorTold = false;
  /**
   * A StopFailure's text (its hook's `last_assistant_message`, which is the transcript line's
   * text) told generically because the line was late: that line, when it comes, is not told
   * again. Kept across prompts (the line can come after the next one); another error is told.
   */
  private owedErrorLine: string | null = null;
  /** The Stop whose reply is awaited (0: none): the turn ends with it, not with the screen. */
  private finishing = 0;
  private stops = 0;
  /** A retell is queued (late replies read together are followed by one idle). */
  private retelling = false;
  private closed = false;
  /** Resolves the current wait for a tool call's permission check (typing waits on it). */
  private decided: Array<() => void> = [];

  constructor(
    private readonly sessionId: string,
    private readonly host: TrackerHost,
    private readonly log: Logger,
  ) {
    this.screen = new ScreenWatch(host, (r, changed) => this.applyScreen(r, changed));
  }

  onOutput(): void {
    if (!this.closed) this.screen.poke();
  }

  onHook(p: HookPayload): void {
    if (this.closed) return;
    if (p.transcript_path) this.follow(p.transcript_path);
    const now = Date.now();
    switch (p.hook_event_name) {
      case 'UserPromptSubmit':
        this.closeOpenTools(); // calls of the last turn that never got a result
        this.turn++;
        this.told = new Set();
        this.errorTold = false;
        this.finishing = 0;
        this.lastHookAt = now;
        this.promptAt = now;
        this.host.setPrompt(typeof p.prompt === 'string' ? p.prompt : null);
        this.host.dispatch({ type: 'prompt' });
        break;
      case 'PreToolUse': {
        this.lastHookAt = now;
        const tool = toolOf(p);
        this.lastTool = tool;
        this.toolStartedAt = now;
        if (tool.tool_use_id) this.openTools.set(tool.tool_use_id, tool.tool_name);
        if (this.openTools.size > 64) this.openTools.delete(this.openTools.keys().next().value as string);
        this.host.broadcast({ type: 'session_tool_request', session_id: this.sessionId, ...tool });
        this.host.dispatch({ type: 'tool' });
        break;
      }
      case 'PermissionRequest':
        this.lastHookAt = now;
        this.dialogHooks++;
        this.openDialog(this.withId(toolOf(p)));
        break;
      case 'Notification':
        // Sent ~6 s into an unanswered prompt; the PermissionRequest hook normally came first.
        // Only while a dialog really shows: a late one must not re-open an answered prompt.
        if (p.notification_type === 'permission_prompt' && this.host.machine.name !== 'pending' && this.lastTool && this.screen.reading.kind === 'dialog') {
          this.openDialog(this.lastTool);
        }
        break;
      case 'PostToolUse': {
        this.lastHookAt = now;
        this.dialogHooks++;
        this.answered = { signature: this.dialogSignature, at: now };
        const tool = toolOf(p);
        const r = p.tool_response as { is_error?: unknown; interrupted?: unknown } | undefined;
        this.closeTool(tool.tool_use_id, tool.tool_name, r?.is_error === true || r?.interrupted === true, r?.interrupted === true);
        this.host.dispatch({ type: 'tool_done', ...(tool.tool_use_id ? { tool_use_id: tool.tool_use_id } : {}) });
        break;
      }
      case 'Stop':
      case 'StopFailure': {
        this.lastHookAt = now;
        this.lastStopAt = now;
        const last = (p as { last_assistant_message?: unknown }).last_assistant_message;
        void this.finishTurn(typeof last === 'string' ? last : '', p.hook_event_name === 'StopFailure', typeof p.error === 'string' ? p.error.slice(0, 64) : '');
        break;
      }
      default:
        break; // SessionStart (transcript followed above), SessionEnd (the exit follows)
    }
    this.wakeTyping();
  }

  /** A dialog is coming (its hook) or showing: pending now, announced once drawn or after a wait. */
  private openDialog(tool: ToolRef): void {
    const known = { ...tool, tool_input: this.inputOf(tool) };
    this.host.dispatch({ type: 'permission', ...known });
    if (this.host.machine.name === 'pending' && !this.host.machine.seen) {
      this.clearDialogTimers();
      this.announceTimer = setTimeout(() => {
        this.announceTimer = null;
        // AskUserQuestion's labels from its input, since the dialog was not read.
        this.host.dispatch({ type: 'announce', options: fallbackOptions(known) });
      }, DIALOG_ANNOUNCE_MS);
      this.lostTimer = setTimeout(() => {
        this.lostTimer = null;
        this.host.dispatch({ type: 'dialog_lost' });
      }, DIALOG_LOST_MS);
    }
    this.screen.read(); // read the options as soon as they are drawn
  }

  /** A tool call ended: tell its result (an interrupted one too: no hook says so). */
  private closeTool(id: string | undefined, name: string, isError: boolean, interrupted: boolean): void {
    if (id) this.openTools.delete(id);
    this.host.broadcast({
      type: 'session_tool_result',
      session_id: this.sessionId,
      tool_name: name,
      ...(id ? { tool_use_id: id } : {}),
      is_error: isError,
      ...(interrupted ? { interrupted: true } : {}),
    });
  }

  /** The turn is over without their PostToolUse: tools cut off by Esc, or declined in their dialog. */
  private closeOpenTools(): void {
    for (const [id, name] of [...this.openTools]) this.closeTool(id, name, true, true);
  }

  /**
   * The turn's replies go out before its idle: Claude Code writes the transcript ~100-200 ms
   * after the Stop hook, so wait (briefly) for the final reply to be there, and read it all.
   * Replies come from the transcript only, never from the hook's text: a process that can
   * post hooks must not be able to put words in Claude's mouth. An API error (StopFailure) is
   * told from the transcript's error line, marked as an error.
   */
  private async finishTurn(last: string, failed: boolean, error: string): Promise<void> {
    const turn = this.turn;
    const stop = ++this.stops;
    const done = (): boolean => (failed ? this.errorTold : !last.trim() || this.told.has(`x:${last.trim()}`));
    const deadline = Date.now() + TRANSCRIPT_WAIT_MS;
    this.finishing = stop; // the idle screen must not end the turn before its reply is out
    const current = (): boolean => !this.closed && turn === this.turn && stop === this.stops;
    try {
      while (!done() && this.tail && Date.now() < deadline && current()) {
        this.tail.read();
        if (done()) break;
        await delay(25);
      }
    } finally {
      if (this.finishing === stop) this.finishing = 0;
    }
    // A new prompt came meanwhile, or another Stop (a Stop hook of the user's kept Claude going).
    if (!current()) return;
    if (failed && !this.errorTold) {
      this.tell(`API error${error ? ` (${error})` : ''}: the request failed`, false, true);
      this.owedErrorLine = last.trim() || null;
    }
    if (!done()) this.log.info({ session: this.sessionId }, 'the Stop hook named a reply the transcript does not have (yet); not told from the hook');
    this.closeOpenTools();
    this.host.dispatch({ type: 'turn_done' });
  }

  async dialogOptions(): Promise<string[]> {
    const shown = await this.awaitDialog();
    return shown ? (this.screen.reading.dialog?.options ?? []) : [];
  }

  /**
   * Presses keys in a dialog the way a person would: not before it takes keys, and again if
   * the same dialog is still showing (Claude Code drops keys in a dialog's first ~150 ms).
   * Resolves true once that dialog has gone (or moved on: the next question of the same call).
   */
  async pressInDialog(keys: string): Promise<boolean> {
    if (!(await this.awaitDialog())) return false;
    // Which dialog: a retry must never land in another one. Two dialogs can look alike (two
    // Bash calls): a hook that ends this call or opens the next one also stops the retries.
    const dialog = this.screen.signature;
    const hooks = this.dialogHooks;
    for (let attempt = 0; attempt < PRESS_ATTEMPTS; attempt++) {
      const settle = this.screen.since + DIALOG_SETTLE_MS - Date.now();
      if (settle > 0) await delay(settle);
      if (this.closed || this.screen.signature !== dialog || (attempt > 0 && this.dialogHooks !== hooks)) return attempt > 0;
      this.host.write(keys);
      if (await this.screen.waitFor(() => this.screen.signature !== dialog, PRESS_VERIFY_MS)) return true;
    }
    return false;
  }

  /** Waits (a little) for a dialog to be on screen: its hook can arrive before it is drawn. */
  private awaitDialog(): Promise<boolean> {
    return this.screen.waitFor((r) => r.kind === 'dialog' && Date.now() - this.screen.since >= DIALOG_STABLE_MS, DIALOG_WAIT_MS);
  }

  /** Submits a prompt: see prompt-input.ts. Refused if a dialog is up or coming. */
  async submit(text: string): Promise<SubmitOutcome> {
    await this.toolDecided();
    if (this.closed) return { ok: false, reason: 'exited' };
    return submitPrompt(text, {
      host: this.host,
      screen: this.screen,
      dialogComing: () => this.host.machine.name === 'pending' || this.toolUndecided(),
      submittedSince: (t) => this.promptAt >= t,
    });
  }

  /** Our Esc went to the program: the calls it cuts off end without a hook. */
  noteInterrupt(): void {
    this.interruptedAt = Date.now();
  }

  /** Enter outside a dialog: not while one is up, or while a tool call's check may bring one. */
  async enter(): Promise<boolean> {
    await this.toolDecided();
    if (this.closed || this.host.machine.name === 'pending' || this.screen.reading.kind === 'dialog') return false;
    this.host.write(ENTER);
    return true;
  }

  /** A tool call whose permission check has not ended yet: a dialog may follow. */
  private toolUndecided(): boolean {
    const id = this.lastTool?.tool_use_id;
    return this.host.machine.name === 'running' && id !== undefined && this.openTools.has(id) && !this.askedFor.has(id)
      && Date.now() - this.toolStartedAt < TOOL_DECIDE_MS;
  }

  private toolDecided(): Promise<void> {
    if (!this.toolUndecided()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, this.toolStartedAt + TOOL_DECIDE_MS - Date.now()));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.decided = self.decided.filter((d) => d !== done);
        resolve();
      }
      this.decided.push(done);
    });
  }

  private wakeTyping(): void {
    if (!this.toolUndecided()) for (const d of this.decided.splice(0)) d();
  }

  /** Down until "Yes, I trust this folder" is highlighted, then Enter; never Enter on "No, exit". */
  private async answerTrust(): Promise<void> {
    for (let step = 0; step < 6 && this.screen.reading.kind === 'trust'; step++) {
      const settle = this.screen.since + DIALOG_SETTLE_MS - Date.now();
      if (settle > 0) await delay(settle);
      const before = this.screen.reading.dialog?.highlighted ?? 0;
      this.host.write(before === 1 ? '\r' : '\x1b[B');
      await this.screen.waitFor((r) => r.kind !== 'trust' || r.dialog?.highlighted !== before, PRESS_VERIFY_MS);
    }
  }

  close(): void {
    this.closed = true;
    this.tail?.close();
    this.tail = null;
    this.screen.close();
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.clearDialogTimers();
    for (const d of this.decided.splice(0)) d();
  }

  private clearDialogTimers(): void {
    if (this.announceTimer) clearTimeout(this.announceTimer);
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.announceTimer = null;
    this.lostTimer = null;
  }

  private follow(transcriptPath: string): void {
    if (this.tail?.path === transcriptPath) return;
    this.tail?.close();
    this.tail = new TranscriptTail(transcriptPath, (b) => this.tell(b.text, b.thinking), (line) => this.onTranscriptLine(line));
    this.log.debug({ session: this.sessionId, transcript: transcriptPath }, 'following transcript');
  }

  /** Remembers tool_use inputs (ExitPlanMode's plan when its hook's input is empty) and the AI title. */
  private onTranscriptLine(line: Record<string, unknown>): void {
    // Claude Code names the conversation with an `ai-title` line (for the sessions list).
    if (line.type === 'ai-title' && typeof line.aiTitle === 'string') this.host.setTitle?.(line.aiTitle);
    if (line.type !== 'assistant') return;
    const content = (line.message as { content?: unknown } | undefined)?.content;
    if (!Array.isArray(content)) return;
    if (line.isApiErrorMessage === true) {
      // The text Claude Code shows for a failed request: told as an error, never as a reply.
      const text = (content as Array<Record<string, unknown>>).map((b) => (b?.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('\n').trim();
      if (text === this.owedErrorLine) {
        this.owedErrorLine = null; // told already, generically (never '': see finishTurn)
      } else if (text) {
        this.errorTold = true;
        this.tell(text, false, true);
      }
      return;
    }
    for (const b of content as Array<Record<string, unknown>>) {
      if (b?.type === 'tool_use' && typeof b.id === 'string') this.toolInputs.set(b.id, b.input);
    }
    if (this.toolInputs.size > 64) this.toolInputs.delete(this.toolInputs.keys().next().value as string);
  }

  private tell(text: string, thinking: boolean, isError = false): void {
    const key = `${isError ? 'e' : thinking ? 't' : 'x'}:${text.trim()}`;
    if (this.told.has(key)) return;
    this.told.add(key);
    this.host.broadcast({ type: 'session_output', session_id: this.sessionId, output: text, is_thinking: thinking, ...(isError ? { is_error: true } : {}) });
    // A reply written later than even TRANSCRIPT_WAIT_MS came after the idle: clients that
    // wait for the idle after a reply (a voice device) are told it again, once for the blocks
    // read together.
    if (this.host.machine.name === 'idle' && !this.retelling) {
      this.retelling = true;
      queueMicrotask(() => {
        this.retelling = false;
        if (!this.closed && this.host.machine.name === 'idle') this.host.retell();
      });
    }
  }

  private withId(tool: ToolRef): ToolRef {
    if (!tool.tool_use_id && this.lastTool?.tool_name === tool.tool_name && this.lastTool.tool_use_id) {
      this.askedFor.add(this.lastTool.tool_use_id);
      return { ...tool, tool_use_id: this.lastTool.tool_use_id };
    }
    if (tool.tool_use_id) this.askedFor.add(tool.tool_use_id);
    return tool;
  }

  /**
   * The call's input as Claude Code recorded it (the transcript's tool_use), else the hook's.
   * What a person is asked to approve must not come from a hook alone: a hook that disagrees
   * with the transcript is logged and overruled.
   */
  private inputOf(tool: ToolRef): unknown {
    if (!tool.tool_use_id) return tool.tool_input;
    if (!this.toolInputs.has(tool.tool_use_id)) this.tail?.read();
    const recorded = this.toolInputs.get(tool.tool_use_id);
    if (recorded === undefined) return tool.tool_input;
    const empty = tool.tool_input === null || tool.tool_input === undefined || (typeof tool.tool_input === 'object' && Object.keys(tool.tool_input as object).length === 0);
    if (!empty && !sameJson(recorded, tool.tool_input) && !extends_(tool.tool_input, recorded)) {
      this.log.warn({ session: this.sessionId, tool: tool.tool_name, tool_use_id: tool.tool_use_id }, 'a hook\'s tool input differs from the transcript: shown as recorded');
      return recorded;
    }
    // Claude Code adds fields of its own to some inputs (ExitPlanMode's plan file): keep the hook's then.
    return empty ? recorded : tool.tool_input;
  }

  private applyScreen(r: ScreenReading, changed: boolean): void {
    if (this.closed) return;
    const m = this.host.machine;
    switch (r.kind) {
      case 'dialog': {
        if (!r.dialog) return;
        if (changed) {
          // A frame can be read half-parsed (fewer options, no question yet): only a dialog
          // read the same twice is told, so one dialog is one announcement.
          setTimeout(() => this.screen.read(), DIALOG_STABLE_MS);
          return;
        }
        // The dialog just answered can still be on a screen read taken before its redraw.
        if (m.name !== 'pending' && this.screen.signature === this.answered.signature && Date.now() - this.answered.at < STALE_DIALOG_MS) return;
        this.dialogSignature = this.screen.signature;
        this.clearDialogTimers();
        // The tool it belongs to: the pending one, else the call whose check is running.
        const tool = m.pending ?? (this.lastTool?.tool_use_id && this.openTools.has(this.lastTool.tool_use_id) ? this.lastTool : null);
        this.host.dispatch({ type: 'screen_dialog', dialog: { kind: r.dialog.kind, options: r.dialog.options, question: r.dialog.question }, tool: tool ? { ...tool, tool_input: this.inputOf(tool) } : null });
        if (this.lastTool?.tool_use_id) this.askedFor.add(this.lastTool.tool_use_id);
        this.wakeTyping();
        return;
      }
      case 'busy':
        // The spinner lingers on screen for a moment after the Stop hook: the hook is right.
        if (Date.now() - this.lastStopAt >= HOOK_GRACE_MS) this.host.dispatch({ type: 'screen_busy' });
        return;
      case 'idle': {
        if (this.finishing) return; // the Stop's turn_done follows its reply
        // At startup no submitted prompt can be contradicted: the prompt box means ready.
        const due = m.name === 'starting' ? 0 : Math.max(this.screen.since + IDLE_STABLE_MS, this.lastHookAt + HOOK_GRACE_MS) - Date.now();
        if (due <= 0) {
          // Calls that end without a hook: a dialog declined, or work cut off by our Esc. (An
          // idle box seen while a tool runs on a loaded machine is not proof of either.)
          if ((m.name === 'pending' && m.seen) || (m.name === 'running' && Date.now() - this.interruptedAt < INTERRUPT_WINDOW_MS)) this.closeOpenTools();
          if (m.name !== 'idle') this.host.dispatch({ type: 'screen_idle' });
          return;
        }
        if (this.stableTimer) clearTimeout(this.stableTimer);
        this.stableTimer = setTimeout(() => {
          this.stableTimer = null;
          this.screen.read();
        }, due);
        return;
      }
      case 'trust':
        // We created this folder; the launcher marks it trusted, this is the fallback.
        if (!this.trustAnswered) {
          this.trustAnswered = true;
          this.log.info({ session: this.sessionId }, 'answering the folder trust dialog');
          void this.answerTrust();
        }
        return;
      default:
        return; // another dialog (login, API key): left for the person; the state stays put
    }
  }
}

/** AskUserQuestion's first question's labels: the options when its dialog was never read. */
function fallbackOptions(tool: ToolRef): string[] {
  if (dialogKindOf(tool.tool_name) !== 'question') return [];
  const q = (tool.tool_input as { questions?: Array<{ options?: Array<{ label?: unknown }> }> } | null)?.questions?.[0];
  return (q?.options ?? []).map((o) => (typeof o.label === 'string' ? o.label : '')).filter((l) => l !== '');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `wider` has every field of `base` with the same value (and maybe more). */
function extends_(wider: unknown, base: unknown): boolean {
  if (typeof wider !== 'object' || wider === null || typeof base !== 'object' || base === null) return false;
  return Object.entries(base as Record<string, unknown>).every(([k, v]) => sameJson((wider as Record<string, unknown>)[k], v));
}

function toolOf(p: HookPayload): ToolRef {
  return {
    tool_name: p.tool_name ?? '',
    tool_input: p.tool_input ?? null,
    ...(p.tool_use_id ? { tool_use_id: p.tool_use_id } : {}),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
