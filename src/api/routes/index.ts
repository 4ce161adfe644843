import { z } from 'zod';
import { openApiDocument } from '../openapi.js';
import { type Route, route } from '../route.js';
import { auditRoutes } from './audit.js';
import { batchRoutes } from './batches.js';
import { checkRoutes } from './checks.js';
import { healthRoutes, metricsRoutes } from './health.js';
import { peopleRoutes } from './people.js';
import { webhookRoutes } from './webhooks.js';

let document: Record<string, unknown> | undefined;

const openApiRoute = route({
  method: 'get',
  path: '/openapi.json',
  tag: 'health',
  summary: 'This document',
  access: 'public',
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document, generated from the schemas the routes validate with',
      schema: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
    },
  },
  handle(_ctx, _input, res) {
    document ??= openApiDocument(allRoutes, '1');
    res.json(document);
  },
});

/** Served before the API-key check: probes and this document. */
export const openRoutes: Route[] = [...healthRoutes, openApiRoute];

/** Served behind the API-key check; a new group is one entry here. */
export const guardedRoutes: Route[] = [...metricsRoutes, ...peopleRoutes, ...checkRoutes, ...batchRoutes, ...auditRoutes, ...webhookRoutes];

/** Every route the API serves, in the order they are matched. */
export const allRoutes: Route[] = [...openRoutes, ...guardedRoutes];
