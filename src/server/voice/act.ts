/**
 * A transcript applied to a session (`transcribe?act=1`): the shared spoken-answer table decides
 * what it means in the session's current state, and the command goes through the one door
 * (`execute`) with the caller's role, like any other client command.
 */
import type { ServerMessage } from '../../shared/protocol.js';
import { spokenAction, type SpokenAction, type SpokenContext } from '../../shared/voice-answers.js';
import { execute, newCaller, type CommandResult, type CommandTarget, type Role, type SessionDirectory } from '../sessions/commands.js';

export type ActOutcome =
  /** The session is unknown (or the state could not be read): nothing was decided. */
  | { kind: 'refused'; result: CommandResult & { ok: false } }
  /** What the words meant, and what executing it answered (null: nothing to execute). */
  | { kind: 'decided'; action: SpokenAction; result: CommandResult | null };

/** The state a state message tells, as the table needs it. */
export function spokenContext(m: ServerMessage | undefined): SpokenContext {
  switch (m?.type) {
    case 'session_pending':
      return { state: 'pending', pending: { kind: m.kind, options: m.options } };
    case 'session_idle':
      return { state: 'idle', pending: null };
    case 'session_ended':
      return { state: 'stopped', pending: null };
    default:
      return { state: 'running', pending: null };
  }
}

export async function actOnTranscript<S extends CommandTarget>(registry: SessionDirectory<S>, role: Role, sessionId: string, text: string): Promise<ActOutcome> {
  const caller = newCaller<S>(role);
  // The state as a client asking now would see it (waits briefly for a dialog being drawn).
  const current = await execute(registry, caller, sessionId, { type: 'get_current_state' });
  if (!current.ok) return { kind: 'refused', result: current };
  const action = spokenAction(text, spokenContext(current.reply));
  switch (action.kind) {
    case 'prompt':
      return { kind: 'decided', action, result: await execute(registry, caller, sessionId, { type: 'input', input: action.text }) };
    case 'select':
      return { kind: 'decided', action, result: await execute(registry, caller, sessionId, { type: 'select', index: action.index }) };
    case 'cancel':
      return { kind: 'decided', action, result: await execute(registry, caller, sessionId, { type: 'cancel' }) };
    case 'none':
      return { kind: 'decided', action, result: null };
  }
}
