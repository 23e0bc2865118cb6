/**
 * Claude Code's state for one run of a session: hooks first, the transcript for replies, the
 * screen (the terminal mirror) as the cross-check that closes the gaps hooks leave: an
 * interrupt, or a refusal with Esc or "No", fires no hook at all (claude-code-facts.md §5).
 */
import type { ToolRef } from '../../shared/state-machine.js';
import type { Logger } from '../log.js';
import type { StateTracker, TrackerHost } from '../state/tracker.js';
import type { HookPayload } from './hooks.js';
import { readScreen, type ScreenReading } from './screen.js';
import { TranscriptTail } from './transcript.js';

/** Screen reads at most this often while output flows (trailing, so the last frame is read). */
const SCREEN_THROTTLE_MS = 80;
/** The idle prompt must show this long, and this long after the last hook, to mean idle. */
const IDLE_STABLE_MS = 400;
const HOOK_GRACE_MS = 1200;
/** Claude Code ignores keys for ~150 ms after it draws a dialog (measured); wait past that. */
const DIALOG_SETTLE_MS = 250;
const PRESS_VERIFY_MS = 450;
const PRESS_ATTEMPTS = 3;
const DIALOG_WAIT_MS = 1500;
const TRANSCRIPT_WAIT_MS = 500;

interface KnownTool extends ToolRef {
  tool_use_id?: string;
}

export class ClaudeTracker implements StateTracker {
  readonly takesHooks = true;
  readonly exitCommand = '/exit';
  private tail: TranscriptTail | null = null;
  private lastTool: KnownTool | null = null;
  private screen: ScreenReading = { kind: 'unknown', options: [], highlighted: 0 };
  private screenSince = Date.now();
  private lastHookAt = 0;
  private lastStopAt = 0;
  private turn = 0;
  private screenTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private lastScreenRead = 0;
  private trustAnswered = false;
  /** Replies already told since the last prompt (the Stop hook and the transcript both carry them). */
  private told = new Set<string>();
  private closed = false;
  private screenWaiters: Array<() => void> = [];

  constructor(
    private readonly sessionId: string,
    private readonly host: TrackerHost,
    private readonly log: Logger,
  ) {}

  /** New output: read the screen soon (throttled). */
  onOutput(): void {
    if (this.closed || this.screenTimer) return;
    const wait = Math.max(0, this.lastScreenRead + SCREEN_THROTTLE_MS - Date.now());
    this.screenTimer = setTimeout(() => {
      this.screenTimer = null;
      this.checkScreen();
    }, wait);
  }

  onHook(p: HookPayload): void {
    if (this.closed) return;
    if (p.transcript_path) this.follow(p.transcript_path);
    switch (p.hook_event_name) {
      case 'UserPromptSubmit':
        this.turn++;
        this.told = new Set();
        this.lastHookAt = Date.now();
        const news = this.host.setPrompt(typeof p.prompt === 'string' ? p.prompt : null);
        const wasRunning = this.host.machine.name === 'running';
        this.host.dispatch({ type: 'prompt' });
        // The screen's busy marker can beat the hook; announce the prompt once it is known.
        if (wasRunning && news) this.host.broadcast({ type: 'session_running', session_id: this.sessionId, ...(typeof p.prompt === 'string' ? { prompt: p.prompt } : {}) });
        break;
      case 'PreToolUse': {
        this.lastHookAt = Date.now();
        const tool = toolOf(p);
        this.lastTool = tool;
        this.host.broadcast({ type: 'session_tool_request', session_id: this.sessionId, ...tool });
        this.host.dispatch({ type: 'tool' });
        break;
      }
      case 'PermissionRequest':
        this.lastHookAt = Date.now();
        this.host.dispatch({ type: 'permission', ...this.withId(toolOf(p)) });
        this.onOutput(); // read the options
        break;
      case 'Notification':
        // Sent ~6 s into an unanswered prompt; the PermissionRequest hook normally came first.
        // Only while the dialog is really showing: a late one must not re-open an answered prompt.
        if (p.notification_type === 'permission_prompt' && this.host.machine.name !== 'pending' && this.lastTool && this.screen.kind === 'permission') {
          this.host.dispatch({ type: 'permission', ...this.lastTool });
        }
        break;
      case 'PostToolUse': {
        this.lastHookAt = Date.now();
        const r = p.tool_response as { is_error?: unknown; interrupted?: unknown } | undefined;
        const is_error = r?.is_error === true || r?.interrupted === true;
        const tool = toolOf(p);
        this.host.broadcast({ type: 'session_tool_result', session_id: this.sessionId, tool_name: tool.tool_name, ...(tool.tool_use_id ? { tool_use_id: tool.tool_use_id } : {}), is_error });
        this.host.dispatch({ type: 'tool_done' });
        break;
      }
      case 'Stop':
      case 'StopFailure': {
        this.lastHookAt = Date.now();
        this.lastStopAt = this.lastHookAt;
        const last = (p as { last_assistant_message?: unknown }).last_assistant_message;
        void this.finishTurn(typeof last === 'string' ? last : '');
        break;
      }
      default:
        break; // SessionStart (transcript followed above), SessionEnd (the exit follows)
    }
  }

  /**
   * The turn's replies go out before its idle: Claude Code writes the transcript ~100-200 ms
   * after the Stop hook, so wait (briefly) for the final reply to be there, and read it all.
   */
  private async finishTurn(last: string): Promise<void> {
    const turn = this.turn;
    const deadline = Date.now() + TRANSCRIPT_WAIT_MS;
    while (last.trim() && !this.told.has(`x:${last.trim()}`) && this.tail && Date.now() < deadline && !this.closed) {
      this.tail.read();
      if (this.told.has(`x:${last.trim()}`)) break;
      await delay(25);
    }
    if (this.closed || turn !== this.turn) return; // a new prompt came meanwhile
    if (last.trim()) this.tell(last, false);
    this.host.dispatch({ type: 'turn_done' });
  }

