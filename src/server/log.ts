import pino from 'pino';

export type Logger = pino.Logger;

/** JSON lines on stderr; stdout is kept for the one line that tells the URL. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: false }));
}
