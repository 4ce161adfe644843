import { z } from 'zod';
import { type Route, route } from '../route.js';
import { batch, batchChecksQueued } from '../schemas.js';
import { fileBytes, fileNameOf, idempotencyKeyOf, uploadedFiles } from '../uploads.js';
import { submissionFields, submissionSchema } from './checks.js';

const createBatch = z
  .object({
    name: z.string().optional(),
    category: z.string().optional().meta({ description: 'Applies to every check of the batch' }),
  })
  .strict();
/** Images per request when adding to a batch; clients send more in several requests. */
const maxFilesPerRequest = 20;

const tag = 'batches';
const batchParams = z.object({ batchId: z.string() });

export const batchRoutes: Route[] = [
  route({
    method: 'post',
    path: '/v1/batches',
    tag,
    summary: 'Create a batch to add images to',
    access: ['submitter'],
    body: { name: 'batch', schema: createBatch },
    responses: { 201: { description: 'Created', schema: batch } },
    async handle(ctx, { body, actor }, res) {
      const created = await ctx.batches.create({ name: body.name ?? null, category: body.category ?? null }, actor);
      res.status(201).json(await ctx.batches.get(created.id));
    },
  }),
  route({
    method: 'get',
    path: '/v1/batches/:batchId',
    tag,
    summary: 'Progress and summary of a batch',
    access: 'any',
    params: batchParams,
    responses: { 200: { description: 'The batch', schema: batch } },
    async handle(ctx, { params }, res) {
      res.json(await ctx.batches.get(params.batchId));
    },
  }),
  route({
    method: 'post',
    path: '/v1/batches/:batchId/checks',
    tag,
    summary: `Add images to an open batch (up to ${maxFilesPerRequest} per request, each in a field "image"; all or none; an Idempotency-Key header makes a retry safe)`,
    access: ['submitter'],
    params: batchParams,
    body: {
      name: 'body',
      // A "batch" field is still checked to be a batch id, as before; the batch in the path is the one used.
      schema: submissionSchema.extend({
        batch: z.string().optional().meta({ description: 'Not needed: the batch is the one in the path' }),
      }),
      upload: { maxFiles: maxFilesPerRequest, description: 'The draft images' },
    },
    responses: { 202: { description: 'Queued checks', schema: batchChecksQueued } },
    async handle(ctx, { params, body, files, actor }, res) {
      await ctx.batches.get(params.batchId);
      const fields = { ...submissionFields(body), batchId: params.batchId };
      // All or none: a file the service cannot read refuses the request, and no check of it is created.
      const { checks } = await ctx.checks.submitAll(
        uploadedFiles(files).map((file) => ({ fileName: fileNameOf(file), read: () => fileBytes(file) })),
        fields,
        actor,
        idempotencyKeyOf(res.req),
      );
      res.status(202).json({ checks: checks.map((check) => ({ id: check.id, file: check.fileName, status: check.status })) });
    },
  }),
  route({
    method: 'post',
    path: '/v1/batches/:batchId/close',
    tag,
    summary: 'Say no more images will come; batch.completed is published when the last check ends',
    access: ['submitter'],
    params: batchParams,
    responses: { 200: { description: 'The batch', schema: batch } },
    async handle(ctx, { params }, res) {
      res.json(await ctx.batches.close(params.batchId));
    },
  }),
];
