import { z } from 'zod';
import { type Route, route } from '../route.js';
import { auditEntry } from '../schemas.js';

const listQuery = z.object({
  subject: z.string().optional().meta({ description: 'e.g. person:enver-bekirov or check:<id>' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const auditRoutes: Route[] = [
  route({
    method: 'get',
    path: '/v1/audit',
    tag: 'audit',
    summary: 'The audit log of registry changes and review decisions, newest first',
    access: ['curator', 'reviewer'],
    query: listQuery,
    responses: { 200: { description: 'Entries', schema: z.strictObject({ entries: z.array(auditEntry) }) } },
    async handle(ctx, { query }, res) {
      res.json({ entries: await ctx.audit.list(query) });
    },
  }),
];
