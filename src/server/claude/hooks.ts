/**
 * Claude Code hooks: the `--settings` JSON that makes every hook run our relay, and the
 * validation of what the relay posts back. Settings given with --settings are merged with the
 * user's own, so hooks the user already has keep working.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const HOOK_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'Notification',
  'PostToolUse',
  'Stop',
  'StopFailure',
  'SessionEnd',
] as const;

/** Events whose hooks are chosen by tool name (they take a matcher). */
const TOOL_EVENTS = new Set(['PreToolUse', 'PermissionRequest', 'PostToolUse']);

export const HOOK_SECRET_HEADER = 'x-ccpty-hook-secret';

export function relayScriptPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'hook-relay.js');
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The value of `--settings`: one command hook per event, running `interpreter relayPath`. */
export function hookSettings(interpreter: string, relayPath: string): string {
  const command = `${shellQuote(interpreter)} ${shellQuote(relayPath)}`;
  const hooks: Record<string, unknown[]> = {};
  for (const event of HOOK_EVENTS) {
    const entry = { hooks: [{ type: 'command', command, timeout: 10 }] };
    hooks[event] = [TOOL_EVENTS.has(event) ? { matcher: '*', ...entry } : entry];
  }
  return JSON.stringify({ hooks });
}

/** What we read of a hook payload; everything else is passed over. */
export const hookPayload = z
  .object({
    hook_event_name: z.string().max(64),
    session_id: z.string().max(128).optional(),
    transcript_path: z.string().max(4096).optional(),
    cwd: z.string().max(4096).optional(),
    prompt: z.string().optional(),
    tool_name: z.string().max(256).optional(),
    tool_input: z.unknown().optional(),
    tool_use_id: z.string().max(256).optional(),
    tool_response: z.unknown().optional(),
    notification_type: z.string().max(64).optional(),
    message: z.string().optional(),
    error: z.unknown().optional(),
    source: z.string().max(64).optional(),
    reason: z.string().max(128).optional(),
  })
  .passthrough();

export type HookPayload = z.infer<typeof hookPayload>;

const MAX_TOOL_JSON = 256 * 1024;

/**
 * A value that can be sent on to clients: JSON.stringify throws (RangeError) on a deeply nested
 * value, and that would happen later inside a timer, where nothing catches it.
 */
export function sendable(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    if (text === undefined || text.length <= MAX_TOOL_JSON) return value ?? null;
    return { truncated: `${text.slice(0, MAX_TOOL_JSON)}…` };
  } catch {
    return { unserializable: true };
  }
}
