/** Composition root: config → store → registry → HTTP + WebSocket → signals. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { hookSettings, relayScriptPath } from './claude/hooks.js';
import { BASH, installRelayScript } from './claude/relay-script.js';
import { claudeLauncher, customLauncher, resolveClaudeBinary, type Launcher } from './claude/launcher.js';
import { parseConfig, type Config } from './config.js';
import { ensureDir } from './fs-util.js';
import { sendJson } from './http/json.js';
import { dispatch } from './http/routes.js';
import { createLogger, type Logger } from './log.js';
import { SessionRegistry } from './sessions/registry.js';
import { SessionStore } from './store/store.js';
import { rejectUpgrade, WsEndpoint } from './ws/server.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

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
  return claudeLauncher(claude, settings);
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

function sessionEnv(config: Config, id: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
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

  const store = new SessionStore(config.dataDir);
  let hookBase = '';
  const registry = new SessionRegistry(store, log, {
    workspace: config.workspace,
    idleSec: config.idleSec,
    commandDisplay: config.claudeCommand ?? 'claude',
    launch: (id, folder, hookSecret) => {
      const env = sessionEnv(config, id);
      // Hooks post back on loopback, to the address we actually listen on.
      env.CCPTY_HOOK_URL = `${hookBase}/hooks/${id}`;
      env.CCPTY_HOOK_SECRET = hookSecret;
      return { spec: launcher(id, folder, env), env };
    },
  });
  const ws = new WsEndpoint(registry, log);
  const ctx = { registry, version };

  const server = http.createServer((req, res) => {
    dispatch(ctx, req, res)
      .then((handled) => {
        if (!handled) sendJson(res, 404, { error_code: 'not_found', error_message: 'no such route' });
      })
      .catch((err: unknown) => {
        log.error({ err: (err as Error).message, url: req.url }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error_code: 'internal_error', error_message: 'internal error' });
        else res.destroy();
      });
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!ws.handleUpgrade(req, socket, head)) rejectUpgrade(socket, 404, 'not_found', 'no WebSocket endpoint here');
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch((err: NodeJS.ErrnoException) => fail(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`));

  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  const wildcard = addr.address === '0.0.0.0' || addr.address === '::';
  hookBase = wildcard ? `http://${addr.family === 'IPv6' ? '[::1]' : '127.0.0.1'}:${addr.port}` : url;
  log.info({ url, workspace: config.workspace, dataDir: config.dataDir }, 'listening');
  process.stdout.write(`ccpty ${version} listening on ${url}\n`);
  if (!isLoopback(addr.address)) {
    // Access control is not built yet: anyone who reaches this port can run commands as you.
    log.warn({ url }, 'listening beyond loopback WITHOUT authentication');
    process.stderr.write(`ccpty: WARNING: ${url} is reachable from other machines and has no authentication yet\n`);
  }

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
    void gracefulStop(registry, ws, store, server, log).then(() => {
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
  store: SessionStore,
  server: http.Server,
  log: Logger,
): Promise<void> {
  // Viewers get each session's session_ended (sessions stop first), then a 1001 close.
  await registry.shutdown();
  ws.closeAll();
  server.closeAllConnections();
  store.close();
  log.info('stopped');
}

const isEntry = process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).catch((err: unknown) => fail((err as Error).stack ?? String(err)));
}
