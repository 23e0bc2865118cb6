/**
 * The error catalogue: every error code the server can send, in one place (`session_error`
 * frames, REST error bodies, refused WebSocket upgrades). Clients switch on these; never rename
 * one. Each code carries the HTTP status it is answered with and the WebSocket close code used
 * when it ends a socket. Everything else refers to a code through `E`, never by a literal.
 */
export const ERRORS = {
  /** No session with this id (or not yet created). */
  session_not_found: { status: 404, close: 4404 },
  /** A frame or body that is not a valid message, a bad id, an option that does not exist. */
  invalid_input: { status: 400, close: 4400 },
  /** A valid message the session's state does not accept (e.g. `input` while a dialog waits). */
  invalid_input_for_state: { status: 409, close: 4409 },
  /** The server failed; the message may not have been applied. */
  internal_error: { status: 500, close: 1011 },
  /**
   * Input to a stopped session whose last two runs each exited within seconds of starting: it
   * is not restarted by input (a terminal's automatic replies would relaunch it in a loop);
   * only an explicit `create_session` starts it.
   */
  restart_blocked: { status: 409, close: 4409 },
  /** A credential, but not for this: a view-only link acting, a link beyond its session, a foreign Origin. */
  forbidden: { status: 403, close: 4403 },
  /** A server limit (running sessions, viewers per session) was reached. */
  limit_exceeded: { status: 429, close: 4429 },
  /** No valid credential (or an expired share link). */
  unauthorized: { status: 401, close: 4401 },
  /** The Host header does not name this server (DNS rebinding). */
  misdirected: { status: 421, close: 4421 },
  /** Too many failed credentials lately. */
  rate_limited: { status: 429, close: 4429 },
  /** No such route or resource (not a session). */
  not_found: { status: 404, close: 4404 },
  method_not_allowed: { status: 405, close: 4405 },
  /** Voice: an upload that is not audio/wav, audio/webm, audio/ogg or audio/mpeg. */
  unsupported_media_type: { status: 415, close: 4415 },
  /** Voice: no speech-to-text server is configured (--stt-url). */
  stt_not_configured: { status: 503, close: 4503 },
  /** Voice: no text-to-speech server is configured (--tts-url); a browser reads with its own voice. */
  tts_not_configured: { status: 503, close: 4503 },
  /** Voice: the speech server (speech-to-text or text-to-speech) could not be reached. */
  upstream_unreachable: { status: 502, close: 4502 },
  /** Voice: the speech server did not answer in time. */
  upstream_timeout: { status: 504, close: 4504 },
  /** Voice: the speech server refused for its rate limit or quota. */
  upstream_rate_limited: { status: 429, close: 4429 },
  /** Voice: the speech server answered with an error, or with no transcript or audio. */
  upstream_error: { status: 502, close: 4502 },
} as const satisfies Record<string, { status: number; close: number }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** `E.invalid_input === 'invalid_input'`: the way code refers to an error code. */
export const E = Object.fromEntries(ERROR_CODES.map((c) => [c, c])) as { readonly [K in ErrorCode]: K };

/** The HTTP status a code is answered with. */
export function httpStatus(code: ErrorCode): number {
  return ERRORS[code].status;
}

/** The WebSocket close code for a socket ended with this error. */
export function closeCode(code: ErrorCode): number {
  return ERRORS[code].close;
}

/**
 * The echokit-state variant spells `internal_error` as echokit_pty's serde variant name
 * (`InternalError`, no rename); its clients decode that spelling only.
 */
export const ECHOKIT_INTERNAL_ERROR = 'InternalError';
