import type { Redis } from 'ioredis';
import { describeError } from '../errors.js';
import { liveWorkers } from '../queues/heartbeat.js';
import type { Store } from '../store/index.js';

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
    private readonly store: Pick<Store, 'ping'>,
    private readonly redis: Redis,
    private readonly queuePrefix: string,
  ) {}

  async readiness(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    const problems: string[] = [];
    await this.store.ping().then(
      () => {
        checks.database = 'ok';
      },
      (error: unknown) => {
        checks.database = `unreachable: ${describeError(error)}`;
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
      checks.redis = `unreachable: ${describeError(error)}`;
      problems.push('Redis is unreachable');
    }
    return { ready: problems.length === 0, checks, problems };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
