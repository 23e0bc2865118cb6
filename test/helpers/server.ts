/** Starts the real ccpty server (the built dist/) as a child process on a free port. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The server built beside this helper (dist/ normally; any --outDir works the same). */
export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'server', 'main.js');

export interface ServerOptions {
  /** -c: the session command; omit for the built-in Claude launcher. */
  command?: string;
  idleSec?: number;
  workspace?: string;
  dataDir?: string;
  env?: Record<string, string>;
  extraArgs?: string[];
  /**
   * Access control on with this token, or on with the server's own ('generated'); else
   * --no-auth (most tests are about sessions).
   */
  token?: string | 'generated';
}

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  workspace: string;
  dataDir: string;
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ccpty-${prefix}-`));
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const workspace = opts.workspace ?? tempDir('ws');
  const dataDir = opts.dataDir ?? tempDir('data');
  const args = [MAIN, '--bind', '127.0.0.1:0', '--workspace', workspace, '--data-dir', dataDir, '--log-level', 'debug'];
  if (opts.command !== undefined) args.push('--claude-command', opts.command);
  if (opts.idleSec !== undefined) args.push('--idle-sec', String(opts.idleSec));
  if (opts.token === undefined) args.push('--no-auth');
  else if (opts.token !== 'generated') args.push('--token', opts.token);
  args.push(...(opts.extraArgs ?? []));
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, DISABLE_AUTOUPDATER: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let exitCode: number | null | undefined;
  proc.on('exit', (code) => (exitCode = code));
  const url = await waitFor(
    () => {
      if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before listening:\n${err}`);
      return /listening on (https?:\/\/\S+)/.exec(out)?.[1];
    },
    'the server to listen',
    15_000,
  );
  const port = Number(new URL(url).port);
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    port,
    workspace,
    dataDir,
    proc,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (exitCode === undefined) proc.kill('SIGTERM');
      await waitFor(() => exitCode !== undefined, 'the server to exit', 15_000);
      return exitCode ?? null;
    },
  };
}
