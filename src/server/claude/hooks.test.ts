import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { HOOK_EVENTS, hookPayload, hookSettings, relayScriptPath } from './hooks.js';
import { sendable } from './hooks.js';

interface CommandHook {
  type: string;
  command: string;
  timeout?: number;
}
interface Matcher {
  matcher?: string;
  hooks: CommandHook[];
}

const TOOL_EVENTS = ['PreToolUse', 'PermissionRequest', 'PostToolUse'];

function parse(settings: string): Record<string, Matcher[]> {
  const obj = JSON.parse(settings) as { hooks: Record<string, Matcher[]> };
  assert.equal(typeof obj.hooks, 'object');
  return obj.hooks;
}

test('hookSettings: every event in HOOK_EVENTS, one command hook each, matcher "*" on tool events', () => {
  const hooks = parse(hookSettings('/usr/bin/node', '/opt/ccpty/dist/src/server/claude/hook-relay.js'));
  assert.deepEqual(Object.keys(hooks).sort(), [...HOOK_EVENTS].sort());
  // The events the driver relies on (claude-code-facts.md §5) are among them.
  for (const e of ['SessionStart', 'UserPromptSubmit', 'PermissionRequest', 'Notification', 'Stop', 'StopFailure', 'SessionEnd']) {
    assert.ok((HOOK_EVENTS as readonly string[]).includes(e), e);
  }
  for (const event of HOOK_EVENTS) {
    const entries = hooks[event];
    assert.ok(Array.isArray(entries) && entries.length === 1, `${event}: one matcher entry`);
    const [entry] = entries;
    assert.ok(entry);
    if (TOOL_EVENTS.includes(event)) assert.equal(entry.matcher, '*', `${event} matcher`);
    else assert.ok(entry.matcher === undefined || entry.matcher === '*', `${event} matcher`);
    assert.equal(entry.hooks.length, 1, `${event}: one hook`);
    const [hook] = entry.hooks;
    assert.ok(hook);
    assert.equal(hook.type, 'command');
    assert.equal(hook.command, `'/usr/bin/node' '/opt/ccpty/dist/src/server/claude/hook-relay.js'`);
    if (hook.timeout !== undefined) assert.ok(hook.timeout > 0);
  }
});

test('hookSettings: is a JSON string that --settings accepts (no stray keys besides hooks)', () => {
  const s = hookSettings('/usr/bin/node', '/x/hook-relay.js');
  assert.deepEqual(Object.keys(JSON.parse(s) as object), ['hooks']);
});

/** Runs the generated command the way Claude Code does (through a shell) and returns stdout. */
function runCommand(settings: string, event: string): string {
  const hooks = parse(settings);
  const command = hooks[event]?.[0]?.hooks[0]?.command;
  assert.ok(command, event);
  return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', input: '' });
}

test('hookSettings: spaces and single quotes in paths survive the shell', () => {
  const relay = "/tmp/it's a dir/x.js";
  const settings = hookSettings('/bin/echo', relay);
  for (const event of HOOK_EVENTS) assert.equal(runCommand(settings, event), `${relay}\n`, event);
});

test('hookSettings: shell metacharacters in paths are not interpreted', () => {
  const relay = '/tmp/$HOME `id` $(id) ; & | > < * ? " \\ ~ !x/\nnext line.js';
  assert.equal(runCommand(hookSettings('/bin/echo', relay), 'Stop'), `${relay}\n`);
  // The node path is quoted the same way.
  assert.equal(fs.existsSync('/bin/echo'), true);
  const spaced = "/tmp/dir with 'quotes'";
  const command = parse(hookSettings(spaced, '/r.js')).Stop?.[0]?.hooks[0]?.command;
  assert.equal(command, `'/tmp/dir with '\\''quotes'\\''' '/r.js'`);
});

test('relayScriptPath: hook-relay.js next to hooks.js, and it exists after the build', () => {
  const p = relayScriptPath();
  assert.match(p, /[\\/]hook-relay\.js$/);
  assert.ok(fs.existsSync(p), p);
});

