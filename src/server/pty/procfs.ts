/**
 * The little of Linux's /proc that process bookkeeping needs (the kernel session of a PTY's
 * processes, a process tree, start times). Elsewhere there is no /proc: callers fall back.
 */
import fs from 'node:fs';

/** Every process id in /proc, or null where there is no /proc. */
export function allPids(): number[] | null {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  const pids: number[] = [];
  for (const name of entries) if (/^\d+$/.test(name)) pids.push(Number(name));
  return pids;
}

/**
 * The fields of /proc/<pid>/stat after "(comm)" (comm may hold spaces and parentheses):
 * [0] state, [1] ppid, [2] pgrp, [3] session, … [19] start time in clock ticks. Null when the
 * process is gone (or there is no /proc).
 */
export function statFields(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