  /**
   * Presses keys in a dialog the way a person would: not before it takes keys, and again if
   * it is still showing (Claude Code drops keys in a dialog's first ~150 ms). Resolves true
   * once the dialog has gone.
   */
  async pressInDialog(keys: string): Promise<boolean> {
    if (!(await this.awaitDialog())) return false;
    const dialog = this.screenSince; // which dialog: a retry must never land in the next one
    for (let attempt = 0; attempt < PRESS_ATTEMPTS; attempt++) {
      const settle = this.screenSince + DIALOG_SETTLE_MS - Date.now();
      if (settle > 0) await delay(settle);
      if (!this.dialogShowing() || this.screenSince !== dialog) return attempt > 0;
      this.host.write(keys);
      if (await this.waitForScreen(() => !this.dialogShowing(), PRESS_VERIFY_MS)) return true;
    }
    return false;
  }

  async dialogOptions(): Promise<string[]> {
    return (await this.awaitDialog()) ?? [];
  }

  /**
   * Waits (a little) for the permission dialog to be on screen: the PermissionRequest hook can
   * arrive before Claude Code has drawn it. Returns its options, or null if it never showed.
   */
  async awaitDialog(ms = DIALOG_WAIT_MS): Promise<string[] | null> {
    if (!this.dialogShowing()) {
      this.onOutput();
      if (!(await this.waitForScreen(() => this.dialogShowing(), ms))) return null;
    }
    return this.screen.options;
  }

  /** Down until "Yes, I trust this folder" is highlighted, then Enter; never Enter on "No, exit". */
  private async answerTrust(): Promise<void> {
    for (let step = 0; step < 6 && this.screen.kind === 'trust'; step++) {
      const settle = this.screenSince + DIALOG_SETTLE_MS - Date.now();
      if (settle > 0) await delay(settle);
      const before = this.screen.highlighted;
      this.host.write(before === 1 ? '\r' : '\x1b[B');
      await this.waitForScreen(() => this.screen.kind !== 'trust' || this.screen.highlighted !== before, PRESS_VERIFY_MS);
    }
  }

  close(): void {
    this.closed = true;
    this.tail?.close();
    this.tail = null;
    if (this.screenTimer) clearTimeout(this.screenTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    for (const w of this.screenWaiters.splice(0)) w();
  }

  private dialogShowing(): boolean {
    return this.screen.kind === 'permission';
  }

  private follow(transcriptPath: string): void {
    if (this.tail?.path === transcriptPath) return;
    this.tail?.close();
    this.tail = new TranscriptTail(transcriptPath, (b) => this.tell(b.text, b.thinking));
    this.log.debug({ session: this.sessionId, transcript: transcriptPath }, 'following transcript');
  }

  private tell(text: string, thinking: boolean): void {
    const key = `${thinking ? 't' : 'x'}:${text.trim()}`;
    if (this.told.has(key)) return;
    this.told.add(key);
    this.host.broadcast({ type: 'session_output', session_id: this.sessionId, output: text, is_thinking: thinking });
  }

  private withId(tool: KnownTool): KnownTool {
    if (!tool.tool_use_id && this.lastTool?.tool_name === tool.tool_name) return { ...tool, tool_use_id: this.lastTool.tool_use_id };
    return tool;
  }

  private checkScreen(): void {
    if (this.closed) return;
    this.host.readScreenLines((lines) => {
      if (this.closed) return;
      this.lastScreenRead = Date.now();
      const reading = readScreen(lines);
      if (reading.kind !== this.screen.kind) this.screenSince = Date.now();
      this.screen = reading;
      for (const w of this.screenWaiters.splice(0)) w();
      this.applyScreen();
    });
  }

  private applyScreen(): void {
    const r = this.screen;
    switch (r.kind) {
      case 'permission': {
        const tool = this.host.machine.pending ?? this.lastTool;
        this.host.dispatch({
          type: 'screen_permission',
          tool_name: tool?.tool_name ?? '',
          tool_input: tool?.tool_input ?? null,
          options: r.options,
        });
        return;
      }
      case 'busy':
        // The spinner lingers on screen for a moment after the Stop hook: the hook is right.
        if (Date.now() - this.lastStopAt >= HOOK_GRACE_MS) this.host.dispatch({ type: 'screen_busy' });
        return;
      case 'idle': {
        // At startup no submitted prompt can be contradicted: the prompt box means ready.
        const due = this.host.machine.name === 'starting' ? 0 : Math.max(this.screenSince + IDLE_STABLE_MS, this.lastHookAt + HOOK_GRACE_MS) - Date.now();
        if (due <= 0) {
          if (this.host.machine.name !== 'idle') this.host.dispatch({ type: 'screen_idle' });
          return;
        }
        if (this.stableTimer) clearTimeout(this.stableTimer);
        this.stableTimer = setTimeout(() => {
          this.stableTimer = null;
          this.checkScreen();
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

  private waitForScreen(cond: () => boolean, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const deadline = Date.now() + ms;
      const check = (): void => {
        if (cond()) return resolve(true);
        if (this.closed || Date.now() >= deadline) return resolve(false);
        this.screenWaiters.push(check);
        setTimeout(() => this.checkScreen(), 60);
      };
      check();
    });
  }
}

function toolOf(p: HookPayload): KnownTool {
  return {
    tool_name: p.tool_name ?? '',
    tool_input: p.tool_input ?? null,
    ...(p.tool_use_id ? { tool_use_id: p.tool_use_id } : {}),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
