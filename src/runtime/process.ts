import { isAppError } from '../errors.js';

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

const order = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 } as const;

/** One JSON line per event on stderr, so stdout stays free for a command's own output. */
export function createLog(component: string, minimum: keyof typeof order): Log {
  return (level, message, fields) => {
    if (order[level] < order[minimum]) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, component, message, ...fields })}\n`);
  };
}

/**
 * Runs a process entry point. An expected failure (a service that is not running, a bad setting)
 * ends the process with one line saying what to do, not a stack trace.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message =
      isAppError(error) || (error instanceof Error && error.message.startsWith('invalid configuration'))
        ? (error as Error).message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`photo-verify ${name}: ${message}\n`);
    process.exit(1);
  });
}
