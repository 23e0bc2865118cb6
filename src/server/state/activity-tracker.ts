/**
 * State for a command that is not Claude Code (a shell, another agent): running while it
 * prints, idle once it has been quiet for QUIET_MS. It reports no dialogs.
 */
import { ENTER, inputKeys } from '../sessions/keys.js';
import type { StateTracker, SubmitOutcome, TrackerHost } from './tracker.js';

/** Longest wait for the echo of typed text before pressing Enter. */
const ECHO_WAIT_MS = 250;

/**
 * Output quiet for this long → idle. Long enough that a program pausing between lines of one
 * answer (a shell prompt redraw, a slow `ls`) stays running; short enough that a script
 * waiting for idle is not held up noticeably.
 */
export const QUIET_MS = 500;

export class ActivityTracker implements StateTracker {
  readonly takesHooks = false;
  readonly exitCommand = null;
  private lastOutputAt: number;
  private quietTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly host: TrackerHost,
    private readonly now: () => number = Date.now,
  ) {
    this.lastOutputAt = now();
    this.armQuiet(); // a program that prints nothing at all is idle after QUIET_MS
  }

  onOutput(): void {
    if (this.closed) return;
    this.lastOutputAt = this.now();
    const state = this.host.machine.name;
    if (state === 'starting' || state === 'idle') this.host.dispatch({ type: 'output' });
    this.armQuiet();
  }

  noteInterrupt(): void {
    // nothing to close: no tool calls here
  }

  onHook(): void {
    // not Claude Code: no hooks
  }

  /**
   * Types `text`, then Enter once the program has echoed it (at most ECHO_WAIT_MS later): a
   * program reading "text\r" in one chunk may take it for a paste and swallow the Enter.
   */
  async submit(text: string): Promise<SubmitOutcome> {
    const echoed = this.host.nextOutput(ECHO_WAIT_MS);
    this.host.write(inputKeys(text, this.host.bracketedPaste));
    await echoed;
    if (this.closed) return { ok: false, reason: 'exited' };
    this.host.write(ENTER);
    return { ok: true };
  }

  enter(): Promise<boolean> {
    this.host.write(ENTER);
    return Promise.resolve(true);
  }

  dialogOptions(): Promise<string[]> {
    return Promise.resolve([]);
  }

  pressInDialog(keys: string): Promise<boolean> {
    this.host.write(keys);
    return Promise.resolve(true);
  }

  close(): void {
    this.closed = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** One timer, re-armed lazily: output bursts cost a timestamp, not a timer each. */
  private armQuiet(): void {
    if (this.quietTimer || this.closed) return;
    this.quietTimer = setTimeout(this.onQuietTimer, QUIET_MS);
  }

  private readonly onQuietTimer = (): void => {
    this.quietTimer = null;
    if (this.closed) return;
    const since = this.now() - this.lastOutputAt;
    if (since >= QUIET_MS) this.host.dispatch({ type: 'quiet' });
    else this.quietTimer = setTimeout(this.onQuietTimer, QUIET_MS - since);
  };
}
