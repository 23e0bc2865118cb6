/** Command line and environment → typed config. Pure: no I/O, so it is table-testable. */
import { parseArgs } from 'node:util';
import path from 'node:path';

export interface Config {
  /** Shell command line for each session; null = the built-in Claude Code launcher. */
  claudeCommand: string | null;
  host: string;
  port: number;
  idleSec: number;
  workspace: string;
  dataDir: string;
  logLevel: string;
}

export type ConfigResult =
  | { kind: 'run'; config: Config }
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

export const HELP = `Usage: ccpty [options]

Run Claude Code sessions in pseudo-terminals; drive them over WebSocket and HTTP.

Options (flags win over environment variables):
  -c, --claude-command CMD  command started for each session through /bin/sh -c
                            [env ECHOKIT_CLAUDE_COMMAND] (default: built-in Claude Code launcher)
  -b, --bind HOST:PORT      listen address; port 0 picks a free port
                            [env ECHOKIT_CC_BIND_ADDR] (default: 127.0.0.1:3000)
      --idle-sec N          idle seconds before an unattended session is stopped, 0 = never
                            [env ECHOKIT_IDLE_TIMEOUT] (default: 120)
  -w, --workspace DIR       holds one folder per session
                            [env ECHOKIT_WORKING_PATH] (default: ~/ccpty-sessions)
      --data-dir DIR        the server's own state (SQLite)
                            [env CCPTY_DATA_DIR] (default: $XDG_DATA_HOME/ccpty or ~/.local/share/ccpty)
      --log-level LEVEL     fatal|error|warn|info|debug|trace|silent [env CCPTY_LOG_LEVEL] (default: info)
  -h, --help                this help
      --version             the version
`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseBind(raw: string): { host: string; port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(raw.trim());
  if (!m) return `bind address "${raw}" is not HOST:PORT (use [::1]:PORT for IPv6)`;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range (0-65535)`;
  return { host: (m[1] ?? m[2]) as string, port };
}

export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): ConfigResult {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'claude-command': { type: 'string', short: 'c' },
        bind: { type: 'string', short: 'b' },
        'idle-sec': { type: 'string' },
        workspace: { type: 'string', short: 'w' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return { kind: 'error', message: (err as Error).message.split('\n')[0] ?? 'bad arguments' };
  }
  if (values.help) return { kind: 'help', text: HELP };
  if (values.version) return { kind: 'version' };

  const pick = (flag: string | undefined, envName: string): string | undefined => {
    if (flag !== undefined) return flag;
    const v = env[envName];
    return v === undefined || v === '' ? undefined : v;
  };

  const bind = parseBind(pick(values.bind, 'ECHOKIT_CC_BIND_ADDR') ?? '127.0.0.1:3000');
  if (typeof bind === 'string') return { kind: 'error', message: bind };

  const idleRaw = pick(values['idle-sec'], 'ECHOKIT_IDLE_TIMEOUT') ?? '120';
  if (!/^\d{1,9}$/.test(idleRaw)) {
    return { kind: 'error', message: `--idle-sec "${idleRaw}" is not a whole number of seconds` };
  }

  const command = pick(values['claude-command'], 'ECHOKIT_CLAUDE_COMMAND');
  if (command !== undefined && command.trim() === '') {
    return { kind: 'error', message: '--claude-command is empty' };
  }

  const logLevel = pick(values['log-level'], 'CCPTY_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    return { kind: 'error', message: `--log-level "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}` };
  }

  const expand = (p: string): string => path.resolve(p.startsWith('~/') || p === '~' ? path.join(home, p.slice(1)) : p);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');

  return {
    kind: 'run',
    config: {
      claudeCommand: command ?? null,
      host: bind.host,
      port: bind.port,
      idleSec: Number(idleRaw),
      workspace: expand(pick(values.workspace, 'ECHOKIT_WORKING_PATH') ?? '~/ccpty-sessions'),
      dataDir: expand(pick(values['data-dir'], 'CCPTY_DATA_DIR') ?? path.join(xdg, 'ccpty')),
      logLevel,
    },
  };
}
