/** How a run ended, in words a person can act on, and the screen lines it left. */
import { QUICK_EXIT_MS, QUICK_EXITS_BLOCK } from '../../shared/session-info.js';

export interface ExitFacts {
  ranMs: number;
  /** Why we stopped it (idle timeout, through the API, …); null: it ended by itself. */
  stopReason: string | null;
  exitCode: number;
  signal: string | null;
  /** Runs in a row that ended by themselves within QUICK_EXIT_MS, this one included. */
  quickExits: number;
}

export function exitReason(f: ExitFacts): string {
  if (f.stopReason !== null) return `stopped: ${f.stopReason}`;
  const how = f.signal ? `was killed by ${f.signal}` : `exited with code ${f.exitCode}`;
  if (f.ranMs >= QUICK_EXIT_MS) return `the program ${how}`;
  const after = `${(f.ranMs / 1000).toFixed(1)} s after it started`;
  if (f.quickExits >= QUICK_EXITS_BLOCK) {
    return `the program ${how}, ${after}, ${f.quickExits} times in a row: input no longer restarts it (Resume does)`;
  }
  return `the program ${how}, ${after}`;
}

/** The last `max` lines of a screen, trailing blank lines (and trailing spaces) dropped. */
export function lastLines(screen: readonly string[], max: number): string[] {
  const lines = screen.map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-max);
}
