/**
 * What an earlier server run left behind. A server killed with SIGKILL cannot stop its
 * sessions: the kernel hangs up their terminals, but a process that ignores SIGHUP (`nohup`,
 * a daemonised dev server) lives on with the old terminal, and resuming that session would
 * start a second Claude Code on one conversation. Each run's leader pid (its kernel session id)
 * and start time are recorded; at the next start everything still in those kernel sessions is
 * ended before any session is resumed.
 */
import { sessionMembers } from './pty-process.js';
import { statFields } from './procfs.js';

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null. */
export function processStartTicks(pid: number): number | null {
  const stat = statFields(pid);
  return stat ? Number(stat[19]) : null;
}

/**
 * SIGKILLs every process of the kernel session `sid` that started no earlier than its recorded
 * leader (so an unrelated process that later got a recycled id is spared). Returns how many.
 */
export function endLeftovers(sid: number, leaderStartTicks: number | null): number {
  let ended = 0;
  for (const pid of sessionMembers(sid)) {
    if (pid <= 0 || pid === process.pid) continue;
    const started = processStartTicks(pid);
    if (leaderStartTicks !== null && started !== null && started < leaderStartTicks) continue;
    try {
      process.kill(pid, 'SIGKILL');
      ended++;
    } catch {
      // gone meanwhile
    }
  }
  return ended;
}
