import { Router } from 'express';
import type { MetricsService } from '../../services/metrics.js';
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
      const { ready, checks, problems } = await ctx.health.readiness();
      if (ready) {
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
export function metricsRoutes(metrics: MetricsService): RouteModule {
  const router = Router();
  router.get(
    '/metrics',
    handle(async (_req, res) => {
      res.type(metrics.contentType).send(await metrics.text());
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
