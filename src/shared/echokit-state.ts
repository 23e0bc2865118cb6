/**
 * The `echokit-state` protocol variant (`/echokit/ws/{id}`, `/ws/{id}?protocol=echokit-state`):
 * exactly the frames the EchoKit server's Claude bridge decodes (second-state/echokit_server,
 * `src/services/ws/stable/claude.rs`), nothing else. It decodes every text frame strictly
 * (serde, internally tagged) and ends the device's session on an unknown `type`, `state` or
 * `error_code`, and on any `session_error`; so what it could not decode is not sent, and one
 * dialog is one `PreUseTool is_pending: true`. Chosen per connection, never guessed.
 */
import { E, ECHOKIT_INTERNAL_ERROR } from './errors.js';
import type { ServerMessage } from './protocol.js';

interface UseTool {
  id: string;
  name: string;
  input: unknown;
  done: boolean;
}

export type CurrentState =
  | { state: 'Idle' }
  | { state: 'Output'; output: string; is_thinking: boolean }
  | { state: 'PreUseTool'; request: UseTool[]; is_pending: boolean }
  | { state: 'StopUseTool'; is_error: boolean };

export interface SessionStateMessage {
  type: 'session_state';
  session_id: string;
  current_state: CurrentState;
}

/** The `error_code`s the bridge decodes (with the fields each requires). */
const DECODED_ERRORS = new Set<string>([E.session_not_found, E.invalid_input, E.invalid_input_for_state, E.internal_error]);

/** Whether the bridge can take this error at all; others are refused earlier (at the upgrade) or absorbed. */
export function echokitDecodesError(code: string): boolean {
  return DECODED_ERRORS.has(code);
}

/**
 * An encoder for one connection: maps each ccpty message to its echokit-state frame, or null
 * for messages that variant does not have (`session_running`: running is simply not announced;
 * a second `session_pending` of a dialog already announced).
 */
export function echokitEncoder(): (m: ServerMessage) => object | null {
  /** The dialog last announced as PreUseTool is_pending (its tool call). */
  let announced: string | null = null;
  return (m) => {
    const state = (current_state: CurrentState): SessionStateMessage => ({ type: 'session_state', session_id: m.type === 'session_pty_output' ? '' : sessionIdOf(m), current_state });
    switch (m.type) {
      case 'session_pty_output':
        return { type: m.type, output: m.output };
      case 'session_ended':
        announced = null;
        return { type: m.type, session_id: m.session_id };
      case 'session_idle':
        announced = null;
        return state({ state: 'Idle' });
      case 'session_running':
      case 'session_size': // a ccpty extension that client cannot decode
        return null;
      case 'session_output':
        return state({ state: 'Output', output: m.output, is_thinking: m.is_thinking });
      case 'session_pending': {
        // Updates of the same dialog (options scrolled into view, the next question of one
        // call) are not a new prompt for the device: it has answered, or is answering.
        const key = m.tool_use_id ?? `${m.tool_name}\u0000${JSON.stringify(m.tool_input)}`;
        if (key === announced) return null;
        announced = key;
        return state({ state: 'PreUseTool', request: [{ id: m.tool_use_id ?? '', name: m.tool_name, input: m.tool_input ?? null, done: false }], is_pending: true });
      }
      case 'session_tool_request':
        return state({ state: 'PreUseTool', request: [{ id: m.tool_use_id ?? '', name: m.tool_name, input: m.tool_input ?? null, done: false }], is_pending: false });
      case 'session_tool_result':
        if (m.tool_use_id && m.tool_use_id === announced) announced = null;
        return state({ state: 'StopUseTool', is_error: m.is_error });
      case 'session_error': {
        if (!echokitDecodesError(m.error_code)) return null;
        const base = { type: m.type, session_id: m.session_id };
        switch (m.error_code) {
          case E.session_not_found:
            return { ...base, error_code: m.error_code };
          case E.invalid_input_for_state:
            return { ...base, error_code: m.error_code, error_state: m.error_state ?? '', error_input: m.error_input ?? '' };
          case E.internal_error:
            // echokit_pty's InternalError variant has no serde rename; its clients expect this spelling.
            return { ...base, error_code: ECHOKIT_INTERNAL_ERROR, error_message: m.error_message ?? '' };
          default:
            return { ...base, error_code: m.error_code, error_message: m.error_message ?? '' };
        }
      }
      default:
        return m; // hello / pong: only ever replies to a client that asked for them
    }
  };
}

function sessionIdOf(m: ServerMessage): string {
  return 'session_id' in m ? m.session_id : '';
}
