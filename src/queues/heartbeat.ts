import os from 'node:os';
import type { Redis } from 'ioredis';

export interface WorkerHeartbeat {
  id: string;
  model: string;
  backend: string;
  threads: number;
  at: string;
}

const key = (prefix: string, id: string) => `${prefix}:workers:${id}`;

/** A worker says every few seconds that it is alive with its models loaded; the key lapses when it stops. */
export async function startHeartbeat(
  redis: Redis,
  prefix: string,
  info: Omit<WorkerHeartbeat, 'id' | 'at'>,
  ttlSeconds: number,
): Promise<{ id: string; stop(): Promise<void> }> {
  const id = `${os.hostname()}-${process.pid}`;
  const beat = () =>
    redis.set(key(prefix, id), JSON.stringify({ ...info, id, at: new Date().toISOString() }), 'EX', ttlSeconds).catch(() => undefined);
  await beat();
  const timer = setInterval(beat, (ttlSeconds * 1000) / 3);
  timer.unref();
  return {
    id,
    async stop() {
      clearInterval(timer);
      await redis.del(key(prefix, id)).catch(() => undefined);
    },
  };
}

export async function liveWorkers(redis: Redis, prefix: string): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', key(prefix, '*'), 'COUNT', 100);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(keys);
  return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as WorkerHeartbeat);
}
