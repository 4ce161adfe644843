import { z } from 'zod';
import { type Route, route } from '../route.js';
import { errorBody } from '../schemas.js';

const tag = 'health';
const dependencyChecks = z
  .record(z.string(), z.string())
  .meta({ description: 'database, redis, models: "ok" or what is wrong, e.g. "no worker with models loaded"' });

/** Liveness and readiness need no API key, so that orchestrators can probe them. */
export const healthRoutes: Route[] = [
  route({
    method: 'get',
    path: '/healthz',
    tag,
    summary: 'Liveness: the API process answers',
    access: 'public',
    responses: { 200: { description: 'Alive', schema: z.strictObject({ status: z.literal('ok') }) } },
    handle(_ctx, _input, res) {
      res.json({ status: 'ok' });
    },
  }),
  route({
    method: 'get',
    path: '/readyz',
    tag,
    summary: 'Readiness: PostgreSQL, Redis, and at least one worker with its models loaded',
    access: 'public',
    responses: {
      200: { description: 'Ready', schema: z.strictObject({ status: z.literal('ready'), checks: dependencyChecks }) },
      503: { description: 'Not ready, with what is missing', schema: errorBody.extend({ checks: dependencyChecks }) },
    },
    async handle(ctx, _input, res) {
      const { ready, checks, problems } = await ctx.health.readiness();
      if (ready) {
        res.json({ status: 'ready', checks });
        return;
      }
      res.status(503).json({ error: { code: 'SERVICE_UNAVAILABLE', message: `not ready: ${problems.join('; ')}` }, checks });
    },
  }),
];

/** Prometheus metrics; they need an API key like the rest (Prometheus sends it with `authorization`). */
export const metricsRoutes: Route[] = [
  route({
    method: 'get',
    path: '/metrics',
    tag,
    summary: 'Prometheus metrics: queue depth, job durations, checks by status, verdict counts',
    access: 'any',
    responses: { 200: { description: 'Prometheus text format', content: ['text/plain'] } },
    async handle(ctx, _input, res) {
      const text = await ctx.metrics.text();
      res.type(ctx.metrics.contentType).send(text);
    },
  }),
];
