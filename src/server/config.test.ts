import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HELP, parseBind, parseConfig, type Config, type ConfigResult } from './config.js';

const HOME = '/home/tester';
type Env = Record<string, string | undefined>;

function run(argv: readonly string[], env: Env = {}, home = HOME): Config {
  const r = parseConfig(argv, env, home);
  if (r.kind !== 'run') assert.fail(`expected a config for ${JSON.stringify(argv)}, got ${JSON.stringify(r)}`);
  return r.config;
}

function error(argv: readonly string[], env: Env = {}): string {
  const r: ConfigResult = parseConfig(argv, env, HOME);
  if (r.kind !== 'error') assert.fail(`expected an error for ${JSON.stringify(argv)} ${JSON.stringify(env)}, got ${JSON.stringify(r)}`);
  return r.message;
}

const DEFAULTS: Config = {
  claudeCommand: null,
  host: '127.0.0.1',
  port: 3000,
  idleSec: 120,
  workspace: '/home/tester/ccpty-sessions',
  dataDir: '/home/tester/.local/share/ccpty',
  logLevel: 'info',
  token: null,
  tokenFile: null,
  tokenOnCommandLine: false,
  noAuth: false,
  allowedHosts: [],
  allowedOrigins: [],
  tlsCert: null,
  tlsKey: null,
  maxSessions: 50,
  maxViewers: 128,
  scrollback: 2000,
  stt: null,
  tts: null,
};

test('defaults', () => {
  assert.deepEqual(run([]), DEFAULTS);
});

test('unrelated environment variables change nothing', () => {
  assert.deepEqual(run([], { PATH: '/bin', HOME: '/elsewhere', PORT: '9999' }), DEFAULTS);
});

// ---- every option: flag forms and its environment variable ----

interface OptionCase {
  field: keyof Config;
  flags: readonly string[];
  envName: string;
  value: string;
  expected: Partial<Config>;
}

const OPTIONS: readonly OptionCase[] = [
  { field: 'claudeCommand', flags: ['-c', '--claude-command'], envName: 'ECHOKIT_CLAUDE_COMMAND', value: './run_cc.sh --x', expected: { claudeCommand: './run_cc.sh --x' } },
  { field: 'host', flags: ['-b', '--bind'], envName: 'ECHOKIT_CC_BIND_ADDR', value: '0.0.0.0:8080', expected: { host: '0.0.0.0', port: 8080 } },
  { field: 'idleSec', flags: ['--idle-sec'], envName: 'ECHOKIT_IDLE_TIMEOUT', value: '30', expected: { idleSec: 30 } },
  { field: 'workspace', flags: ['-w', '--workspace'], envName: 'ECHOKIT_WORKING_PATH', value: '/srv/ws', expected: { workspace: '/srv/ws' } },
  { field: 'dataDir', flags: ['--data-dir'], envName: 'CCPTY_DATA_DIR', value: '/var/lib/ccpty', expected: { dataDir: '/var/lib/ccpty' } },
  { field: 'logLevel', flags: ['--log-level'], envName: 'CCPTY_LOG_LEVEL', value: 'debug', expected: { logLevel: 'debug' } },
  { field: 'scrollback', flags: ['--scrollback'], envName: 'CCPTY_SCROLLBACK', value: '10000', expected: { scrollback: 10000 } },
];

for (const o of OPTIONS) {
  for (const flag of o.flags) {
    test(`${flag} VALUE`, () => {
      assert.deepEqual(run([flag, o.value]), { ...DEFAULTS, ...o.expected });
    });
    if (flag.startsWith('--')) {
      test(`${flag}=VALUE`, () => {
        assert.deepEqual(run([`${flag}=${o.value}`]), { ...DEFAULTS, ...o.expected });
      });
    }
  }
  test(`env ${o.envName}`, () => {
    assert.deepEqual(run([], { [o.envName]: o.value }), { ...DEFAULTS, ...o.expected });
  });
  test(`env ${o.envName}="" is ignored`, () => {
    assert.deepEqual(run([], { [o.envName]: '' }), DEFAULTS);
  });
  test(`${o.flags[0]} wins over env ${o.envName}`, () => {
    const env = { [o.envName]: o.value };
    const flagValue: Partial<Record<keyof Config, string>> = {
      claudeCommand: 'other-cmd',
      host: '[::1]:4000',
      port: '',
      idleSec: '0',
      workspace: '/flag/ws',
      dataDir: '/flag/data',
      logLevel: 'warn',
      scrollback: '0',
    };
    const c = run([o.flags[0] as string, flagValue[o.field]!], env);
    const fromFlag = run([o.flags[0] as string, flagValue[o.field]!]);
    assert.deepEqual(c, fromFlag);
    assert.notDeepEqual(c, run([], env));
  });
}

