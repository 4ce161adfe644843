/** The command-line arguments of the evaluation scripts (`npm run eval:*`). */

/** A mistyped argument: the script prints the message alone and exits with status 2. */
export class UsageError extends Error {}

/** `--name`'s value as a whole number of at least `min`. */
export function wholeNumber(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  return Number(text);
}
