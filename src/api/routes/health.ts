import { Router } from 'express';
import type { Registry } from 'prom-client';
import { describeError } from '../../errors.js';
import { liveWorkers } from '../../queues/heartbeat.js';
import type { ApiContext, RouteModule } from '../context.js';
import { handle } from '../http.js';
import { op } from '../openapi.js';

/** Liveness and readiness need no API key, so that orchestrators can probe them. */
export function healthRoutes(ctx: ApiContext): RouteModule {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get(
    '/readyz',
    handle(async (_req, res) => {
      const checks: Record<string, string> = {};
      const problems: string[] = [];
      await ctx.store.ping().then(
        () => {
          checks.database = 'ok';
        },
        (error: unknown) => {
          checks.database = `unreachable: ${describeError(error)}`;
          problems.push('PostgreSQL is unreachable');
        },
      );
      try {
        await withTimeout(ctx.redis.ping(), 2_000);
        checks.redis = 'ok';
        const workers = await liveWorkers(ctx.redis, ctx.config.QUEUE_PREFIX);
        checks.models =
          workers.length > 0
            ? `loaded by ${workers.length} worker(s): ${[...new Set(workers.map((worker) => worker.model))].join(', ')}`
            : 'no worker with models loaded';
        if (workers.length === 0) problems.push('no worker has its models loaded (start one with `npm run worker`)');
      } catch (error) {
        checks.redis = `unreachable: ${describeError(error)}`;
        problems.push('Redis is unreachable');
      }
      if (problems.length === 0) {
        res.json({ status: 'ready', checks });
        return;
      }
      res.status(503).json({ error: { code: 'SERVICE_UNAVAILABLE', message: `not ready: ${problems.join('; ')}` }, checks });
    }),
  );
  return {
    prefix: '',
    router,
    paths: {
      '/healthz': { get: op('Liveness: the API process answers', { tag: 'health', responses: { 200: { description: 'Alive' } } }) },
      '/readyz': {
        get: op('Readiness: PostgreSQL, Redis, and at least one worker with its models loaded', {
          tag: 'health',
          responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready, with what is missing' } },
        }),
      },
    },
  };
}

/** Prometheus metrics; they need an API key like the rest (Prometheus sends it with `authorization`). */
export function metricsRoutes(registry: Registry): RouteModule {
  const router = Router();
  router.get(
    '/metrics',
    handle(async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    }),
  );
  return {
    prefix: '',
    router,
    paths: {
      '/metrics': {
        get: op('Prometheus metrics: queue depth, job durations, checks by status, verdict counts', {
          tag: 'health',
          roles: ['curator', 'submitter', 'reviewer'],
          responses: { 200: { description: 'Prometheus text format', content: 'text/plain' } },
        }),
      },
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
