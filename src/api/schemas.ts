/**
 * The shapes the API answers with, as zod schemas: the OpenAPI document shows them (output side of
 * `z.toJSONSchema`), and the API tests parse every answer they get with the one documented for its
 * route and status. Objects the API owns are strict, so that a field added or renamed in a service
 * without the document following fails those tests.
 */
import { z } from 'zod';
import { errorCatalogue } from '../errors.js';

const timestamp = z.string().meta({ format: 'date-time' });
const nullableTimestamp = timestamp.nullable();

export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(Object.keys(errorCatalogue) as [keyof typeof errorCatalogue]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ description: 'An error from the catalogue (README "Error codes")' });

export const box = z.strictObject({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

const faceQuality = z.object({
  faceSize: z.number(),
  detectorScore: z.number(),
  sharpness: z.number(),
  yaw: z.number(),
  pitch: z.number(),
  roll: z.number(),
});

// ---- the registry

export const person = z.strictObject({
  id: z.string().meta({ example: 'enver-bekirov' }),
  name: z.string(),
  aliases: z.array(z.string()),
  category: z.string().nullable(),
  region: z.string().nullable(),
  status: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const referencePhotoStatus = z.enum(['pending', 'active', 'rejected', 'retired']);

export const referencePhoto = z.strictObject({
  id: z.uuid(),
  personId: z.string(),
  fileHash: z.string().meta({ description: 'sha256 of the file' }),
  fileName: z.string().nullable(),
  format: z.string().nullable(),
  provenance: z.string().nullable(),
  status: referencePhotoStatus,
  rejectionReason: z.string().nullable(),
  chosenBox: box.nullable().meta({ description: "The curator's choice of face when the photo shows several" }),
  faceBox: box.nullable(),
  model: z.string().nullable(),
  quality: faceQuality.nullable(),
  enrolmentWarnings: z
    .array(z.string())
    .nullable()
    .meta({ description: 'What enrolment told the curator of an active photo (weak, or its face taken for being at the centre)' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const registryOverview = z.strictObject({
  version: z.int(),
  people: z.int(),
  referencePhotos: z.strictObject({ pending: z.int(), active: z.int(), rejected: z.int(), retired: z.int() }),
  peopleWithoutPhotos: z.array(z.string()).meta({ description: 'Names of people with no active reference photo: no face can match them' }),
});

export const auditEntry = z.strictObject({
  id: z.int(),
  at: timestamp,
  actor: z.string().nullable(),
  action: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
});

// ---- checks

export const checkStatus = z.enum(['queued', 'processing', 'done', 'failed']);
export const reviewDecision = z.enum(['photo_correct', 'photo_wrong', 'needs_follow_up']);
const verdict = z.enum(['confirmed', 'mismatch', 'uncertain', 'identified', 'unknown', 'low_quality']);

export const claim = z.strictObject({
  text: z.string().meta({ description: 'A person id, name or alias' }),
  box: box.optional(),
});

const personRef = z.object({ personId: z.string(), name: z.string() });
const match = personRef.extend({ score: z.number(), referencePhoto: z.string() });

const finding = z.object({
  code: z.enum(['no_face', 'claim_count_mismatch', 'unknown_claim', 'category_mismatch', 'image_error']),
  message: z.string(),
  suggestions: z.array(z.string()).optional(),
  subject: z.string().optional(),
});

/** One face's verdict and why: the offline JSON report's FaceResult (src/domain/results.ts). */
const faceResult = z.object({
  box,
  verdict,
  claim: personRef.nullable(),
  claimScore: z.number().nullable(),
  claimReferencePhoto: z.string().nullable(),
  bestMatch: match.nullable(),
  nearest: match.nullable(),
  runnerUp: match.nullable(),
  reasons: z.array(z.string()),
  quality: faceQuality,
  setAside: z.enum(['bystander', 'not_a_face']).optional(),
  claimText: z.string().optional(),
});

const captionSource = z.enum(['ocr', 'text-layer']);

/** What was read from the captions: the offline report's CaptionsReport (src/domain/results.ts). */
const captionsReport = z.strictObject({
  used: z.boolean().meta({ description: 'Whether the names read were the claims (false when names were given: those win)' }),
  title: z.strictObject({ text: z.string(), source: captionSource, box, confidence: z.number(), setsCategory: z.boolean() }).nullable(),
  names: z.array(
    z.strictObject({
      text: z.string(),
      source: captionSource,
      box,
      confidence: z.number().meta({ description: 'How sure the reading is, 0 to 1 (1 for a text layer)' }),
      face: z.int().nullable().meta({ description: "The index in the result's faces of the face it captions" }),
      person: personRef.nullable(),
      suggestions: z.array(z.string()).optional(),
    }),
  ),
  error: z.string().optional(),
});

export const imageResult = z
  .strictObject({
    file: z.string(),
    page: z.int().min(1).optional().meta({ description: "A PDF page's number, from 1; file is then 'handout.pdf, page 2'" }),
    findings: z.array(finding),
    faces: z.array(faceResult),
    flagged: z.boolean(),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
    captions: captionsReport.optional().meta({ description: 'Set when the names were read from the captions' }),
  })
  .meta({ description: 'The same per-image result as the offline JSON report (src/domain/results.ts)' });

export const check = z.strictObject({
  id: z.uuid(),
  status: checkStatus,
  batchId: z.uuid().nullable(),
  file: z.string(),
  page: z.int().nullable().meta({ description: "A PDF page's number, from 1; null for an image" }),
  category: z.string().nullable(),
  claims: z.array(claim),
  createdAt: timestamp,
  startedAt: nullableTimestamp,
  completedAt: nullableTimestamp,
  attempts: z.int(),
  model: z.string().nullable().meta({ description: 'The model that made the descriptors, once done' }),
  result: imageResult.nullable(),
  review: z.strictObject({ decision: reviewDecision, note: z.string().nullable(), at: nullableTimestamp }).nullable(),
  evidence: z
    .array(z.strictObject({ face: z.int(), verdict, url: z.string() }))
    .meta({ description: 'A link to the evidence image of each flagged face' }),
});

export const checkQueued = z.strictObject({
  id: z.uuid(),
  status: checkStatus,
  batchId: z.uuid().nullable(),
  url: z.string(),
  checks: z
    .array(z.strictObject({ id: z.uuid(), file: z.string(), page: z.int(), url: z.string() }))
    .optional()
    .meta({ description: "A PDF: the check of each page, in order (id and url are the first page's)" }),
});

export const checkListItem = z.strictObject({
  id: z.uuid(),
  status: checkStatus,
  batchId: z.uuid().nullable(),
  file: z.string(),
  flagged: z.boolean().nullable(),
  error: z.strictObject({ code: z.string(), message: z.string().nullable() }).nullable(),
  createdAt: timestamp,
  completedAt: nullableTimestamp,
  reviewDecision: reviewDecision.nullable(),
});

// ---- batches

export const batch = z.strictObject({
  id: z.uuid(),
  name: z.string().nullable(),
  category: z.string().nullable(),
  closedAt: nullableTimestamp,
  completedAt: nullableTimestamp,
  createdAt: timestamp,
  status: z.enum(['open', 'running', 'completed']),
  progress: z.strictObject({ total: z.int(), queued: z.int(), processing: z.int(), done: z.int(), failed: z.int() }),
  summary: z.strictObject({
    images: z.int(),
    faces: z.int(),
    flagged: z.int(),
    errors: z.int(),
    verdicts: z.record(z.string(), z.int()),
    flaggedChecks: z.array(z.string()),
  }),
});

export const batchChecksQueued = z.strictObject({
  checks: z.array(z.strictObject({ id: z.uuid(), file: z.string().nullable(), status: checkStatus })),
});

// ---- webhooks

export const deliveryStatus = z.enum(['pending', 'succeeded', 'failed']);

export const webhookEndpoint = z.strictObject({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().meta({ description: 'Why the service disabled it, e.g. the receiver answered 410 Gone' }),
  previousSecretExpiresAt: nullableTimestamp.meta({ description: 'Until then the previous secret signs too' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const webhookEndpointWithSecret = webhookEndpoint.extend({
  secret: z.string().meta({ description: 'whsec_...: shown only in this answer' }),
});

const attempt = z.strictObject({
  attempt: z.int(),
  startedAt: timestamp,
  endedAt: nullableTimestamp,
  statusCode: z.int().nullable(),
  latencyMs: z.int().nullable(),
  error: z.string().nullable(),
  response: z.string().nullable().meta({ description: 'The first bytes of the answer' }),
});

export const delivery = z.strictObject({
  id: z.string().meta({ description: 'The webhook-id header: the same on every attempt and redelivery' }),
  endpointId: z.uuid(),
  eventId: z.string(),
  eventType: z.string(),
  status: deliveryStatus,
  attempts: z.int(),
  generation: z.int(),
  nextAttemptAt: nullableTimestamp,
  lastStatusCode: z.int().nullable(),
  lastError: z.string().nullable(),
  createdAt: timestamp,
  completedAt: nullableTimestamp,
  attemptLog: z.array(attempt),
});

export const deliveryWithPayload = delivery.extend({ payload: z.unknown().meta({ description: 'The event as it is sent' }) });
