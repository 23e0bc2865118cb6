/**
 * Error answers on each transport, from the one catalogue (src/shared/errors.ts): a REST error
 * body, a `session_error` as an HTTP answer, and a refused WebSocket upgrade.
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { E, httpStatus, type ErrorCode } from '../shared/errors.js';
import type { SessionErrorMessage } from '../shared/protocol.js';
import { sendJson } from './http/json.js';

export { E };

/** `{error_code, error_message}` with the code's status (or `status` where a code has a finer one, e.g. 413). */
export function sendHttpError(res: ServerResponse, code: ErrorCode, message: string, status = httpStatus(code)): void {
  if (code === E.unauthorized) res.setHeader('WWW-Authenticate', 'Bearer realm="ccpty"');
  sendJson(res, status, { error_code: code, error_message: message });
}

/** A `session_error` message as the body of an HTTP answer, with its code's status. */
export function sendSessionError(res: ServerResponse, err: SessionErrorMessage, status = httpStatus(err.error_code)): void {
  sendJson(res, status, err);
}

/** Refuses a WebSocket upgrade with a plain HTTP answer whose body is a `session_error`. */
export function rejectUpgrade(socket: Duplex, code: ErrorCode, message: string): void {
  const status = httpStatus(code);
  const body = JSON.stringify({ type: 'session_error', session_id: '', error_code: code, error_message: message });
  const auth = code === E.unauthorized ? 'WWW-Authenticate: Bearer realm="ccpty"\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${auth}X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
