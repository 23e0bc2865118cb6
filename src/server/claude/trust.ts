/**
 * Marks the workspace trusted in Claude Code's config, so a fresh session folder under it never
 * shows the trust dialog (the server creates those folders; the person chose the workspace).
 * Claude Code looks trust up from the cwd upwards (to the git root), so one entry covers every
 * session. It is written at server start, before any Claude Code process has read the config:
 * running instances write their in-memory copy back and would drop an entry added behind their
 * backs (seen in CI with per-folder entries written at each launch). Written atomically and
 * only when missing; a config that does not exist yet is left to Claude Code's onboarding. The
 * tracker still answers the dialog if it shows anyway (a workspace inside a git repository).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function claudeConfigFile(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR
    ? path.join(env.CLAUDE_CONFIG_DIR, '.claude.json')
    : path.join(env.HOME || os.homedir(), '.claude.json');
}

/** Returns true when it added the entry. Never throws: trust is a convenience, not a must. */
export function ensureTrusted(configFile: string, folder: string): boolean {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (typeof config !== 'object' || config === null) return false;
  const projects = (typeof config.projects === 'object' && config.projects !== null ? config.projects : {}) as Record<string, Record<string, unknown>>;
  if (projects[folder]?.hasTrustDialogAccepted === true) return false;
  projects[folder] = { allowedTools: [], ...projects[folder], hasTrustDialogAccepted: true };
  config.projects = projects;
  const tmp = `${configFile}.ccpty-${process.pid}.tmp`;
  try {
    const mode = fs.statSync(configFile).mode & 0o777;
    fs.writeFileSync(tmp, JSON.stringify(config, null, 2), { mode });
    fs.renameSync(tmp, configFile);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}
