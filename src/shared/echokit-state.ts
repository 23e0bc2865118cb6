/**
 * The `echokit-state` protocol variant (`/ws/{id}?protocol=echokit-state`): the message form the
 * current EchoKit server client expects, `session_state {session_id, current_state}` instead of
 * separate running/idle/pending messages. Chosen per connection, never guessed.
 */
import { E, ECHOKIT_INTERNAL_ERROR } from './errors.js';
import type { ServerMessage } from './protocol.js';

export type CurrentState =
  | { state: 'Idle' }
  | { state: 'Working'; prompt: string }
  | { state: 'Output'; output: string; is_thinking: boolean }
  | { state: 'PreUseTool'; request: Array<{ id: string; name: string; input: unknown; done: boolean }>; is_pending: boolean }
  | { state: 'StopUseTool'; is_error: boolean };

export interface SessionStateMessage {
  type: 'session_state';
  session_id: string;
  current_state: CurrentState;
}

/** Maps one ccpty message to its echokit-state form (most pass through unchanged). */
export function toEchokitState(m: ServerMessage): object {
  const state = (current_state: CurrentState): SessionStateMessage => ({ type: 'session_state', session_id: sessionIdOf(m), current_state });
  switch (m.type) {
    case 'session_idle':
      return state({ state: 'Idle' });
    case 'session_running':
      return state({ state: 'Working', prompt: m.prompt ?? '' });
    case 'session_output':
      return state({ state: 'Output', output: m.output, is_thinking: m.is_thinking });
    case 'session_pending':
      return state({ state: 'PreUseTool', request: [{ id: m.tool_use_id ?? '', name: m.tool_name, input: m.tool_input, done: false }], is_pending: true });
    case 'session_tool_request':
      return state({ state: 'PreUseTool', request: [{ id: m.tool_use_id ?? '', name: m.tool_name, input: m.tool_input, done: false }], is_pending: false });
    case 'session_tool_result':
      return state({ state: 'StopUseTool', is_error: m.is_error });
    case 'session_error':
      // echokit_pty's InternalError variant has no serde rename; its clients expect this spelling.
      return m.error_code === E.internal_error ? { ...m, error_code: ECHOKIT_INTERNAL_ERROR } : m;
    default:
      return m;
  }
}

function sessionIdOf(m: ServerMessage): string {
  return 'session_id' in m ? m.session_id : '';
}
