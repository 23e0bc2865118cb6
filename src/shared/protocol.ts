/**
 * The wire protocol: EchoKit PTY messages plus ccpty's additive extensions.
 * Used by the server and the browser alike, so: no node:*, no DOM. `docs/protocol.md` is the
 * human contract for everything here; change both together.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { MAX_CLIENT_FRAME_BYTES } from './flow.js';
import type { PendingTool, SessionStateName } from './state.js';

const MAX_TERMINAL_DIM = 1000;

/** Checked with one loop: zod's per-element checks cost ~100 ms for a 1 MiB frame. */
const byteArray = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255),
  { message: 'expected an array of byte values (0-255)' },
);

/** Client → server. Extra fields are ignored so that newer clients keep working. */
const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('create_session') }),
  z.object({ type: z.literal('get_current_state') }),
  z.object({ type: z.literal('input'), input: z.string() }),
  // EchoKit sends `bytes` as a JSON array of numbers; a string is taken as UTF-8 text.
  z.object({ type: z.literal('bytes_input'), input: z.union([byteArray, z.string()]) }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('confirm') }),
  z.object({ type: z.literal('select'), index: z.number().int().min(0) }),
  // Extensions (ccpty): optional for every client.
  z.object({
    type: z.literal('resize'),
    cols: z.number().int().min(1).max(MAX_TERMINAL_DIM),
    rows: z.number().int().min(1).max(MAX_TERMINAL_DIM),
  }),
  z.object({
    type: z.literal('hello'),
    /** Send PTY output as binary frames instead of `session_pty_output` JSON. */
    binary: z.boolean().optional(),
    /** The client will send `ack {bytes}` after parsing output (flow control). */
    ack: z.boolean().optional(),
  }),
  z.object({ type: z.literal('ack'), bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
  z.object({ type: z.literal('ping') }),
]);

export type ClientMessage = z.infer<typeof clientMessage>;
export type ClientMessageType = ClientMessage['type'];
/** Messages that act on the session (as opposed to connection housekeeping). */
export type SessionAction = Extract<
  ClientMessage,
  { type: 'create_session' | 'input' | 'bytes_input' | 'cancel' | 'confirm' | 'select' | 'resize' }
>;

export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = clientMessage.options.map(
  (o) => o.shape.type.value,
);

export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses one text frame or HTTP body. Never throws: bad input is a value, not an exception. */
export function decodeClientMessage(text: string): Decoded<ClientMessage> {
  if (text.length > MAX_CLIENT_FRAME_BYTES) {
    return { ok: false, message: `message larger than ${MAX_CLIENT_FRAME_BYTES} bytes` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'message is not valid JSON' };
  }
  return validateClientMessage(raw);
}

/**
 * echokit_pty also accepts its serde variant names, and the EchoKit server sends those
 * (`{"type":"CreateSession"}`), so they are aliases of the snake_case names.
 */
const TYPE_ALIASES: Readonly<Record<string, ClientMessageType>> = {
  CreateSession: 'create_session',
  CurrentState: 'get_current_state',
  GetCurrentState: 'get_current_state',
  Input: 'input',
  BytesInput: 'bytes_input',
  Cancel: 'cancel',
  Confirm: 'confirm',
  Select: 'select',
};

/** The message's type (aliases resolved) without validating the rest: for cheap refusals. */
export function peekType(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const t = (raw as { type?: unknown }).type;
  if (typeof t !== 'string') return null;
  return (Object.hasOwn(TYPE_ALIASES, t) ? TYPE_ALIASES[t] : undefined) ?? t;
}

export function validateClientMessage(raw: unknown): Decoded<ClientMessage> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, message: 'message must be a JSON object' };
  }
  const given = (raw as { type?: unknown }).type;
  if (typeof given !== 'string') return { ok: false, message: 'message has no string "type"' };
  const alias = Object.hasOwn(TYPE_ALIASES, given) ? TYPE_ALIASES[given] : undefined;
  const type: string = alias ?? given;
  if (alias) raw = { ...raw, type };
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, message: `unknown message type "${type.slice(0, 64)}"` };
  }
  const parsed = clientMessage.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  return { ok: false, message: `invalid "${type}" message${where}: ${issue?.message ?? 'invalid'}` };
}

/** Server → client. */
export type ServerMessage =
  | { type: 'session_pty_output'; output: string }
  /** `is_error`: not a reply but an API error ending the turn (its text). */
  | { type: 'session_output'; session_id: string; output: string; is_thinking: boolean; is_error?: boolean }
  | { type: 'session_ended'; session_id: string; exit_code?: number | null; exit_signal?: string | null }
  | { type: 'session_running'; session_id: string; prompt?: string }
  | { type: 'session_idle'; session_id: string }
  | ({ type: 'session_pending'; session_id: string } & PendingTool)
  | { type: 'session_tool_request'; session_id: string; tool_name: string; tool_input: unknown; tool_use_id?: string }
  /** `interrupted`: the call ended without its result (cut off by cancel, or declined). */
  | { type: 'session_tool_result'; session_id: string; tool_name: string; tool_use_id?: string; is_error: boolean; interrupted?: boolean }
  /** The PTY's size (ccpty): on attach, before the snapshot, and after every change. */
  | SessionSizeMessage
  | SessionErrorMessage
  | HelloReply
  | { type: 'pong' };

export interface HelloReply {
  type: 'hello';
  session_id: string;
  protocol_version: number;
  binary: boolean;
  ack: boolean;
  state: SessionStateName | 'unknown';
}

export const PROTOCOL_VERSION = 1;

/**
 * One PTY size per session, whoever watches it (DESIGN.md §8): a viewer renders exactly these
 * cols × rows (scaled or letterboxed to its window), so what it shows is never re-wrapped.
 */
export interface SessionSizeMessage {
  type: 'session_size';
  session_id: string;
  cols: number;
  rows: number;
}

export interface SessionErrorMessage {
  type: 'session_error';
  session_id: string;
  error_code: ErrorCode;
  error_message?: string;
  /** For invalid_input_for_state: the state the session was in. */
  error_state?: SessionStateName;
  /** For invalid_input_for_state: the message type that was refused. */
  error_input?: ClientMessageType;
}

export function sessionError(
  session_id: string,
  error_code: ErrorCode,
  extra: Omit<SessionErrorMessage, 'type' | 'session_id' | 'error_code'> = {},
): SessionErrorMessage {
  return { type: 'session_error', session_id, error_code, ...extra };
}

/** The message that tells a client which state a session is in. */
export function stateMessage(
  session_id: string,
  state: SessionStateName,
  pending: PendingTool | null,
  prompt: string | null = null,
): ServerMessage {
  switch (state) {
    case 'starting':
    case 'running':
      return prompt === null ? { type: 'session_running', session_id } : { type: 'session_running', session_id, prompt };
    case 'idle':
      return { type: 'session_idle', session_id };
    case 'pending':
      return pending
        ? { type: 'session_pending', session_id, ...pending }
        : { type: 'session_running', session_id };
    case 'stopped':
      return { type: 'session_ended', session_id };
  }
}
