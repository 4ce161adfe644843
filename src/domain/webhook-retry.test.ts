import { describe, expect, it } from 'vitest';
import { backoffDelay, retryDelay, worstCaseSpanMs } from './webhook-retry.js';

const defaults = { baseMs: 60_000, maxAttempts: 14 };

describe('webhook retry schedule', () => {
  it('doubles from the base, with jitter of at most a fifth either way', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(defaults, attempt, () => 0.5))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(backoffDelay(defaults, 1, () => 0)).toBe(48_000);
    expect(backoffDelay(defaults, 1, () => 1)).toBe(72_000);
  });

  it('stops doubling at 256 times the base', () => {
    expect(backoffDelay(defaults, 9, () => 0.5)).toBe(256 * 60_000);
    expect(backoffDelay(defaults, 13, () => 0.5)).toBe(256 * 60_000);
  });

  it('with the defaults, gives up after about a day (between 20 and 31 hours)', () => {
    const hours = worstCaseSpanMs(defaults) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(31);
  });

  it('waits as long as Retry-After asks, but not beyond the longest backoff', () => {
    expect(retryDelay(defaults, 1, 10 * 60_000, () => 0.5)).toBe(10 * 60_000);
    expect(retryDelay(defaults, 1, 1_000, () => 0.5)).toBe(60_000);
    expect(retryDelay(defaults, 1, 7 * 24 * 3_600_000, () => 0.5)).toBe(256 * 60_000);
  });
});