test('all flags together beat all env vars', () => {
  const env: Env = {
    ECHOKIT_CLAUDE_COMMAND: 'env-cmd',
    ECHOKIT_CC_BIND_ADDR: '10.0.0.1:1',
    ECHOKIT_IDLE_TIMEOUT: '5',
    ECHOKIT_WORKING_PATH: '/env/ws',
    CCPTY_DATA_DIR: '/env/data',
    CCPTY_LOG_LEVEL: 'trace',
    XDG_DATA_HOME: '/env/xdg',
  };
  const argv = ['-c', 'flag-cmd', '-b', '[::1]:0', '--idle-sec', '0', '-w', '/flag/ws', '--data-dir', '/flag/data', '--log-level', 'silent'];
  assert.deepEqual(run(argv, env), {
    ...DEFAULTS,
    claudeCommand: 'flag-cmd',
    host: '::1',
    port: 0,
    idleSec: 0,
    workspace: '/flag/ws',
    dataDir: '/flag/data',
    logLevel: 'silent',
  });
});

test('the last of a repeated flag wins', () => {
  assert.equal(run(['--idle-sec', '1', '--idle-sec', '2']).idleSec, 2);
});

// ---- bind ----

const BINDS: ReadonlyArray<readonly [string, { host: string; port: number } | RegExp]> = [
  ['127.0.0.1:3000', { host: '127.0.0.1', port: 3000 }],
  ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
  ['localhost:65535', { host: 'localhost', port: 65535 }],
  ['my-host.example.com:443', { host: 'my-host.example.com', port: 443 }],
  ['[::1]:3000', { host: '::1', port: 3000 }],
  ['[::]:0', { host: '::', port: 0 }],
  ['[::ffff:127.0.0.1]:80', { host: '::ffff:127.0.0.1', port: 80 }],
  ['  127.0.0.1:3000  ', { host: '127.0.0.1', port: 3000 }],
  ['host:70000', /port 70000 is out of range/],
  ['host:65536', /port 65536 is out of range/],
  ['host:123456', /not HOST:PORT/],
  ['::1:3000', /not HOST:PORT/],
  ['[::1]', /not HOST:PORT/],
  ['[::1]3000', /not HOST:PORT/],
  ['3000', /not HOST:PORT/],
  [':3000', /not HOST:PORT/],
  ['host:', /not HOST:PORT/],
  ['host:port', /not HOST:PORT/],
  ['host:-1', /not HOST:PORT/],
  ['a b:1', /not HOST:PORT/],
  ['[nothex]:1', /not HOST:PORT/],
  ['', /not HOST:PORT/],
  ['garbage', /"garbage" is not HOST:PORT/],
];

for (const [raw, expected] of BINDS) {
  test(`bind ${JSON.stringify(raw)}`, () => {
    if (expected instanceof RegExp) {
      const direct = parseBind(raw);
      assert.equal(typeof direct, 'string');
      assert.match(direct as string, expected);
      assert.match(error(['--bind', raw]), expected);
      if (raw !== '') assert.match(error([], { ECHOKIT_CC_BIND_ADDR: raw }), expected);
    } else {
      assert.deepEqual(parseBind(raw), expected);
      const c = run(['--bind', raw]);
      assert.deepEqual({ host: c.host, port: c.port }, expected);
    }
  });
}

// ---- idle seconds ----

const IDLE_OK: ReadonlyArray<readonly [string, number]> = [
  ['0', 0],
  ['1', 1],
  ['120', 120],
  ['007', 7],
  ['999999999', 999_999_999],
];
for (const [raw, n] of IDLE_OK) {
  test(`--idle-sec ${raw} → ${n}`, () => {
    assert.equal(run(['--idle-sec', raw]).idleSec, n);
  });
}

