/**
 * What every command of the command-line tool shares: its exit status, handed to main, and the
 * usage error, a VALIDATION error after which main shows the command's usage.
 */
import type { Command } from 'commander';
import { AppError } from '../errors.js';

/** A mistake in the command line itself (an unknown or missing option, a malformed value). */
export class UsageError extends AppError {
  constructor(message: string) {
    super('VALIDATION', message);
    this.name = 'UsageError';
  }
}

const statuses = new WeakMap<Command, number>();

const rootOf = (command: Command): Command => (command.parent ? rootOf(command.parent) : command);

/** Records the exit status of the command that ran: 0 done and nothing flagged, 1 something flagged, 2 a usage or input error. */
export function setExitStatus(command: Command, status: number): void {
  statuses.set(rootOf(command), status);
}

export function exitStatus(program: Command): number | undefined {
  return statuses.get(program);
}

/** The words that name a command after the program's: "check", "registry push"; "" for the program. */
export function commandPath(command: Command): string {
  return command.parent ? [commandPath(command.parent), command.name()].filter((word) => word !== '').join(' ') : '';
}

/** The help's closing lines on exit status, for the commands that check images. */
export const checkExitStatus = `
Exit status: 0 nothing flagged, 1 something flagged (or an image could not be checked),
2 a usage or input error.`;
