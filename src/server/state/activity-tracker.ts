/**
 * State for a command that is not Claude Code (a shell, another agent): running while it
 * prints, idle once it has been quiet for QUIET_MS. It reports no dialogs.
 */
import type { StateTracker, TrackerHost } from './tracker.js';

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

  onHook(): void {
    // not Claude Code: no hooks
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