// The exact PermissionRequest payload from claude-code-facts.md §5.
const PERMISSION_REQUEST =
  '{"session_id":"e682aa8d-…","transcript_path":"/tmp/t/cfg/projects/-tmp-t-proj/e682aa8d-….jsonl","cwd":"/tmp/t/proj","prompt_id":"a418b984-…","permission_mode":"default","effort":{"level":"medium"},"hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"touch hello-from-tool.txt && echo hello-from-tool","description":"Print a greeting"},"permission_suggestions":[{"type":"addDirectories","directories":["/tmp/t/proj"],"destination":"session"},{"type":"setMode","mode":"acceptEdits","destination":"session"}]}';

test('hookPayload: accepts the real PermissionRequest payload and keeps unknown fields', () => {
  const raw = JSON.parse(PERMISSION_REQUEST) as Record<string, unknown>;
  const r = hookPayload.safeParse(raw);
  assert.ok(r.success, r.success ? '' : r.error.message);
  const p = r.data as Record<string, unknown>;
  assert.equal(r.data.hook_event_name, 'PermissionRequest');
  assert.equal(r.data.tool_name, 'Bash');
  assert.equal(r.data.session_id, 'e682aa8d-…');
  assert.equal(r.data.transcript_path, '/tmp/t/cfg/projects/-tmp-t-proj/e682aa8d-….jsonl');
  assert.equal(r.data.cwd, '/tmp/t/proj');
  assert.deepEqual(r.data.tool_input, { command: 'touch hello-from-tool.txt && echo hello-from-tool', description: 'Print a greeting' });
  // Unknown fields pass through untouched.
  assert.equal(p.prompt_id, 'a418b984-…');
  assert.equal(p.permission_mode, 'default');
  assert.deepEqual(p.effort, { level: 'medium' });
  assert.deepEqual(p.permission_suggestions, raw.permission_suggestions);
  assert.deepEqual(p, raw);
});

test('hookPayload: accepts the other observed payload shapes', () => {
  const base = { session_id: 's', transcript_path: '/t.jsonl', cwd: '/p' };
  const ok = [
    { ...base, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-opus-5-5' },
    { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'hi', prompt_id: 'x', permission_mode: 'default' },
    { ...base, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_response: { stdout: 'hello-from-tool', stderr: '', interrupted: false }, duration_ms: 98 },
    { ...base, hook_event_name: 'Notification', message: 'Claude needs your permission', notification_type: 'permission_prompt' },
    { ...base, hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'DONE', background_tasks: [], session_crons: [] },
    { ...base, hook_event_name: 'StopFailure', error: 'server_error', last_assistant_message: 'API Error: 500' },
    { ...base, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' },
    { hook_event_name: 'SomeFutureEvent' },
  ];
  for (const p of ok) assert.ok(hookPayload.safeParse(p).success, JSON.stringify(p));
});

test('hookPayload: rejects a payload without hook_event_name or with a non-string one', () => {
  const raw = JSON.parse(PERMISSION_REQUEST) as Record<string, unknown>;
  const { hook_event_name: _drop, ...without } = raw;
  assert.equal(hookPayload.safeParse(without).success, false);
  for (const bad of [42, null, true, {}, ['Stop'], undefined]) {
    assert.equal(hookPayload.safeParse({ ...raw, hook_event_name: bad }).success, false, JSON.stringify(bad));
  }
  for (const notObject of [null, 'Stop', 1, []]) assert.equal(hookPayload.safeParse(notObject).success, false);
});

test('sendable: a value too deep to stringify is replaced, not thrown later from a timer', () => {
  let deep: unknown = [];
  for (let i = 0; i < 50_000; i++) deep = [deep];
  assert.throws(() => JSON.stringify(deep), RangeError);
  assert.deepEqual(sendable(deep), { unserializable: true });
  assert.deepEqual(sendable({ command: 'ls' }), { command: 'ls' });
  assert.equal(sendable(undefined), null);
  const huge = sendable({ content: 'x'.repeat(300 * 1024) }) as { truncated: string };
  assert.ok(huge.truncated.length < 300 * 1024);
});
