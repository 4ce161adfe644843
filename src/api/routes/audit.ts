import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext, RouteModule } from '../context.js';
import { allow, handle, parse } from '../http.js';
import { op } from '../openapi.js';

const listQuery = z.object({
  subject: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export function auditRoutes(ctx: ApiContext): RouteModule {
  const router = Router();
  router.get(
    '/audit',
    allow('curator', 'reviewer'),
    handle(async (req, res) => {
      res.json({ entries: await ctx.audit.list(parse(listQuery, req.query, 'query')) });
    }),
  );
  return {
    prefix: '/v1',
    router,
    paths: {
      '/v1/audit': {
        get: op('The audit log of registry changes and review decisions, newest first', {
          tag: 'audit',
          roles: ['curator', 'reviewer'],
          query: {
            subject: { type: 'string', description: 'e.g. person:enver-bekirov or check:<id>' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
          },
          responses: {
            200: {
              description: 'Entries',
              schema: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object' } } } },
            },
          },
        }),
      },
    },
  };
}
