import { z } from 'zod';
import { eventTypes } from '../../services/webhooks/events.js';
import { defaultGraceSeconds, maxGraceSeconds } from '../../services/webhooks/service.js';
import { type Route, route } from '../route.js';
import { delivery, deliveryStatus, deliveryWithPayload, webhookEndpoint, webhookEndpointWithSecret } from '../schemas.js';

// Unknown event types are refused by the service with the list of known ones, so the schema takes any string.
const events = z
  .array(z.string())
  .min(1)
  .meta({ description: `Event types: ${eventTypes.join(', ')}` });
const createEndpoint = z.object({ url: z.string().min(1), events, description: z.string().max(500).optional() }).strict();
const updateEndpoint = z
  .object({
    url: z.string().min(1).optional(),
    events: events.optional(),
    description: z.string().max(500).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
const rotateBody = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(maxGraceSeconds)
      .optional()
      .meta({ description: `How long the old secret still signs; ${defaultGraceSeconds} (a day) when omitted` }),
  })
  .strict();
const deliveriesQuery = z.object({
  status: deliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const tag = 'webhooks';
/** Admins register and change endpoints; reviewers (the verification team) read, test and redeliver. */
const admin = [] as const;
const team = ['reviewer'] as const;
const endpointParams = z.object({ webhookId: z.string() });
const deliveryParams = z.object({ webhookId: z.string(), deliveryId: z.string() });

export const webhookRoutes: Route[] = [
  route({
    method: 'post',
    path: '/v1/webhooks',
    tag,
    summary: 'Register a webhook endpoint; the answer shows its signing secret once',
    access: admin,
    body: { name: 'webhook', schema: createEndpoint },
    responses: { 201: { description: 'Registered; Location names the endpoint', schema: webhookEndpointWithSecret } },
    async handle(ctx, { body }, res) {
      const created = await ctx.webhooks.create(body);
      res.status(201).location(`/v1/webhooks/${created.id}`).json(created);
    },
  }),
  route({
    method: 'get',
    path: '/v1/webhooks',
    tag,
    summary: 'List webhook endpoints',
    access: team,
    responses: { 200: { description: 'The endpoints', schema: z.strictObject({ webhooks: z.array(webhookEndpoint) }) } },
    async handle(ctx, _input, res) {
      res.json({ webhooks: await ctx.webhooks.list() });
    },
  }),
  route({
    method: 'get',
    path: '/v1/webhooks/:webhookId',
    tag,
    summary: 'Get a webhook endpoint',
    access: team,
    params: endpointParams,
    responses: { 200: { description: 'The endpoint', schema: webhookEndpoint } },
    async handle(ctx, { params }, res) {
      res.json(await ctx.webhooks.get(params.webhookId));
    },
  }),
  route({
    method: 'patch',
    path: '/v1/webhooks/:webhookId',
    tag,
    summary: 'Change an endpoint: enable or disable it, its events, URL or description',
    access: admin,
    params: endpointParams,
    body: { name: 'webhook', schema: updateEndpoint },
    responses: { 200: { description: 'The endpoint', schema: webhookEndpoint } },
    async handle(ctx, { params, body }, res) {
      res.json(await ctx.webhooks.update(params.webhookId, body));
    },
  }),
  route({
    method: 'delete',
    path: '/v1/webhooks/:webhookId',
    tag,
    summary: 'Delete an endpoint and its delivery log',
    access: admin,
    params: endpointParams,
    responses: { 204: { description: 'Deleted' } },
    async handle(ctx, { params }, res) {
      await ctx.webhooks.delete(params.webhookId);
      res.status(204).end();
    },
  }),
  route({
    method: 'post',
    path: '/v1/webhooks/:webhookId/rotate-secret',
    tag,
    summary: 'Rotate the signing secret; the old one also signs during the grace period (default a day)',
    access: admin,
    params: endpointParams,
    body: { name: 'rotation', schema: rotateBody },
    responses: { 200: { description: 'The endpoint with its new secret, shown once', schema: webhookEndpointWithSecret } },
    async handle(ctx, { params, body }, res) {
      res.json(await ctx.webhooks.rotateSecret(params.webhookId, body.gracePeriodSeconds ?? defaultGraceSeconds));
    },
  }),
  route({
    method: 'post',
    path: '/v1/webhooks/:webhookId/test',
    tag,
    summary: 'Send a webhook.test event to this endpoint',
    access: team,
    params: endpointParams,
    responses: { 202: { description: 'Queued', schema: z.strictObject({ deliveryId: z.string(), eventId: z.string() }) } },
    async handle(ctx, { params }, res) {
      res.status(202).json(await ctx.webhooks.sendTest(params.webhookId));
    },
  }),
  route({
    method: 'get',
    path: '/v1/webhooks/:webhookId/deliveries',
    tag,
    summary: 'The delivery log: every delivery to this endpoint with each attempt (time, status code, latency, error)',
    access: team,
    params: endpointParams,
    query: deliveriesQuery,
    responses: {
      200: {
        description: 'Deliveries, newest first, and the total',
        schema: z.strictObject({ deliveries: z.array(delivery), total: z.int() }),
      },
    },
    async handle(ctx, { params, query }, res) {
      res.json(await ctx.webhooks.deliveries(params.webhookId, query));
    },
  }),
  route({
    method: 'get',
    path: '/v1/webhooks/:webhookId/deliveries/:deliveryId',
    tag,
    summary: 'One delivery with its attempts and the event it carries',
    access: team,
    params: deliveryParams,
    responses: { 200: { description: 'The delivery', schema: deliveryWithPayload } },
    async handle(ctx, { params }, res) {
      const { body, ...found } = await ctx.webhooks.delivery(params.webhookId, params.deliveryId);
      res.json({ ...found, payload: JSON.parse(body) });
    },
  }),
  route({
    method: 'post',
    path: '/v1/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    tag,
    summary: 'Send a failed delivery again (same webhook-id and body, a fresh round of retries)',
    access: team,
    params: deliveryParams,
    responses: { 202: { description: 'Queued again', schema: delivery } },
    async handle(ctx, { params }, res) {
      const { body: _body, ...found } = await ctx.webhooks.redeliver(params.webhookId, params.deliveryId);
      res.status(202).json(found);
    },
  }),
];
