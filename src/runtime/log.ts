import { pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the services and workers log through: a level, a sentence, and fields. */
export type Log = ((level: LogLevel, message: string, fields?: Record<string, unknown>) => void) & {
  /** The pino logger underneath, for libraries that take one (pino-http's request log). */
  readonly logger: pino.Logger;
};

/**
 * One JSON line per event on stderr, so stdout stays free for a command's own output:
 * `{"level":"info","time":"2026-…Z","component":"api","message":"…",…fields}`.
 */
export function createLog(component: string, minimum: LogLevel | 'silent'): Log {
  const logger = pino(
    {
      level: minimum,
      base: { component },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (fields) logger[level](fields, message);
    else logger[level](message);
  };
  return Object.assign(log, { logger });
}
