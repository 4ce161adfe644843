import { z } from 'zod';
import { isUuid } from '../../domain/ids.js';
import { type Claim, isFlaggedFace } from '../../domain/results.js';
import { AppError } from '../../errors.js';
import { type CheckSubmission, type CheckWithResult, checkView, claimsFrom } from '../../services/checks.js';
import { reviewerName } from '../../services/keys.js';
import type { ApiContext } from '../context.js';
import { apiKeyOf } from '../http.js';
import { type Route, route } from '../route.js';
import { check, checkListItem, checkQueued, checkStatus, reviewDecision } from '../schemas.js';
import { claimSchema, fileBytes, fileNameOf, idempotencyKeyOf, jsonField, namesField, uploadedFiles } from '../uploads.js';

const listQuery = z.object({
  flagged: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  batch: z.string().uuid().optional(),
  status: checkStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const reviewBody = z.object({ decision: reviewDecision, note: z.string().optional() }).strict();
const evidenceQuery = z.object({ format: z.enum(['png', 'jpeg']).default('png') });

/** The multipart fields of a check upload besides the image; submissionFields reads what they say. */
export const submissionSchema = z.object({
  names: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta({ description: 'Names in reading order: a JSON array, repeated fields, or one per line' }),
  claims: z.string().optional().meta({ description: 'JSON array of Claim (text and optional box), instead of names' }),
  category: z.string().optional().meta({ description: 'The category the draft claims its people belong to' }),
  batch: z.string().optional().meta({ description: 'Add the check to this open batch' }),
  pages: z.string().optional().meta({
    description:
      'A PDF only: names for single pages, as a JSON object from page number to names in reading order, e.g. {"2": ["Enver Bekirov"]}; a page not in it takes "names" (or reads its captions)',
  }),
  readCaptions: z.enum(['true', 'false']).optional().meta({
    description:
      'When no names are given, read them from the captions under the portraits (a PDF text layer, else OCR): true by default for a PDF, false for an image',
  }),
});

/** What the multipart fields of a check upload say besides the image: claims and category. */
export function submissionFields(body: z.output<typeof submissionSchema>): Omit<CheckSubmission, 'bytes' | 'fileName'> {
  const names = namesField(body.names);
  const claims = jsonField(body.claims, z.array(claimSchema), 'claims');
  const category = body.category?.trim() ? body.category.trim() : null;
  const batchId = body.batch ? body.batch : null;
  if (batchId && !isUuid(batchId)) throw new AppError('VALIDATION', `"batch" is not a batch id: ${batchId}`);
  const readCaptions = body.readCaptions === undefined ? null : body.readCaptions === 'true';
  const pages = jsonField(body.pages, z.record(z.string(), z.array(z.string())), 'pages');
  return { claims: claimsFrom(names, claims), category, batchId, readCaptions, ...(pages ? { pageClaims: pageClaimsOf(pages) } : {}) };
}

/** `{"2": ["A", "B"]}` → page 2's claims; a key that is no page number is refused. */
function pageClaimsOf(pages: Record<string, string[]>): Map<number, Claim[]> {
  const claims = new Map<number, Claim[]>();
  for (const [key, names] of Object.entries(pages)) {
    const page = Number(key);
    if (!/^\d+$/.test(key) || page < 1 || !Number.isSafeInteger(page))
      throw new AppError('VALIDATION', `"pages" maps page numbers (from 1) to names; "${key}" is not a page number`);
    claims.set(page, claimsFrom(names, undefined));
  }
  return claims;
}

/** The check as answered, with links to the evidence image of each flagged face. */
export function checkBody(ctx: ApiContext, check: CheckWithResult) {
  const view = checkView(check);
  const evidence = (view.result?.faces ?? [])
    .map((face, index) => ({ face: index + 1, verdict: face.verdict }))
    .filter((face) => isFlaggedFace(face))
    .map((face) => ({ ...face, url: `${ctx.config.PUBLIC_URL.replace(/\/$/, '')}/v1/checks/${check.id}/faces/${face.face}/evidence` }));
  return { ...view, evidence };
}

const tag = 'checks';
const checkParams = z.object({ checkId: z.string() });

export const checkRoutes: Route[] = [
  route({
    method: 'post',
    path: '/v1/checks',
    tag,
    summary:
      'Check an image, or each page of a PDF: every face against the registry and the claims; answers at once, the workers decide; an Idempotency-Key header makes a retry safe',
    access: ['submitter'],
    body: { name: 'body', schema: submissionSchema, upload: { maxFiles: 1, description: 'The draft image' } },
    responses: { 202: { description: 'Queued; Location names the check', schema: checkQueued } },
    async handle(ctx, { body, files, actor }, res) {
      const [file] = uploadedFiles(files);
      // The fields first: a request refused for its names costs no file read.
      const fields = submissionFields(body);
      const bytes = await fileBytes(file);
      const { checks } = await ctx.checks.submitAll(
        [{ fileName: fileNameOf(file), read: async () => bytes }],
        fields,
        actor,
        idempotencyKeyOf(res.req),
      );
      const [queued] = checks;
      const pages = checks
        .filter((page) => page.page !== null)
        .map((page) => ({ id: page.id, file: page.fileName ?? page.id, page: page.page as number, url: `/v1/checks/${page.id}` }));
      res
        .status(202)
        .location(`/v1/checks/${queued.id}`)
        .json({
          id: queued.id,
          status: queued.status,
          batchId: queued.batchId,
          url: `/v1/checks/${queued.id}`,
          ...(pages.length > 0 ? { checks: pages } : {}),
        });
    },
  }),
  route({
    method: 'get',
    path: '/v1/checks',
    tag,
    summary: 'List checks, e.g. the flagged ones of a batch',
    access: 'any',
    query: listQuery,
    responses: {
      200: { description: 'Checks and the total matching', schema: z.strictObject({ checks: z.array(checkListItem), total: z.int() }) },
    },
    async handle(ctx, { query }, res) {
      const { checks, total } = await ctx.checks.list({
        flagged: query.flagged,
        batchId: query.batch,
        status: query.status,
        limit: query.limit,
        offset: query.offset,
      });
      res.json({
        checks: checks.map((listed) => ({
          id: listed.id,
          status: listed.status,
          batchId: listed.batchId,
          file: listed.fileName ?? listed.id,
          flagged: listed.flagged,
          error: listed.errorCode ? { code: listed.errorCode, message: listed.errorMessage } : null,
          createdAt: listed.createdAt,
          completedAt: listed.completedAt,
          reviewDecision: listed.reviewDecision,
        })),
        total,
      });
    },
  }),
  route({
    method: 'get',
    path: '/v1/checks/:checkId',
    tag,
    summary: 'Get a check: status, and when done the same result as the offline JSON report',
    access: 'any',
    params: checkParams,
    responses: { 200: { description: 'The check', schema: check } },
    async handle(ctx, { params }, res) {
      res.json(checkBody(ctx, await ctx.checks.get(params.checkId)));
    },
  }),
  route({
    method: 'get',
    path: '/v1/checks/:checkId/faces/:face/evidence',
    tag,
    summary: "Evidence for a face: the draft's face beside the reference photos it was compared with",
    access: 'any',
    params: z.object({
      checkId: z.string(),
      face: z.string().meta({ description: 'The face number, from 1 in reading order, as the reports show it' }),
    }),
    query: evidenceQuery,
    responses: { 200: { description: 'The composed image', content: ['image/png', 'image/jpeg'] } },
    async handle(ctx, { params, query }, res) {
      const face = Number(params.face);
      if (!Number.isInteger(face) || face < 1)
        throw new AppError(
          'VALIDATION',
          `a face number is a whole number from 1 (faces are counted as the reports show them); got "${params.face}"`,
        );
      // Rendered before the content type is set: an error (409 before the check is done) must leave as JSON.
      const image = await ctx.evidence.render(params.checkId, face - 1, query.format);
      res.type(query.format === 'png' ? 'image/png' : 'image/jpeg').send(image);
    },
  }),
  route({
    method: 'post',
    path: '/v1/checks/:checkId/review',
    tag,
    summary: "Record the verification team's decision on a check",
    access: ['reviewer'],
    params: checkParams,
    body: { name: 'review', schema: reviewBody },
    responses: { 200: { description: 'The check with its review', schema: check } },
    async handle(ctx, { params, body, actor }, res) {
      res.json(
        checkBody(ctx, await ctx.checks.review(params.checkId, body.decision, body.note ?? null, actor, reviewerName(apiKeyOf(res)))),
      );
    },
  }),
];
