/** Command line and environment → typed config. Pure: no I/O, so it is table-testable. */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { DEFAULT_SCROLLBACK } from './terminal/mirror.js';

/** 100,000 lines at 120 columns hold ~150 MiB per session: more is surely a typo. */
const MAX_SCROLLBACK = 100_000;

export interface Config {
  /** Shell command line for each session; null = the built-in Claude Code launcher. */
  claudeCommand: string | null;
  host: string;
  port: number;
  idleSec: number;
  workspace: string;
  dataDir: string;
  logLevel: string;
  /** Owner token given by flag/env (else generated on first start, stored hashed). */
  token: string | null;
  /** A file holding the owner token (`--token-file`): read at start, never on the command line. */
  tokenFile: string | null;
  /** The token came as `--token` on the command line, where `ps` shows it to every local user. */
  tokenOnCommandLine: boolean;
  noAuth: boolean;
  allowedHosts: string[];
  allowedOrigins: string[];
  tlsCert: string | null;
  tlsKey: string | null;
  maxSessions: number;
  maxViewers: number;
  /** Lines of scrollback each session's terminal mirror keeps for joining viewers. */
  scrollback: number;
  /** Speech-to-text: an OpenAI-compatible server (null: voice input is off). */
  stt: SttConfig | null;
  /** Text-to-speech: an OpenAI-compatible server (null: browsers read aloud with their own voice). */
  tts: TtsConfig | null;
}

export interface SttConfig {
  /** Base URL (`/audio/transcriptions` is appended), or a full `…/audio/transcriptions` or `…/inference` URL. */
  url: string;
  key: string | null;
  model: string;
  /** ISO-639-1 code sent as `language`; null: the server detects it. */
  language: string | null;
}

export const TTS_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav'] as const;

export interface TtsConfig {
  /** Base URL (`/audio/speech` is appended), or a full `…/audio/speech` URL. */
  url: string;
  key: string | null;
  model: string;
  voice: string;
  format: (typeof TTS_FORMATS)[number];
}

export type ConfigResult =
  | { kind: 'run'; config: Config }
  | { kind: 'rotate-token'; config: Config }
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

Access (every route and socket needs the access token, loopback included):
      --token-file FILE     read the access token from FILE (16-256 of A-Z a-z 0-9 _ - . ~)
                            [env CCPTY_TOKEN_FILE] (default: generated on first start, stored
                            hashed, printed once)
      --token TOKEN         the access token itself [env CCPTY_TOKEN]; as a flag it shows in
                            "ps" to every local user: prefer --token-file
      --no-auth             no access token; refused unless the bind address is loopback
      --allowed-host NAME   another host name this server is reached by (repeatable)
                            [env CCPTY_ALLOWED_HOSTS, comma-separated]
      --allowed-origin URL  another browser origin allowed to call it (repeatable)
                            [env CCPTY_ALLOWED_ORIGINS, comma-separated]
      --tls-cert FILE       serve HTTPS/WSS with this certificate (PEM) [env CCPTY_TLS_CERT]
      --tls-key FILE        and this private key (PEM) [env CCPTY_TLS_KEY]
      --max-sessions N      running sessions at most (default: 50) [env CCPTY_MAX_SESSIONS]
      --max-viewers N       sockets per session at most (default: 128) [env CCPTY_MAX_VIEWERS]
      --scrollback N        lines of scrollback a session keeps for viewers who join, 0-100000
                            (~1.5 KiB a line at 120 columns) (default: 2000) [env CCPTY_SCROLLBACK]

