import { createHash, randomUUID } from 'node:crypto';
import { type FaceResult, type ImageResult, isFlaggedFace } from '../../domain/results.js';
import type { Finding, PersonRef } from '../../domain/types.js';
import type { BatchSummary } from '../../store/batches.js';
import { type EventType, eventTypes } from '../events.js';

/**
 * The version of the payload schema below; a change a receiver could trip over raises it.
 * 2: faces are numbered from 1 (as people count them, and as every report shows them); links to the review desk.
 */
export const schemaVersion = 2;

export { eventTypes };
/** Sent only by "send a test event"; endpoints cannot subscribe to it. */
export const testEventType = 'webhook.test';

export interface WebhookEvent<T = unknown> {
  id: string;
  type: EventType | typeof testEventType;
  /** When the service raised the event (ISO 8601, UTC). */
  timestamp: string;
  schemaVersion: number;
  data: T;
}

export interface CheckLink {
  id: string;
  batchId: string | null;
  file: string;
  /** The check in the API (JSON). */
  url: string;
  /** The check on the review desk, for a person to look at and decide. */
  reviewUrl: string;
}

export interface FlaggedFace {
  /** The face's number, from 1 in reading order, as the reports and the review desk show it. */
  face: number;
  box: FaceResult['box'];
  verdict: FaceResult['verdict'];
  /** The person the caption names, as resolved in the registry; null for a face without a claim. */
  claimed: PersonRef | null;
  scores: { claimed: number | null; bestMatch: number | null; nearest: number | null; runnerUp: number | null };
  /** Whom the face matches instead of the claimed person, if anyone in the registry. */
  matchesInstead: (PersonRef & { score: number; referencePhoto: string }) | null;
  reasons: string[];
  /** The evidence picture (PNG) in the API. */
  evidenceUrl: string;
  /** The face on the review desk's page of the check. */
  reviewUrl: string;
}

export interface CheckReviewedData {
  check: CheckLink;
  review: { decision: string; note: string | null; reviewedBy: string | null; at: string };
}

export interface CheckFlaggedData {
  check: CheckLink;
  findings: Finding[];
  faces: FlaggedFace[];
}

export interface CheckCompletedData {
  check: CheckLink;
  flagged: boolean;
  faces: number;
  verdicts: Record<string, number>;
  findings: Finding[];
}

export interface CheckFailedData {
  check: CheckLink;
  error: { code: string; message: string };
}

export interface BatchCompletedData {
  batch: { id: string; url: string };
  counts: { images: number; faces: number; flagged: number; errors: number; verdicts: Record<string, number> };
  flaggedChecks: Array<{ id: string; url: string; reviewUrl: string }>;
}

interface CheckEventInput {
  checkId: string;
  batchId: string | null;
  result: ImageResult | null;
}

/** What the service publishes when the verification team decides on a check. */
interface ReviewEventInput {
  checkId: string;
  batchId: string | null;
  file: string;
  review: CheckReviewedData['review'];
}

/** What the service publishes when a batch completes: its id and summary. */
type BatchEventInput = BatchSummary & { batchId: string };

/**
 * Turns what the service published into the documented payload. The id is derived from the event's
 * subject, so the same event published twice (a job run again) is one event for the receivers.
 */
export function buildEvent(event: { type: EventType; data: unknown }, publicUrl: string, now = new Date()): WebhookEvent {
  const base = publicUrl.replace(/\/+$/, '');
  const envelope = <T>(subject: string, data: T): WebhookEvent<T> => ({
    id: `evt_${createHash('sha256').update(`${event.type}:${subject}`).digest('hex').slice(0, 32)}`,
    type: event.type,
    timestamp: now.toISOString(),
    schemaVersion,
    data,
  });
  if (event.type === 'batch.completed') {
    const batch = event.data as BatchEventInput;
    requireId(batch.batchId, 'batchId', event.type);
    return envelope(batch.batchId, {
      batch: { id: batch.batchId, url: `${base}/v1/batches/${batch.batchId}` },
      counts: { images: batch.images, faces: batch.faces, flagged: batch.flagged, errors: batch.errors, verdicts: batch.verdicts },
      flaggedChecks: batch.flaggedChecks.map((id) => ({ id, url: `${base}/v1/checks/${id}`, reviewUrl: `${base}/review/checks/${id}` })),
    } satisfies BatchCompletedData);
  }
  if (event.type === 'check.reviewed') {
    const reviewed = event.data as ReviewEventInput;
    requireId(reviewed.checkId, 'checkId', event.type);
    // One event per decision: a decision changed later is a new event.
    return envelope(`${reviewed.checkId}:${reviewed.review.at}`, {
      check: checkLink(base, reviewed.checkId, reviewed.batchId, reviewed.file),
      review: reviewed.review,
    } satisfies CheckReviewedData);
  }
  const input = event.data as CheckEventInput;
  requireId(input.checkId, 'checkId', event.type);
  const result = input.result;
  const check = checkLink(base, input.checkId, input.batchId ?? null, result?.file ?? input.checkId);
  if (event.type === 'check.failed') {
    return envelope(input.checkId, {
      check,
      error: result?.error ?? { code: 'INTERNAL', message: 'the check failed' },
    } satisfies CheckFailedData);
  }
  const faces = result?.faces ?? [];
  if (event.type === 'check.completed') {
    const verdicts: Record<string, number> = {};
    for (const face of faces) verdicts[face.verdict] = (verdicts[face.verdict] ?? 0) + 1;
    return envelope(input.checkId, {
      check,
      flagged: Boolean(result?.flagged),
      faces: faces.length,
      verdicts,
      findings: result?.findings ?? [],
    } satisfies CheckCompletedData);
  }
  return envelope(input.checkId, {
    check,
    findings: result?.findings ?? [],
    faces: faces.flatMap((face, index) => (isFlaggedFace(face) ? [flaggedFace(face, index + 1, check)] : [])),
  } satisfies CheckFlaggedData);
}

function flaggedFace(face: FaceResult, number: number, check: CheckLink): FlaggedFace {
  const other = face.bestMatch && face.bestMatch.personId !== face.claim?.personId ? face.bestMatch : null;
  return {
    face: number,
    box: face.box,
    verdict: face.verdict,
    claimed: face.claim ? { personId: face.claim.personId, name: face.claim.name } : null,
    scores: {
      claimed: face.claimScore,
      bestMatch: face.bestMatch?.score ?? null,
      nearest: face.nearest?.score ?? null,
      runnerUp: face.runnerUp?.score ?? null,
    },
    matchesInstead: other ? { personId: other.personId, name: other.name, score: other.score, referencePhoto: other.referencePhoto } : null,
    reasons: face.reasons,
    evidenceUrl: `${check.url}/faces/${number}/evidence`,
    reviewUrl: `${check.reviewUrl}#face-${number}`,
  };
}

function checkLink(base: string, id: string, batchId: string | null, file: string): CheckLink {
  return { id, batchId, file, url: `${base}/v1/checks/${id}`, reviewUrl: `${base}/review/checks/${id}` };
}

/** The event "send a test event" delivers: a fresh id each time. */
export function testEvent(endpointId: string, now = new Date()): WebhookEvent<{ endpointId: string; message: string }> {
  return {
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    type: testEventType,
    timestamp: now.toISOString(),
    schemaVersion,
    data: { endpointId, message: 'A test event from photo-verify: if the signature verifies, this endpoint is ready.' },
  };
}

function requireId(value: unknown, name: string, type: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new Error(`a ${type} event needs data.${name}`);
}
