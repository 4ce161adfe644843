import { isAppError } from '../errors.js';
import type { Log } from './log.js';

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

/**
 * The one graceful shutdown of every process: on SIGTERM or SIGINT (once; a second signal is
 * ignored while closing) it says what it finishes, runs close, and exits 0, or 1 if closing failed.
 */
export function stopOnSignal(log: Log, finishing: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: ${finishing}`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log('error', 'shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
