/**
 * Which process sent a hook. Every process of the same user can read a session's hook secret
 * (its environment is in /proc/<pid>/environ), so the secret alone cannot tell session A's
 * commands from session B's hooks. On Linux the kernel can: the relay's TCP connection to us
 * belongs to one process, found through /proc/net/tcp(6) and the descriptors of the session's
 * own process tree. A hook is taken only from a descendant of the session's process (Claude
 * Code runs its hooks as its children). Elsewhere (no /proc) the secret is the only check.
 */
import fs from 'node:fs';
import { allPids, statFields } from '../pty/procfs.js';

/** Descendants looked at, at most (a session running a build can have hundreds of processes). */
const MAX_DESCENDANTS = 2000;

export function peerCheckAvailable(): boolean {
  return fs.existsSync('/proc/net/tcp');
}

/**
 * True when the loopback TCP connection from `peerPort` to our `localPort` is held by `root`
 * or one of its descendants. False when it is held by anyone else, or cannot be found.
 */
export function peerIsDescendant(root: number, peerPort: number, localPort: number): boolean {
  const inode = socketInode(peerPort, localPort);
  if (inode === null) return false;
  const target = `socket:[${inode}]`;
  for (const pid of descendants(root)) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}

/** The inode of the client end (local port `peerPort`, remote port `localPort`) of a TCP socket. */
export function socketInode(peerPort: number, localPort: number): string | null {
  const local = peerPort.toString(16).toUpperCase().padStart(4, '0');
  const remote = localPort.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[1]?.endsWith(`:${local}`) && f[2]?.endsWith(`:${remote}`) && f[9] !== '0') return f[9] ?? null;
    }
  }
  return null;
}

/** `root` and every process below it, by parent pid (one pass over /proc/<pid>/stat). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  const pids = allPids();
  if (!pids) return [root];
  for (const pid of pids) {
    const ppid = Number(statFields(pid)?.[1]);
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0 && out.length < MAX_DESCENDANTS) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}
