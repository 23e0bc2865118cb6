/**
 * What each client action does to a session, checked against its state (DESIGN.md §7).
 * Shared by the WebSocket channel and `POST /api/{id}/input`, so both answer alike.
 */
import type { ErrorCode } from '../../shared/errors.js';
import { sessionError, type SessionAction, type SessionErrorMessage } from '../../shared/protocol.js';
import type { Session } from './session.js';
import { actionAllowed } from './state-machine.js';

export type ActionResult = { ok: true } | { ok: false; error: SessionErrorMessage };

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  session_not_found: 404,
  invalid_input_for_state: 409,
  internal_error: 500,
  forbidden: 403,
  limit_exceeded: 429,
};

const ESC = '\x1b';
const ENTER = '\r';

const PASTE_MARKER = /\x1b\[20[01]~/g;

/** Removes paste markers until none is left (removing one can join the halves of another). */
function stripPasteMarkers(text: string): string {
  let prev: string;
  do {
    prev = text;
    text = text.replace(PASTE_MARKER, '');
  } while (text !== prev);
  return text;
}

/**
 * The keys that type `text` (without the Enter that submits it), as a terminal's paste would
 * send them. Paste markers inside the text are removed: they would end a bracketed paste early
 * and turn the rest into keystrokes.
 */
export function inputKeys(text: string, bracketedPaste: boolean): string {
  const clean = stripPasteMarkers(text);
  if (!/[\r\n]/.test(clean)) return clean;
  // Several lines are one submission: a bracketed paste where the program asked for it,
  // else newlines become CR like a terminal's paste does.
  return bracketedPaste ? `\x1b[200~${clean}\x1b[201~` : clean.replace(/\r?\n/g, '\r');
}

export interface ActionOptions {
  /**
   * echokit-state connections: `input` only types (the EchoKit server presses Enter with a
   * `confirm` 300 ms later), and `confirm` at the prompt submits.
   */
  echokitInput?: boolean;
}

export async function applyAction(session: Session, msg: SessionAction, opts: ActionOptions = {}): Promise<ActionResult> {
  const refuse = (): ActionResult => ({
    ok: false,
    error: sessionError(session.id, 'invalid_input_for_state', {
      error_message: `"${msg.type}" is not accepted while the session is ${session.state}`,
      error_state: session.state,
      error_input: msg.type,
    }),
  });
  const failed = (error_message: string): ActionResult => ({ ok: false, error: sessionError(session.id, 'internal_error', { error_message }) });

  switch (msg.type) {
    case 'create_session':
      session.start();
      return { ok: true };
    case 'resize':
      session.resize(msg.cols, msg.rows);
      return { ok: true };
    case 'input':
    case 'bytes_input': {
      // Input to a stopped session resumes it first, then types once it is ready.
      if (!session.isRunning) session.start();
      if (!session.isReady) await session.whenReady();
      if (!session.isRunning) return failed('the session exited before the input could be typed');
      if (!actionAllowed(session.state, msg.type)) return refuse();
      if (msg.type === 'bytes_input') {
        session.write(typeof msg.input === 'string' ? msg.input : Buffer.from(msg.input));
      } else if (opts.echokitInput) {
        session.notePrompt(msg.input);
        session.write(inputKeys(msg.input, session.bracketedPaste));
      } else {
        await session.typeAndSubmit(inputKeys(msg.input, session.bracketedPaste), ENTER, msg.input);
      }
      return { ok: true };
    }
    case 'cancel':
      if (!session.isRunning || !actionAllowed(session.state, 'cancel')) return refuse();
      session.write(ESC);
      return { ok: true };
    case 'confirm': {
      if (opts.echokitInput && session.isRunning && (session.state === 'idle' || session.state === 'running')) {
        session.write(ENTER); // submits what `input` typed
        return { ok: true };
      }
      if (!session.isRunning || !actionAllowed(session.state, 'confirm')) return refuse();
      if (!session.claude) {
        session.write(ENTER);
        return { ok: true };
      }
      return (await session.claude.pressInDialog(ENTER)) ? { ok: true } : failed('the permission dialog did not take the key');
    }
    case 'select': {
      if (!session.isRunning || !actionAllowed(session.state, 'select')) return refuse();
      const options = (await session.claude?.awaitDialog()) ?? session.pending?.options ?? [];
      if (msg.index >= options.length) {
        return {
          ok: false,
          error: sessionError(session.id, 'invalid_input', {
            error_message: `option ${msg.index} does not exist; the prompt shows ${options.length} option(s), 0-based`,
          }),
        };
      }
      // Claude Code's permission dialog takes an option's number at once (1-9).
      const keys = selectKeys(msg.index);
      if (!session.claude) {
        session.write(keys);
        return { ok: true };
      }
      return (await session.claude.pressInDialog(keys)) ? { ok: true } : failed('the permission dialog did not take the key');
    }
  }
}

/** The keys that choose option `index` (0-based): its digit, or Down from the top and Enter. */
export function selectKeys(index: number): string {
  return index < 9 ? String(index + 1) : `${'\x1b[B'.repeat(index)}${ENTER}`;
}