const IDLE_BAD = ['-1', '1.5', 'abc', '', ' 5', '1e3', '0x10', '1234567890', 'Infinity'];
for (const raw of IDLE_BAD) {
  test(`--idle-sec ${JSON.stringify(raw)} → error naming the flag`, () => {
    assert.match(error([`--idle-sec=${raw}`]), /--idle-sec/);
    if (raw !== '') assert.match(error([], { ECHOKIT_IDLE_TIMEOUT: raw }), /--idle-sec/);
  });
}

// ---- paths ----

const PATHS: ReadonlyArray<readonly [string, string]> = [
  ['~', HOME],
  ['~/', HOME],
  ['~/ws', `${HOME}/ws`],
  ['~/a/../b', `${HOME}/b`],
  ['/abs/ws', '/abs/ws'],
  ['/abs/ws/', '/abs/ws'],
  ['relative/ws', path.resolve('relative/ws')],
  ['~other/ws', path.resolve('~other/ws')],
];
for (const [raw, expected] of PATHS) {
  test(`path ${JSON.stringify(raw)} → ${expected}`, () => {
    assert.equal(run(['-w', raw]).workspace, expected);
    assert.equal(run(['--data-dir', raw]).dataDir, expected);
    assert.equal(run([], { ECHOKIT_WORKING_PATH: raw }).workspace, expected);
  });
}

test('paths are expanded against the given home, not the real one', () => {
  assert.equal(run([], {}, '/other/home').workspace, '/other/home/ccpty-sessions');
  assert.equal(run([], {}, '/other/home').dataDir, '/other/home/.local/share/ccpty');
});

const XDG: ReadonlyArray<readonly [string | undefined, string]> = [
  ['/xdg/data', '/xdg/data/ccpty'],
  [undefined, `${HOME}/.local/share/ccpty`],
  ['', `${HOME}/.local/share/ccpty`],
  // The XDG spec: relative paths are invalid and ignored.
  ['relative/xdg', `${HOME}/.local/share/ccpty`],
];
for (const [xdg, expected] of XDG) {
  test(`XDG_DATA_HOME=${JSON.stringify(xdg)} → data dir ${expected}`, () => {
    assert.equal(run([], { XDG_DATA_HOME: xdg }).dataDir, expected);
  });
}

test('--data-dir and CCPTY_DATA_DIR win over XDG_DATA_HOME', () => {
  assert.equal(run([], { XDG_DATA_HOME: '/xdg', CCPTY_DATA_DIR: '/d' }).dataDir, '/d');
  assert.equal(run(['--data-dir', '/f'], { XDG_DATA_HOME: '/xdg' }).dataDir, '/f');
});

test('XDG_DATA_HOME does not move the workspace', () => {
  assert.equal(run([], { XDG_DATA_HOME: '/xdg' }).workspace, DEFAULTS.workspace);
});

// ---- claude command ----

test('--claude-command keeps the command line as one string', () => {
  assert.equal(run(['-c', 'bash -lc "claude --x"']).claudeCommand, 'bash -lc "claude --x"');
});

for (const empty of ['', '   ', '\t']) {
  test(`--claude-command ${JSON.stringify(empty)} → error`, () => {
    assert.match(error(['--claude-command', empty]), /--claude-command is empty/);
    assert.match(error([`--claude-command=${empty}`]), /--claude-command is empty/);
  });
}

test('ECHOKIT_CLAUDE_COMMAND of only spaces → error', () => {
  assert.match(error([], { ECHOKIT_CLAUDE_COMMAND: '  ' }), /claude-command is empty/);
});

// ---- log level ----

for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
  test(`--log-level ${level}`, () => {
    assert.equal(run(['--log-level', level]).logLevel, level);
  });
}

for (const bad of ['verbose', 'INFO', '', '10']) {
  test(`--log-level ${JSON.stringify(bad)} → error`, () => {
    assert.match(error([`--log-level=${bad}`]), /--log-level/);
  });
}

test('CCPTY_LOG_LEVEL invalid → error', () => {
  assert.match(error([], { CCPTY_LOG_LEVEL: 'loud' }), /--log-level "loud"/);
});

// ---- help, version, bad arguments ----

