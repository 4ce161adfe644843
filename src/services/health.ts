import type { Redis } from 'ioredis';
import type pg from 'pg';
import { liveWorkers } from '../queues/heartbeat.js';
import { describe } from '../store/db.js';

export interface Readiness {
  ready: boolean;
  /** One line per dependency: "ok", or what is wrong with it. */
  checks: Record<string, string>;
  /** What keeps the service from being ready, in an operator's words. */
  problems: string[];
}

/** Readiness: PostgreSQL answers, Redis answers, and at least one worker has its models loaded. */
export class HealthService {
  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly redis: Redis,
    private readonly queuePrefix: string,
  ) {}

  async readiness(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    const problems: string[] = [];
    await this.pool.query('select 1').then(
      () => {
        checks.database = 'ok';
      },
      (error) => {
        checks.database = `unreachable: ${describe(error)}`;
        problems.push('PostgreSQL is unreachable');
      },
    );
    try {
      await withTimeout(this.redis.ping(), 2_000);
      checks.redis = 'ok';
      const workers = await liveWorkers(this.redis, this.queuePrefix);
      checks.models =
        workers.length > 0
          ? `loaded by ${workers.length} worker(s): ${[...new Set(workers.map((worker) => worker.model))].join(', ')}`
          : 'no worker with models loaded';
      if (workers.length === 0) problems.push('no worker has its models loaded (start one with `npm run worker`)');
    } catch (error) {
      checks.redis = `unreachable: ${describe(error)}`;
      problems.push('Redis is unreachable');
    }
    return { ready: problems.length === 0, checks, problems };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
