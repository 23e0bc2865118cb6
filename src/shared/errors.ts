/** Stable error codes. Clients switch on these; never rename one. */
export const ERROR_CODES = [
  'session_not_found',
  'invalid_input',
  'invalid_input_for_state',
  'internal_error',
  // Access control: a view-only share link tried to act, or a link used beyond its session.
  'forbidden',
  // A server limit (running sessions, viewers per session) was reached.
  'limit_exceeded',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Error codes of HTTP answers that are not about a session (bodies `{error_code, error_message}`). */
export const HTTP_ERROR_CODES = [
  'unauthorized', // 401: no valid credential
  'forbidden', // 403: a credential, but not for this (or a foreign Origin, or hook checks)
  'misdirected', // 421: the Host header does not name this server (DNS rebinding)
  'rate_limited', // 429: too many failed credentials from this address
  'not_found',
  'method_not_allowed',
  'invalid_input',
  'internal_error',
] as const;
