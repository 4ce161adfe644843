import { type Request, Router } from 'express';
import { z } from 'zod';
import { isFlaggedFace } from '../../domain/results.js';
import { AppError } from '../../errors.js';
import { type CheckSubmission, type CheckWithResult, checkView, claimsFrom } from '../../services/checks.js';
import { isUuid } from '../../services/registry.js';
import type { ApiContext, RouteModule } from '../context.js';
import { actorOf, allow, handle, parse } from '../http.js';
import { op, ref } from '../openapi.js';
import { claimSchema, fileNameOf, jsonField, multipartImages, namesField, uploadedFiles } from '../uploads.js';

const listQuery = z.object({
  flagged: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  batch: z.string().uuid().optional(),
  status: z.enum(['queued', 'processing', 'done', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const reviewBody = z
  .object({ decision: z.enum(['photo_correct', 'photo_wrong', 'needs_follow_up']), note: z.string().optional() })
  .strict();
const evidenceQuery = z.object({ format: z.enum(['png', 'jpeg']).default('png') });

/** What the multipart fields of a check upload say besides the image: claims and category. */
export function submissionFields(req: Request): Omit<CheckSubmission, 'bytes' | 'fileName'> {
  const body = req.body as Record<string, unknown>;
  const names = namesField(body.names);
  const claims = jsonField(body.claims, z.array(claimSchema), 'claims');
  const category = typeof body.category === 'string' && body.category.trim() ? body.category.trim() : null;
  const batchId = typeof body.batch === 'string' && body.batch ? body.batch : null;
  if (batchId && !isUuid(batchId)) throw new AppError('VALIDATION', `"batch" is not a batch id: ${batchId}`);
  return { claims: claimsFrom(names, claims), category, batchId };
}

/** The check as answered, with links to the evidence image of each flagged face. */
export function checkBody(ctx: ApiContext, check: CheckWithResult) {
  const view = checkView(check);
  const evidence = (view.result?.faces ?? [])
    .map((face, index) => ({ face: index, verdict: face.verdict }))
    .filter((face) => isFlaggedFace(face))
    .map((face) => ({ ...face, url: `${ctx.config.PUBLIC_URL.replace(/\/$/, '')}/v1/checks/${check.id}/faces/${face.face}/evidence` }));
  return { ...view, evidence };
}

export function checkRoutes(ctx: ApiContext): RouteModule {
  const router = Router();
  const upload = multipartImages({ maxBytes: ctx.config.MAX_UPLOAD_BYTES, maxFiles: 1 });

  router.post(
    '/checks',
    allow('submitter'),
    upload,
    handle(async (req, res) => {
      const [file] = uploadedFiles(req);
      const check = await ctx.checks.submit({ bytes: file.buffer, fileName: fileNameOf(file), ...submissionFields(req) }, actorOf(res));
      res
        .status(202)
        .location(`/v1/checks/${check.id}`)
        .json({ id: check.id, status: check.status, batchId: check.batchId, url: `/v1/checks/${check.id}` });
    }),
  );
  router.get(
    '/checks',
    handle(async (req, res) => {
      const query = parse(listQuery, req.query, 'query');
      const { checks, total } = await ctx.checks.list({
        flagged: query.flagged,
        batchId: query.batch,
        status: query.status,
        limit: query.limit,
        offset: query.offset,
      });
      res.json({
        checks: checks.map((check) => ({
          id: check.id,
          status: check.status,
          batchId: check.batchId,
          file: check.fileName ?? check.id,
          flagged: check.flagged,
          error: check.errorCode ? { code: check.errorCode, message: check.errorMessage } : null,
          createdAt: check.createdAt,
          completedAt: check.completedAt,
          reviewDecision: check.reviewDecision,
        })),
        total,
      });
    }),
  );
  router.get(
    '/checks/:checkId',
    handle(async (req, res) => {
      res.json(checkBody(ctx, await ctx.checks.get(req.params.checkId)));
    }),
  );
  router.get(
    '/checks/:checkId/faces/:face/evidence',
    handle(async (req, res) => {
      const face = Number(req.params.face);
      if (!Number.isInteger(face) || face < 0)
        throw new AppError('VALIDATION', `a face index is a whole number from 0; got "${req.params.face}"`);
      const { format } = parse(evidenceQuery, req.query, 'query');
      res.type(format === 'png' ? 'image/png' : 'image/jpeg').send(await ctx.evidence.render(req.params.checkId, face, format));
    }),
  );
  router.post(
    '/checks/:checkId/review',
    allow('reviewer'),
    handle(async (req, res) => {
      const body = parse(reviewBody, req.body, 'review');
      res.json(checkBody(ctx, await ctx.checks.review(req.params.checkId, body.decision, body.note ?? null, actorOf(res))));
    }),
  );

  const anyRole = ['curator', 'submitter', 'reviewer'];
  const check = ['checkId'];
  return {
    prefix: '/v1',
    router,
    paths: {
      '/v1/checks': {
        post: op('Check an image: every face against the registry and the claims; answers at once, the workers decide', {
          tag: 'checks',
          roles: ['submitter'],
          multipart: {
            image: { type: 'string', format: 'binary' },
            names: { type: 'string', description: 'Names in reading order: a JSON array, repeated fields, or one per line' },
            claims: { type: 'string', description: 'JSON array of Claim (text and optional box), instead of names' },
            category: { type: 'string', description: 'The category the draft claims its people belong to' },
            batch: { type: 'string', description: 'Add the check to this open batch' },
          },
          responses: {
            202: {
              description: 'Queued',
              schema: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, url: { type: 'string' } } },
            },
          },
        }),
        get: op('List checks, e.g. the flagged ones of a batch', {
          tag: 'checks',
          roles: anyRole,
          query: {
            flagged: { type: 'boolean' },
            batch: { type: 'string', format: 'uuid' },
            status: { type: 'string' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
          },
          responses: {
            200: {
              description: 'Checks and the total matching',
              schema: { type: 'object', properties: { checks: { type: 'array', items: { type: 'object' } }, total: { type: 'integer' } } },
            },
          },
        }),
      },
      '/v1/checks/{checkId}': {
        get: op('Get a check: status, and when done the same result as the offline JSON report', {
          tag: 'checks',
          roles: anyRole,
          pathParams: check,
          responses: { 200: { description: 'The check', schema: ref('Check') } },
        }),
      },
      '/v1/checks/{checkId}/faces/{face}/evidence': {
        get: op("Evidence for a face: the draft's face beside the reference photos it was compared with", {
          tag: 'checks',
          roles: anyRole,
          pathParams: ['checkId', 'face'],
          query: { format: { type: 'string', enum: ['png', 'jpeg'] } },
          responses: { 200: { description: 'The composed image', content: 'image/png' } },
        }),
      },
      '/v1/checks/{checkId}/review': {
        post: op("Record the verification team's decision on a check", {
          tag: 'checks',
          roles: ['reviewer'],
          pathParams: check,
          json: {
            type: 'object',
            required: ['decision'],
            properties: {
              decision: { type: 'string', enum: ['photo_correct', 'photo_wrong', 'needs_follow_up'] },
              note: { type: 'string' },
            },
          },
          responses: { 200: { description: 'The check with its review', schema: ref('Check') } },
        }),
      },
    },
  };
}
