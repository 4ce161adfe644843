import { Router } from 'express';
import { z } from 'zod';
import { eventTypes } from '../../services/webhooks/events.js';
import { defaultGraceSeconds, maxGraceSeconds } from '../../services/webhooks/service.js';
import type { ApiContext, RouteModule } from '../context.js';
import { allow, handle, parse } from '../http.js';
import { op } from '../openapi.js';

const events = z.array(z.string()).min(1);
const createEndpoint = z.object({ url: z.string().min(1), events, description: z.string().max(500).optional() }).strict();
const updateEndpoint = z
  .object({
    url: z.string().min(1).optional(),
    events: events.optional(),
    description: z.string().max(500).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
const rotateBody = z.object({ gracePeriodSeconds: z.number().int().min(0).max(maxGraceSeconds).optional() }).strict();
const deliveriesQuery = z.object({
  status: z.enum(['pending', 'succeeded', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const endpointSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string' },
    description: { type: 'string', nullable: true },
    events: { type: 'array', items: { type: 'string', enum: [...eventTypes] } },
    enabled: { type: 'boolean' },
    disabledReason: { type: 'string', nullable: true, description: 'Why the service disabled it, e.g. the receiver answered 410 Gone' },
    previousSecretExpiresAt: {
      type: 'string',
      format: 'date-time',
      nullable: true,
      description: 'Until then the previous secret signs too',
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const withSecret = {
  ...endpointSchema,
  properties: { ...endpointSchema.properties, secret: { type: 'string', description: 'whsec_...: shown only in this answer' } },
};
const attemptSchema = {
  type: 'object',
  properties: {
    attempt: { type: 'integer' },
    startedAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time', nullable: true },
    statusCode: { type: 'integer', nullable: true },
    latencyMs: { type: 'integer', nullable: true },
    error: { type: 'string', nullable: true },
    response: { type: 'string', nullable: true, description: 'The first bytes of the answer' },
  },
};
const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The webhook-id header: the same on every attempt and redelivery' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string', format: 'date-time', nullable: true },
    lastStatusCode: { type: 'integer', nullable: true },
    lastError: { type: 'string', nullable: true },
    attemptLog: { type: 'array', items: attemptSchema },
  },
};

/** Webhook endpoints: admins register and change them; reviewers (the verification team) read, test and redeliver. */
export function webhookRoutes(ctx: ApiContext): RouteModule {
  const router = Router();
  const service = ctx.webhooks;
  const admin = allow();
  const team = allow('reviewer');

  router.post(
    '/webhooks',
    admin,
    handle(async (req, res) => {
      const body = parse(createEndpoint, req.body, 'webhook');
      const created = await service.create(body);
      res.status(201).location(`/v1/webhooks/${created.id}`).json(created);
    }),
  );
  router.get(
    '/webhooks',
    team,
    handle(async (_req, res) => {
      res.json({ webhooks: await service.list() });
    }),
  );
  router.get(
    '/webhooks/:webhookId',
    team,
    handle(async (req, res) => {
      res.json(await service.get(req.params.webhookId));
    }),
  );
  router.patch(
    '/webhooks/:webhookId',
    admin,
    handle(async (req, res) => {
      res.json(await service.update(req.params.webhookId, parse(updateEndpoint, req.body, 'webhook')));
    }),
  );
  router.delete(
    '/webhooks/:webhookId',
    admin,
    handle(async (req, res) => {
      await service.delete(req.params.webhookId);
      res.status(204).end();
    }),
  );
  router.post(
    '/webhooks/:webhookId/rotate-secret',
    admin,
    handle(async (req, res) => {
      const body = parse(rotateBody, req.body ?? {}, 'rotation');
      res.json(await service.rotateSecret(req.params.webhookId, body.gracePeriodSeconds ?? defaultGraceSeconds));
    }),
  );
  router.post(
    '/webhooks/:webhookId/test',
    team,
    handle(async (req, res) => {
      res.status(202).json(await service.sendTest(req.params.webhookId));
    }),
  );
  router.get(
    '/webhooks/:webhookId/deliveries',
    team,
    handle(async (req, res) => {
      res.json(await service.deliveries(req.params.webhookId, parse(deliveriesQuery, req.query, 'query')));
    }),
  );
  router.get(
    '/webhooks/:webhookId/deliveries/:deliveryId',
    team,
    handle(async (req, res) => {
      const { body, ...delivery } = await service.delivery(req.params.webhookId, req.params.deliveryId);
      res.json({ ...delivery, payload: JSON.parse(body) });
    }),
  );
  router.post(
    '/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    team,
    handle(async (req, res) => {
      const { body: _body, ...delivery } = await service.redeliver(req.params.webhookId, req.params.deliveryId);
      res.status(202).json(delivery);
    }),
  );

  const tag = 'webhooks';
  const one = ['webhookId'];
  const reader = ['reviewer'];
  return {
    prefix: '/v1',
    router,
    paths: {
      '/v1/webhooks': {
        post: op('Register a webhook endpoint; the answer shows its signing secret once', {
          tag,
          roles: [],
          json: {
            type: 'object',
            required: ['url', 'events'],
            properties: {
              url: { type: 'string' },
              events: { type: 'array', items: { type: 'string', enum: [...eventTypes] } },
              description: { type: 'string' },
            },
          },
          responses: { 201: { description: 'Registered', schema: withSecret } },
        }),
        get: op('List webhook endpoints', {
          tag,
          roles: reader,
          responses: {
            200: {
              description: 'The endpoints',
              schema: { type: 'object', properties: { webhooks: { type: 'array', items: endpointSchema } } },
            },
          },
        }),
      },
      '/v1/webhooks/{webhookId}': {
        get: op('Get a webhook endpoint', {
          tag,
          roles: reader,
          pathParams: one,
          responses: { 200: { description: 'The endpoint', schema: endpointSchema } },
        }),
        patch: op('Change an endpoint: enable or disable it, its events, URL or description', {
          tag,
          roles: [],
          pathParams: one,
          json: {
            type: 'object',
            properties: {
              url: { type: 'string' },
              events: { type: 'array', items: { type: 'string' } },
              description: { type: 'string', nullable: true },
              enabled: { type: 'boolean' },
            },
          },
          responses: { 200: { description: 'The endpoint', schema: endpointSchema } },
        }),
        delete: op('Delete an endpoint and its delivery log', {
          tag,
          roles: [],
          pathParams: one,
          responses: { 204: { description: 'Deleted' } },
        }),
      },
      '/v1/webhooks/{webhookId}/rotate-secret': {
        post: op('Rotate the signing secret; the old one also signs during the grace period (default a day)', {
          tag,
          roles: [],
          pathParams: one,
          json: { type: 'object', properties: { gracePeriodSeconds: { type: 'integer', minimum: 0, maximum: maxGraceSeconds } } },
          responses: { 200: { description: 'The endpoint with its new secret, shown once', schema: withSecret } },
        }),
      },
      '/v1/webhooks/{webhookId}/test': {
        post: op('Send a webhook.test event to this endpoint', {
          tag,
          roles: reader,
          pathParams: one,
          responses: {
            202: {
              description: 'Queued',
              schema: { type: 'object', properties: { deliveryId: { type: 'string' }, eventId: { type: 'string' } } },
            },
          },
        }),
      },
      '/v1/webhooks/{webhookId}/deliveries': {
        get: op('The delivery log: every delivery to this endpoint with each attempt (time, status code, latency, error)', {
          tag,
          roles: reader,
          pathParams: one,
          query: {
            status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
          },
          responses: {
            200: {
              description: 'Deliveries, newest first, and the total',
              schema: { type: 'object', properties: { deliveries: { type: 'array', items: deliverySchema }, total: { type: 'integer' } } },
            },
          },
        }),
      },
      '/v1/webhooks/{webhookId}/deliveries/{deliveryId}': {
        get: op('One delivery with its attempts and the event it carries', {
          tag,
          roles: reader,
          pathParams: ['webhookId', 'deliveryId'],
          responses: { 200: { description: 'The delivery', schema: deliverySchema } },
        }),
      },
      '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver': {
        post: op('Send a failed delivery again (same webhook-id and body, a fresh round of retries)', {
          tag,
          roles: reader,
          pathParams: ['webhookId', 'deliveryId'],
          responses: { 202: { description: 'Queued again', schema: deliverySchema } },
        }),
      },
    },
  };
}
