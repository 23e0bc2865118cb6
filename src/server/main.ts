/** Composition root: config → store → registry → HTTP + WebSocket → signals. */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { hookSettings, relayScriptPath } from './claude/hooks.js';
import { BASH, installRelayScript } from './claude/relay-script.js';
import { claudeConfigFile, ensureTrusted } from './claude/trust.js';
import { ClaudeTracker } from './claude/tracker.js';
import { claudeLauncher, customLauncher, resolveClaudeBinary, type Launcher } from './claude/launcher.js';
import { parseConfig, type Config } from './config.js';
import { ensureDir } from './fs-util.js';
import { E, sendHttpError } from './errors.js';
import { handleRequest, redactUrl, requestUrl } from './http/app.js';
import type { RouteContext } from './http/routes.js';
import { AuthStore } from './auth/auth-store.js';
import { Guard, splitPrefix } from './auth/guard.js';
import { hashSecret, newSecret } from './auth/secrets.js';
import { openDb, type Db } from './store/db.js';
import { createLogger, type Logger } from './log.js';
import { SessionRegistry } from './sessions/registry.js';
import { ActivityTracker } from './state/activity-tracker.js';
import { SessionStore } from './store/store.js';
import { createVoice } from './voice/voice.js';
import { WsEndpoint } from './ws/server.js';

const SHUTDOWN_DEADLINE_MS = 10_000;
/**
 * Open connections at most: 50 sessions × (128 share-link viewers at the most, in practice a
 * few) fit well below it, and a flood of idle connections stops here instead of at the file
 * descriptor limit (1024 by default), which would stop new PTYs too.
 */
const MAX_CONNECTIONS = 800;
/** A request's headers must arrive within this (slowloris); a browser sends them at once. */
const HEADERS_TIMEOUT_MS = 15_000;
/** A whole request (an upload included: 25 MiB of audio on a slow phone link) within this. */
const REQUEST_TIMEOUT_MS = 120_000;

function packageVersion(): string {
  // dist/src/server/main.js and src/server/main.ts are both three levels below the root.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const p of [path.join(root, 'package.json'), path.join(root, '..', 'package.json')]) {
    try {
      return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
    } catch {
      // try the next
    }
  }
  return '0.0.0';
}

function fail(message: string): never {
  process.stderr.write(`ccpty: ${message}\n`);
  process.exit(2);
}

