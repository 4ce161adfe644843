import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext, RouteModule } from '../context.js';
import { actorOf, allow, handle, parse } from '../http.js';
import { op, ref } from '../openapi.js';
import { fileNameOf, multipartImages, uploadedFiles } from '../uploads.js';
import { submissionFields } from './checks.js';

const createBatch = z.object({ name: z.string().optional(), category: z.string().optional() }).strict();
/** Images per request when adding to a batch; clients send more in several requests. */
const maxFilesPerRequest = 20;

export function batchRoutes(ctx: ApiContext): RouteModule {
  const router = Router();
  const submit = allow('submitter');
  const upload = multipartImages({ maxBytes: ctx.config.MAX_UPLOAD_BYTES, maxFiles: maxFilesPerRequest });

  router.post(
    '/batches',
    submit,
    handle(async (req, res) => {
      const body = parse(createBatch, req.body ?? {}, 'batch');
      const batch = await ctx.batches.create({ name: body.name ?? null, category: body.category ?? null }, actorOf(res));
      res.status(201).json(await ctx.batches.get(batch.id));
    }),
  );
  router.get(
    '/batches/:batchId',
    handle(async (req, res) => {
      res.json(await ctx.batches.get(req.params.batchId));
    }),
  );
  router.post(
    '/batches/:batchId/checks',
    submit,
    upload,
    handle(async (req, res) => {
      await ctx.batches.get(req.params.batchId);
      const fields = { ...submissionFields(req), batchId: req.params.batchId };
      const checks = [];
      for (const file of uploadedFiles(req)) {
        const check = await ctx.checks.submit({ bytes: file.buffer, fileName: fileNameOf(file), ...fields }, actorOf(res));
        checks.push({ id: check.id, file: check.fileName, status: check.status });
      }
      res.status(202).json({ checks });
    }),
  );
  router.post(
    '/batches/:batchId/close',
    submit,
    handle(async (req, res) => {
      res.json(await ctx.batches.close(req.params.batchId));
    }),
  );

  const batch = ['batchId'];
  return {
    prefix: '/v1',
    router,
    paths: {
      '/v1/batches': {
        post: op('Create a batch to add images to', {
          tag: 'batches',
          roles: ['submitter'],
          json: {
            type: 'object',
            properties: { name: { type: 'string' }, category: { type: 'string', description: 'Applies to every check of the batch' } },
          },
          responses: { 201: { description: 'Created', schema: ref('Batch') } },
        }),
      },
      '/v1/batches/{batchId}': {
        get: op('Progress and summary of a batch', {
          tag: 'batches',
          roles: ['curator', 'submitter', 'reviewer'],
          pathParams: batch,
          responses: { 200: { description: 'The batch', schema: ref('Batch') } },
        }),
      },
      '/v1/batches/{batchId}/checks': {
        post: op(`Add images to an open batch (up to ${maxFilesPerRequest} per request, each in a field "image")`, {
          tag: 'batches',
          roles: ['submitter'],
          pathParams: batch,
          multipart: {
            image: { type: 'array', items: { type: 'string', format: 'binary' } },
            names: { type: 'string' },
            claims: { type: 'string' },
            category: { type: 'string' },
          },
          responses: {
            202: {
              description: 'Queued checks',
              schema: { type: 'object', properties: { checks: { type: 'array', items: { type: 'object' } } } },
            },
          },
        }),
      },
      '/v1/batches/{batchId}/close': {
        post: op('Say no more images will come; batch.completed is published when the last check ends', {
          tag: 'batches',
          roles: ['submitter'],
          pathParams: batch,
          responses: { 200: { description: 'The batch', schema: ref('Batch') } },
        }),
      },
    },
  };
}
