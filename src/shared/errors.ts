/** Stable error codes. Clients switch on these; never rename one. */
export const ERROR_CODES = [
  'session_not_found',
  'invalid_input',
  'invalid_input_for_state',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
