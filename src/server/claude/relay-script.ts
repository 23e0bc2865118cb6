/**
 * The hook relay as a bash script: what each Claude Code hook runs when /bin/bash exists.
 * Claude Code waits for its hooks, and starting Node costs ~100 ms a hook; bash with its
 * built-in /dev/tcp costs ~16 ms for a typical payload (bash reads a pipe a byte at a time,
 * about 1.5 µs a byte, so a 100 KB Write payload costs as much as Node). Same contract as hook-relay.ts: post stdin with the secret to
 * CCPTY_HOOK_URL (http://HOST:PORT/PATH on loopback), print nothing, always exit 0, and give
 * up after 1.5 s. Written into the data dir at startup (its content is ours, not the user's).
 */
import fs from 'node:fs';
import path from 'node:path';

export const RELAY_SCRIPT = `#!/bin/bash
# ccpty hook relay (generated; see src/server/claude/relay-script.ts)
url=\${CCPTY_HOOK_URL:-}; secret=\${CCPTY_HOOK_SECRET:-}
[ -n "$url" ] && [ -n "$secret" ] || exit 0
rest=\${url#http://}; hostport=\${rest%%/*}; reqpath=/\${rest#*/}
host=\${hostport%:*}; port=\${hostport##*:}; host=\${host#[}; host=\${host%]}
# read -t: a stdin that never closes cannot hold Claude Code up (EOF returns 1, time-out >128)
IFS= read -r -t 1.5 -d '' body; [ $? -gt 128 ] && exit 0
LC_ALL=C
len=\${#body}
{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || exit 0
printf 'POST %s HTTP/1.1\\r\\nHost: %s\\r\\nContent-Type: application/json\\r\\nX-Ccpty-Hook-Secret: %s\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "$reqpath" "$hostport" "$secret" "$len" "$body" >&3 2>/dev/null
read -r -t 1.5 _status <&3 2>/dev/null
exit 0
`;

export const BASH = '/bin/bash';

/** Writes the script into `dir` (only when it changed) and returns its path, or null without bash. */
export function installRelayScript(dir: string): string | null {
  try {
    fs.accessSync(BASH, fs.constants.X_OK);
  } catch {
    return null;
  }
  const file = path.join(dir, 'hook-relay.sh');
  try {
    if (fs.readFileSync(file, 'utf8') === RELAY_SCRIPT) return file;
  } catch {
    // not there yet
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, RELAY_SCRIPT, { mode: 0o755 });
  fs.renameSync(tmp, file);
  return file;
}
