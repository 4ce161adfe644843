/**
 * When a failed delivery is tried again: exponential backoff with jitter, spread over about a day
 * (with the default one-minute base: 1, 2, 4, ... 128 minutes, then every 256 minutes, 14 attempts
 * in about 25 hours), after which the delivery is marked failed.
 */
export interface RetryPolicy {
  /** The wait before the first retry; each later wait doubles. */
  baseMs: number;
  /** Attempts in all, the first one included. */
  maxAttempts: number;
}

/** Waits stop doubling after this many doublings (256 × base: about four hours with the default base). */
const maxDoublings = 8;
/** ±20 %: receivers that failed together are not all retried at the same moment. */
const jitter = 0.2;
/** A Retry-After beyond this is not waited for in full: the retry comes at the longest backoff. */
const retryAfterCeiling = (policy: RetryPolicy) => policy.baseMs * 2 ** maxDoublings;

/** The wait after the given failed attempt (1 = the first). */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const nominal = policy.baseMs * 2 ** Math.min(Math.max(failedAttempt - 1, 0), maxDoublings);
  return Math.round(nominal * (1 - jitter + 2 * jitter * random()));
}

/** The wait before the next attempt: the backoff, or longer when the receiver asked for it with Retry-After. */
export function retryDelay(
  policy: RetryPolicy,
  failedAttempt: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelay(policy, failedAttempt, random);
  if (retryAfterMs === null) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, retryAfterCeiling(policy)));
}

/** The longest a delivery can keep retrying (about a day with the defaults, as the README says; its unit test checks the span). */
export function worstCaseSpanMs(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += backoffDelay(policy, attempt, () => 1);
  return total;
}