/** Checks what can only be checked on the machine, before anything starts. */
function preflight(config: Config): Launcher {
  try {
    ensureDir(config.workspace);
    fs.accessSync(config.workspace, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    fail(`workspace ${config.workspace} is not a writable folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    ensureDir(config.dataDir, 0o700);
    fs.accessSync(config.dataDir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    fail(`data dir ${config.dataDir} is not a writable folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (config.claudeCommand !== null) return customLauncher(config.claudeCommand);
  const claude = resolveClaudeBinary(process.env);
  if (!claude) fail('no `claude` on PATH and @anthropic-ai/claude-code is not installed; run npm install, or pass -c CMD');
  // The bash relay costs ~16 ms a hook, the Node one ~100 ms (Node's start); Claude Code waits.
  const bashRelay = installRelayScript(config.dataDir);
  const settings = bashRelay ? hookSettings(BASH, bashRelay) : hookSettings(process.execPath, relayScriptPath());
  ensureTrusted(claudeConfigFile(process.env), config.workspace); // before any Claude Code runs
  return claudeLauncher(claude, settings, config.workspace);
}

/** The URL to print for an address: a wildcard bind is shown by this machine's LAN address. */
function publicUrl(address: string, port: number, secure: boolean): string {
  let host = address;
  if (address === '0.0.0.0' || address === '::') {
    const lan = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    host = lan?.address ?? '127.0.0.1';
  }
  return `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The access token from `--token-file` (surrounding white space dropped); exits on a bad one. */
function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    fail(`cannot read --token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!/^[A-Za-z0-9_\-.~]{16,256}$/.test(text)) fail('--token-file must hold 16-256 characters of A-Z a-z 0-9 _ - . ~');
  return text;
}

function sessionEnv(config: Config, id: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.CCPTY_TOKEN; // the access token is the server's, never a session's
  delete env.CCPTY_STT_KEY; // so are the speech services' keys
  delete env.CCPTY_TTS_KEY;
  env.CLAUDE_SESSION_ID = id;
  env.ECHOKIT_WORKING_PATH = config.workspace;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  return env;
}

export async function main(argv: readonly string[]): Promise<void> {
  const version = packageVersion();
  const parsed = parseConfig(argv, process.env, os.homedir());
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`ccpty ${version}\n`);
    return;
  }
  if (parsed.kind === 'error') fail(`${parsed.message} (see --help)`);
  const config = parsed.config;
  const launcher = preflight(config);
  const log = createLogger(config.logLevel);

  const db = openDb(config.dataDir);
  const store = new SessionStore(db);
  const auth = new AuthStore(db);
  if (parsed.kind === 'rotate-token') {
    const token = newSecret();
    auth.setOwnerToken(token);
    db.close();
    process.stdout.write(`New access token; every earlier login has ended.\nLogin URL: ${publicUrl(config.host, config.port, config.tlsCert !== null)}/?token=${token}\n`);
    return;
  }
  // The owner token: given (stored hashed, logins kept while it is the same), or made once.
  // Nothing a session can read may hold it: not our environment (removed below), not argv.
  const given = config.tokenFile !== null ? readTokenFile(config.tokenFile) : config.token;
  delete process.env.CCPTY_TOKEN;
  if (config.tokenOnCommandLine) log.warn('--token on the command line is visible to every local user (ps): use --token-file or CCPTY_TOKEN');
  let newToken: string | null = null;
  if (given !== null) {
    if (auth.ownerTokenHash() !== hashSecret(given)) auth.setOwnerToken(given);
  } else if (auth.ownerTokenHash() === null && !config.noAuth) {
    newToken = newSecret();
    auth.setOwnerToken(newToken);
  }

  let hookBase = '';
  const voice = createVoice(config);
  const registry = new SessionRegistry(store, log, {
    workspace: config.workspace,
    idleSec: config.idleSec,
    commandDisplay: config.claudeCommand ?? 'claude',
    maxSessions: config.maxSessions,
    scrollback: config.scrollback,
    launch: (id, folder, hookSecret) => {
      const env = sessionEnv(config, id);
      // Hooks post back on loopback, to the address we actually listen on.
      env.CCPTY_HOOK_URL = `${hookBase}/hooks/${id}`;
      env.CCPTY_HOOK_SECRET = hookSecret;
      return { spec: launcher(id, folder, env), env };
    },
    tracker: (kind, id, sessionHost) => {
      const host = voice.replies.observe(id, sessionHost); // keeps each session's last reply for `speak`
      return kind === 'claude' ? new ClaudeTracker(id, host, log) : new ActivityTracker(host);
    },
  });
  const guard = new Guard(auth, { enabled: !config.noAuth, bindHost: config.host, extraHosts: config.allowedHosts, extraOrigins: config.allowedOrigins });
  const ws = new WsEndpoint(registry, log, guard, config.maxViewers, config.maxSessions);
  const secure = config.tlsCert !== null;
  const ctx: RouteContext = {
    registry,
    version,
    auth,
    closeShare: (id) => ws.closeShare(id),
    hasCredential: (req) => guard.authenticate(req, splitPrefix(requestUrl(req.url)?.pathname ?? '/').secret).principal !== null,
    origin: (req) => `${secure ? 'https' : 'http'}://${req.headers.host ?? `${config.host}:${config.port}`}`,
    voice,
  };
  const deps = { ctx, guard, log, secure };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    // Credentials in the URL (/t/<token>, ?token=, ?share=) are redacted before anything is logged.
    if (log.isLevelEnabled('debug')) res.on('finish', () => log.debug({ method: req.method, url: redactUrl(req.url), status: res.statusCode }, 'request'));
    handleRequest(deps, req, res).catch((err: unknown) => {
      log.error({ err: (err as Error).message, url: redactUrl(req.url) }, 'request failed');
      if (!res.headersSent) sendHttpError(res, E.internal_error, 'internal error');
      else res.destroy();
    });
  };
  let server: http.Server;
  if (secure) {
    let tls: { cert: Buffer; key: Buffer };
    try {
      tls = { cert: fs.readFileSync(config.tlsCert as string), key: fs.readFileSync(config.tlsKey as string) };
    } catch (err) {
      fail(`cannot read the TLS certificate or key: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      server = https.createServer(tls, onRequest);
    } catch (err) {
      fail(`the TLS certificate or key is not usable: ${(err as Error).message}`);
    }
  } else {
    server = http.createServer(onRequest);
  }
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    log.debug({ url: redactUrl(req.url) }, 'upgrade');
    try {
      ws.handleUpgrade(req, socket, head);
    } catch (err) {
      // Never let one bad upgrade take the server down.
      log.error({ err: (err as Error).message, url: redactUrl(req.url) }, 'upgrade failed');
      socket.destroy();
    }
  });
  // A request Node cannot parse gets a plain answer, not a silent reset: 431 for headers past
  // Node's limit, 400 for the rest; then the connection closes.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !(socket as unknown as { _httpMessage?: unknown })._httpMessage) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });
  // Bounded: connections past this are refused by the kernel's backlog, not accepted and held.
  server.maxConnections = MAX_CONNECTIONS;
  // Slow clients (slowloris): headers must arrive within HEADERS_TIMEOUT_MS.
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch((err: NodeJS.ErrnoException) => fail(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`));

  const addr = server.address() as AddressInfo;
  guard.allowHost(addr.address); // a bind by host name: its address names us too
  const url = publicUrl(addr.address, addr.port, secure);
  const wildcard = addr.address === '0.0.0.0' || addr.address === '::';
  if (secure) {
    // The hook relays speak plain HTTP: under TLS they get a loopback-only listener of their own.
    const hooks = http.createServer((req, res) => {
      if (!(req.url ?? '').startsWith('/hooks/')) return sendHttpError(res, E.not_found, 'hooks only');
      onRequest(req, res);
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', () => resolve()));
    hooks.unref();
    hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  } else {
    hookBase = wildcard ? `http://${addr.family === 'IPv6' ? '[::1]' : '127.0.0.1'}:${addr.port}` : `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }
  log.info({ url, workspace: config.workspace, dataDir: config.dataDir, auth: !config.noAuth }, 'listening');
  process.stdout.write(`ccpty ${version} listening on ${url}\n`);
  // Printed once, on stdout only (never to the log): only its hash is kept.
  if (newToken) process.stdout.write(`Login URL (shown once; \`ccpty token rotate\` makes a new one): ${url}/?token=${newToken}\n`);
  // Every start says how to get in: the token is stored hashed, so its URL cannot be shown again.
  else if (!config.noAuth) process.stdout.write(`Log in at ${url}/ with the access token${config.token !== null ? ' you gave (--token / CCPTY_TOKEN)' : ''}; lost it? \`npx ccpty token rotate\` prints a new login URL (and ends every login).\n`);
  if (config.noAuth) log.warn('authentication is off (--no-auth): anyone who can reach the loopback port can run commands as you');

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    server.close();
    void gracefulStop(registry, ws, db, server, log).then(() => {
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function gracefulStop(
  registry: SessionRegistry,
  ws: WsEndpoint,
  db: Db,
  server: http.Server,
  log: Logger,
): Promise<void> {
  // Viewers get each session's session_ended (sessions stop first), then a 1001 close.
  await registry.shutdown();
  ws.closeAll();
  server.closeAllConnections();
  db.close();
  log.info('stopped');
}

const isEntry = process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).catch((err: unknown) => fail((err as Error).stack ?? String(err)));
}