for (const flag of ['--help', '-h']) {
  test(`${flag} → help text`, () => {
    assert.deepEqual(parseConfig([flag], {}, HOME), { kind: 'help', text: HELP });
  });
}

test('help mentions every flag and env var', () => {
  for (const o of OPTIONS) {
    for (const f of o.flags) assert.ok(HELP.includes(f), `help lacks ${f}`);
    assert.ok(HELP.includes(o.envName), `help lacks ${o.envName}`);
  }
  assert.ok(HELP.includes('--version'));
});

test('--version', () => {
  assert.deepEqual(parseConfig(['--version'], {}, HOME), { kind: 'version' });
});

test('--help wins over invalid values and --version', () => {
  assert.equal(parseConfig(['--bind', 'garbage', '--help'], {}, HOME).kind, 'help');
  assert.equal(parseConfig(['--version', '--help'], {}, HOME).kind, 'help');
  assert.equal(parseConfig(['--version'], { ECHOKIT_CC_BIND_ADDR: 'garbage' }, HOME).kind, 'version');
});

const BAD_ARGS: ReadonlyArray<readonly [readonly string[], RegExp]> = [
  [['--nope'], /--nope/],
  [['-x'], /-x/],
  [['--bind'], /--bind/],
  [['-c'], /-c/],
  [['--idle-sec'], /--idle-sec/],
  [['stray'], /stray/],
  [['--help=yes'], /--help/],
  [['--version=1'], /--version/],
];

for (const [argv, expected] of BAD_ARGS) {
  test(`bad arguments ${JSON.stringify(argv)} → error`, () => {
    const msg = error(argv);
    assert.match(msg, expected);
    assert.ok(!msg.includes('\n'), 'one line');
  });
}

test('access flags', () => {
  const c = run(['--token', 'a-long-enough-token_123', '--allowed-host', 'mac.lan', '--allowed-host', 'box', '--allowed-origin', 'https://proxy.example:8443', '--max-sessions', '3', '--max-viewers', '2', '--tls-cert', 'c.pem', '--tls-key', 'k.pem']);
  assert.equal(c.token, 'a-long-enough-token_123');
  assert.equal(c.tokenOnCommandLine, true, 'a flag is visible in ps: the server warns');
  assert.deepEqual(c.allowedHosts, ['mac.lan', 'box']);
  assert.deepEqual(c.allowedOrigins, ['https://proxy.example:8443']);
  assert.equal(c.maxSessions, 3);
  assert.equal(c.maxViewers, 2);
  assert.ok(c.tlsCert?.endsWith('/c.pem') && c.tlsKey?.endsWith('/k.pem'));
  assert.deepEqual(run([], { CCPTY_ALLOWED_HOSTS: 'a, b', CCPTY_TOKEN: 'x'.repeat(20) }).allowedHosts, ['a', 'b']);
});

test('access flag errors', () => {
  assert.match(error(['--token', 'short']), /16-256/);
  assert.match(error(['--no-auth', '--bind', '0.0.0.0:3000']), /--no-auth is refused/);
  assert.equal(run(['--no-auth']).noAuth, true);
  assert.match(error(['--tls-cert', 'c.pem']), /go together/);
  assert.match(error(['--max-viewers', '0']), /whole number/);
  assert.match(error(['--allowed-origin', 'evil.com']), /not an origin/);
  assert.match(error(['token', 'forget']), /unknown command/);
});

test('--scrollback: 0 to 100000 lines', () => {
  assert.equal(run(['--scrollback', '0']).scrollback, 0);
  assert.equal(run(['--scrollback', '100000']).scrollback, 100000);
  for (const bad of ['-1', '100001', '1.5', 'many', ' 5']) assert.match(error([`--scrollback=${bad}`]), /--scrollback .* whole number of lines from 0 to 100000/);
  assert.match(error([], { CCPTY_SCROLLBACK: 'x' }), /--scrollback/);
});

