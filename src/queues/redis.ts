import { Redis } from 'ioredis';
import { AppError, describeError, redactUrl } from '../errors.js';

/** A connection as BullMQ needs it (commands wait for reconnection instead of failing). */
export function createRedis(redisUrl: string): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  // Errors while reconnecting are retried by ioredis; readiness reports them.
  redis.on('error', () => undefined);
  return redis;
}

/** Fails with one line saying what to start when Redis cannot be reached. */
export async function ensureRedis(redisUrl: string): Promise<void> {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000 });
  // The connection error itself (ECONNREFUSED) says more than the command's "Connection is closed".
  let cause: unknown;
  probe.on('error', (error) => {
    cause ??= error;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `cannot reach Redis at ${redactUrl(redisUrl)} (${describeError(cause ?? error)}): start Redis or set REDIS_URL`,
    );
  } finally {
    probe.disconnect();
  }
}

/** Deletes every key under a queue prefix: a test's or benchmark's queues when it is done with them. */
export async function removeQueues(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