Voice (OpenAI-compatible speech servers; the keys never reach a browser):
      --stt-url URL         speech-to-text base URL, e.g. https://api.openai.com/v1 [env CCPTY_STT_URL]
      --stt-key KEY         its API key, sent as a Bearer token [env CCPTY_STT_KEY]
      --stt-model NAME      (default: whisper-1) [env CCPTY_STT_MODEL]
      --stt-language CODE   ISO-639-1, e.g. en, zh (default: detected) [env CCPTY_STT_LANGUAGE]
      --tts-url URL         text-to-speech base URL (default: the browser's own voice) [env CCPTY_TTS_URL]
      --tts-key KEY         its API key [env CCPTY_TTS_KEY]
      --tts-model NAME      (default: tts-1) [env CCPTY_TTS_MODEL]
      --tts-voice NAME      (default: alloy) [env CCPTY_TTS_VOICE]
      --tts-format FORMAT   mp3|opus|aac|flac|wav (default: mp3) [env CCPTY_TTS_FORMAT]
  -h, --help                this help
      --version             the version

Commands:
  ccpty token rotate        make a new access token (ends every login), print its login URL
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
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        'claude-command': { type: 'string', short: 'c' },
        bind: { type: 'string', short: 'b' },
        'idle-sec': { type: 'string' },
        workspace: { type: 'string', short: 'w' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'no-auth': { type: 'boolean' },
        'allowed-host': { type: 'string', multiple: true },
        'allowed-origin': { type: 'string', multiple: true },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'max-sessions': { type: 'string' },
        'max-viewers': { type: 'string' },
        scrollback: { type: 'string' },
        'stt-url': { type: 'string' },
        'stt-key': { type: 'string' },
        'stt-model': { type: 'string' },
        'stt-language': { type: 'string' },
        'tts-url': { type: 'string' },
        'tts-key': { type: 'string' },
        'tts-model': { type: 'string' },
        'tts-voice': { type: 'string' },
        'tts-format': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return { kind: 'error', message: (err as Error).message.split('\n')[0] ?? 'bad arguments' };
  }
  if (values.help) return { kind: 'help', text: HELP };
  if (values.version) return { kind: 'version' };
  const command = positionals.join(' ');
  if (command !== '' && command !== 'token rotate') return { kind: 'error', message: `unknown command "${command.slice(0, 40)}"` };

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

  const claudeCommand = pick(values['claude-command'], 'ECHOKIT_CLAUDE_COMMAND');
  if (claudeCommand !== undefined && claudeCommand.trim() === '') {
    return { kind: 'error', message: '--claude-command is empty' };
  }

  const logLevel = pick(values['log-level'], 'CCPTY_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    return { kind: 'error', message: `--log-level "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}` };
  }

  const token = pick(values.token, 'CCPTY_TOKEN') ?? null;
  const tokenFile = pick(values['token-file'], 'CCPTY_TOKEN_FILE') ?? null;
  if (token !== null && tokenFile !== null) return { kind: 'error', message: 'give the access token once: --token or --token-file, not both' };
  if (token !== null && !/^[A-Za-z0-9_\-.~]{16,256}$/.test(token)) {
    return { kind: 'error', message: '--token must be 16-256 characters of A-Z a-z 0-9 _ - . ~' };
  }
  const noAuth = values['no-auth'] === true;
  if (noAuth && !isLoopback(bind.host)) {
    return { kind: 'error', message: `--no-auth is refused with a non-loopback bind address (${bind.host}): anyone who reaches it could run commands as you` };
  }
  const list = (flag: string[] | undefined, envName: string): string[] =>
    flag ?? (env[envName] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const allowedOrigins = list(values['allowed-origin'], 'CCPTY_ALLOWED_ORIGINS');
  for (const o of allowedOrigins) {
    if (!/^https?:\/\/[^/\s]+$/i.test(o.replace(/\/+$/, ''))) return { kind: 'error', message: `--allowed-origin "${o}" is not an origin like https://host:port` };
  }
  const tlsCert = pick(values['tls-cert'], 'CCPTY_TLS_CERT') ?? null;
  const tlsKey = pick(values['tls-key'], 'CCPTY_TLS_KEY') ?? null;
  if ((tlsCert === null) !== (tlsKey === null)) return { kind: 'error', message: '--tls-cert and --tls-key go together' };
  const count = (raw: string, name: string): number | string =>
    /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : `--${name} "${raw}" is not a whole number from 1 to 999999`;
  const maxSessions = count(pick(values['max-sessions'], 'CCPTY_MAX_SESSIONS') ?? '50', 'max-sessions');
  if (typeof maxSessions === 'string') return { kind: 'error', message: maxSessions };
  const maxViewers = count(pick(values['max-viewers'], 'CCPTY_MAX_VIEWERS') ?? '128', 'max-viewers');
  if (typeof maxViewers === 'string') return { kind: 'error', message: maxViewers };
  const scrollbackRaw = pick(values.scrollback, 'CCPTY_SCROLLBACK') ?? String(DEFAULT_SCROLLBACK);
  if (!/^\d{1,6}$/.test(scrollbackRaw) || Number(scrollbackRaw) > MAX_SCROLLBACK) {
    return { kind: 'error', message: `--scrollback "${scrollbackRaw.slice(0, 40)}" is not a whole number of lines from 0 to ${MAX_SCROLLBACK}` };
  }
  const voice = parseVoice((name) => pick((values as Record<string, string | undefined>)[name], `CCPTY_${name.toUpperCase().replace('-', '_')}`));
  if (typeof voice === 'string') return { kind: 'error', message: voice };

  const expand = (p: string): string => path.resolve(p.startsWith('~/') || p === '~' ? path.join(home, p.slice(1)) : p);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');

  return {
    kind: command === 'token rotate' ? 'rotate-token' : 'run',
    config: {
      claudeCommand: claudeCommand ?? null,
      host: bind.host,
      port: bind.port,
      idleSec: Number(idleRaw),
      workspace: expand(pick(values.workspace, 'ECHOKIT_WORKING_PATH') ?? '~/ccpty-sessions'),
      dataDir: expand(pick(values['data-dir'], 'CCPTY_DATA_DIR') ?? path.join(xdg, 'ccpty')),
      logLevel,
      token,
      tokenFile: tokenFile === null ? null : expand(tokenFile),
      tokenOnCommandLine: values.token !== undefined,
      noAuth,
      allowedHosts: list(values['allowed-host'], 'CCPTY_ALLOWED_HOSTS'),
      allowedOrigins,
      tlsCert: tlsCert === null ? null : expand(tlsCert),
      tlsKey: tlsKey === null ? null : expand(tlsKey),
      maxSessions,
      maxViewers,
      scrollback: Number(scrollbackRaw),
      ...voice,
    },
  };
}

type VoiceOption = `${'stt' | 'tts'}-${'url' | 'key' | 'model' | 'language' | 'voice' | 'format'}`;

/** The voice options (flag or CCPTY_STT_* / CCPTY_TTS_* env); an error message when one is invalid. */
function parseVoice(pick: (name: VoiceOption) => string | undefined): { stt: SttConfig | null; tts: TtsConfig | null } | string {
  // Printable ASCII without spaces: these go into HTTP headers and JSON as given.
  const token = (name: VoiceOption, max: number): string | null | undefined => {
    const v = pick(name);
    if (v === undefined) return null;
    return /^[\x21-\x7e]+$/.test(v) && v.length <= max ? v : undefined;
  };
  const url = (name: 'stt-url' | 'tts-url'): string | null | undefined => {
    const v = pick(name);
    if (v === undefined) return null;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return undefined;
    }
    return /^https?:$/.test(u.protocol) && !u.username && !u.password && !u.search && !u.hash ? u.href.replace(/\/+$/, '') : undefined;
  };
  const bad = (name: VoiceOption, what: string): string => `--${name} "${(pick(name) ?? '').slice(0, 60)}" is not ${what}`;
  const result: { stt: SttConfig | null; tts: TtsConfig | null } = { stt: null, tts: null };
  for (const kind of ['stt', 'tts'] as const) {
    const base = url(`${kind}-url`);
    if (base === undefined) return bad(`${kind}-url`, 'an http(s) URL without a query, e.g. https://api.openai.com/v1');
    const key = token(`${kind}-key`, 512);
    if (key === undefined) return `--${kind}-key must be 1-512 printable characters without spaces`;
    const model = token(`${kind}-model`, 200);
    if (model === undefined) return bad(`${kind}-model`, 'a model name (1-200 printable characters, no spaces)');
    const others: VoiceOption[] = kind === 'stt' ? ['stt-language'] : ['tts-voice', 'tts-format'];
    if (base === null) {
      const given = [`${kind}-key`, `${kind}-model`, ...others].find((n) => pick(n as VoiceOption) !== undefined);
      if (given) return `--${given} needs --${kind}-url`;
      continue;
    }
    if (kind === 'stt') {
      const language = pick('stt-language') ?? null;
      if (language !== null && !/^[a-z]{2,3}$/i.test(language)) return bad('stt-language', 'an ISO-639-1 language code such as en or zh');
      result.stt = { url: base, key, model: model ?? 'whisper-1', language: language?.toLowerCase() ?? null };
    } else {
      const voice = token('tts-voice', 100);
      if (voice === undefined) return bad('tts-voice', 'a voice name (1-100 printable characters, no spaces)');
      const format = pick('tts-format') ?? 'mp3';
      if (!(TTS_FORMATS as readonly string[]).includes(format)) return bad('tts-format', `one of ${TTS_FORMATS.join(', ')}`);
      result.tts = { url: base, key, model: model ?? 'tts-1', voice: voice ?? 'alloy', format: format as TtsConfig['format'] };
    }
  }
  return result;
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || h === '::ffff:127.0.0.1';
}