test('--token-file / CCPTY_TOKEN_FILE name a file; a token from the environment is not on the command line', () => {
  assert.equal(run(['--token-file', '~/t.txt']).tokenFile, '/home/tester/t.txt');
  assert.equal(run([], { CCPTY_TOKEN_FILE: '/run/ccpty-token' }).tokenFile, '/run/ccpty-token');
  const fromEnv = run([], { CCPTY_TOKEN: 'a-long-enough-token_123' });
  assert.equal(fromEnv.token, 'a-long-enough-token_123');
  assert.equal(fromEnv.tokenOnCommandLine, false);
  assert.match(error(['--token', 'a-long-enough-token_123', '--token-file', '/t']), /once/);
});

test('token rotate', () => {
  const r = parseConfig(['token', 'rotate', '--data-dir', '/d'], {}, HOME);
  assert.equal(r.kind, 'rotate-token');
});

test('voice: speech-to-text and text-to-speech servers, with defaults', () => {
  const c = run(['--stt-url', 'https://api.openai.com/v1/', '--tts-url', 'http://127.0.0.1:8000/v1']);
  assert.deepEqual(c.stt, { url: 'https://api.openai.com/v1', key: null, model: 'whisper-1', language: null });
  assert.deepEqual(c.tts, { url: 'http://127.0.0.1:8000/v1', key: null, model: 'tts-1', voice: 'alloy', format: 'mp3' });
  const full = run(['--stt-url', 'http://localhost:8080/inference', '--stt-key', 'sk-abc', '--stt-model', 'Systran/faster-whisper-small', '--stt-language', 'ZH',
    '--tts-url', 'https://api.openai.com/v1', '--tts-key', 'sk-def', '--tts-model', 'gpt-4o-mini-tts', '--tts-voice', 'af_heart', '--tts-format', 'wav']);
  assert.deepEqual(full.stt, { url: 'http://localhost:8080/inference', key: 'sk-abc', model: 'Systran/faster-whisper-small', language: 'zh' });
  assert.deepEqual(full.tts, { url: 'https://api.openai.com/v1', key: 'sk-def', model: 'gpt-4o-mini-tts', voice: 'af_heart', format: 'wav' });
  const env = run([], { CCPTY_STT_URL: 'https://api.groq.com/openai/v1', CCPTY_STT_KEY: 'gsk_1', CCPTY_STT_MODEL: 'whisper-large-v3-turbo', CCPTY_STT_LANGUAGE: 'en',
    CCPTY_TTS_URL: 'https://tts.lan/v1', CCPTY_TTS_VOICE: 'nova', CCPTY_TTS_FORMAT: 'opus' });
  assert.deepEqual(env.stt, { url: 'https://api.groq.com/openai/v1', key: 'gsk_1', model: 'whisper-large-v3-turbo', language: 'en' });
  assert.deepEqual(env.tts, { url: 'https://tts.lan/v1', key: null, model: 'tts-1', voice: 'nova', format: 'opus' });
  assert.equal(run(['--stt-url', 'http://a.lan/v1'], { CCPTY_STT_URL: 'http://b.lan/v1' }).stt?.url, 'http://a.lan/v1', 'the flag wins');
});

test('voice option errors', () => {
  assert.match(error(['--stt-url', 'ftp://x/v1']), /--stt-url "ftp:\/\/x\/v1" is not an http\(s\) URL/);
  assert.match(error(['--stt-url', 'not a url']), /is not an http\(s\) URL/);
  assert.match(error(['--tts-url', 'https://user:pw@x/v1']), /--tts-url .* is not an http\(s\) URL/);
  assert.match(error(['--stt-url', 'https://x/v1?key=1']), /without a query/);
  assert.match(error(['--stt-key', 'sk-1']), /--stt-key needs --stt-url/);
  assert.match(error([], { CCPTY_TTS_VOICE: 'nova' }), /--tts-voice needs --tts-url/);
  assert.match(error(['--stt-url', 'https://x/v1', '--stt-key', 'has space']), /--stt-key must be 1-512 printable/);
  assert.match(error(['--stt-url', 'https://x/v1', '--stt-key', 'sk\r\nX-Evil: 1']), /--stt-key must be/);
  assert.match(error(['--stt-url', 'https://x/v1', '--stt-language', 'english']), /ISO-639-1/);
  assert.match(error(['--tts-url', 'https://x/v1', '--tts-format', 'pcm']), /one of mp3, opus, aac, flac, wav/);
  assert.match(error(['--tts-url', 'https://x/v1', '--tts-model', 'a b']), /--tts-model/);
});
