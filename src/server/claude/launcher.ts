/**
 * What each session runs. The built-in launcher does what the EchoKit seed's run_cc.sh did:
 * `claude --resume <id>` when Claude Code has a transcript for this id, else
 * `claude --session-id <id>`. A custom command (-c) runs through /bin/sh -c and decides itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { claudeConfigFile, ensureTrusted } from './trust.js';

export interface LaunchSpec {
  file: string;
  args: string[];
  /** Shown in listings and stored. */
  display: string;
  /** Claude Code is stopped by typing /exit; anything else by signals only. */
  kind: 'claude' | 'custom';
}

export type Launcher = (sessionId: string, folder: string, env: NodeJS.ProcessEnv) => LaunchSpec;

export function customLauncher(command: string): Launcher {
  return () => ({ file: '/bin/sh', args: ['-c', command], display: command, kind: 'custom' });
}

/**
 * `settings` is the `--settings` JSON (our hooks); Claude Code merges it with the user's own
 * settings, so their hooks keep working.
 */
export function claudeLauncher(claudePath: string, settings: string, workspace: string): Launcher {
  return (id, _folder, env) => {
    // Claude Code looks trust up from the cwd upwards: one entry for the workspace covers every
    // session folder. Written only when missing (see trust.ts for why not per folder).
    ensureTrusted(claudeConfigFile(env), workspace);
    const resume = transcriptExists(claudeConfigDir(env), id);
    const args = resume ? ['--resume', id] : ['--session-id', id];
    return { file: claudePath, args: [...args, '--settings', settings], display: `claude ${args.join(' ')}`, kind: 'claude' };
  };
}

export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude');
}

/**
 * Claude Code keeps `<config>/projects/<munged cwd>/<id>.jsonl`. The munging (and its cut at
 * 200 characters plus a hash) is Claude Code's business, so look in every project folder
 * rather than re-derive the name. A zero-length file holds no conversation to resume.
 */
export function transcriptExists(configDir: string, id: string): boolean {
  const projects = path.join(configDir, 'projects');
  let dirs: string[];
  try {
    dirs = fs.readdirSync(projects);
  } catch {
    return false;
  }
  for (const d of dirs) {
    try {
      if (fs.statSync(path.join(projects, d, `${id}.jsonl`)).size > 0) return true;
    } catch {
      // not in this project folder
    }
  }
  return false;
}

/** `claude` from PATH, else the binary of our own dependency @anthropic-ai/claude-code. */
export function resolveClaudeBinary(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'claude');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('@anthropic-ai/claude-code/package.json'));
  } catch {
    return null;
  }
  // The postinstall links the native binary over bin/claude.exe; without it that is a stub.
  const main = path.join(pkgDir, 'bin', 'claude.exe');
  if (isLargeFile(main)) return main;
  const platformPkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  try {
    const native = path.join(path.dirname(require.resolve(`${platformPkg}/package.json`, { paths: [pkgDir] })), 'claude');
    if (isLargeFile(native)) return native;
  } catch {
    // no native package for this platform
  }
  return null;
}

function isLargeFile(p: string): boolean {
  try {
    return fs.statSync(p).size > 1024 * 1024;
  } catch {
    return false;
  }
}
