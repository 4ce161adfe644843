import { isUuid } from '../domain/ids.js';
import type { Claim, ImageResult } from '../domain/results.js';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { validateImage } from '../images/validate.js';
import type { Queues } from '../queues/queues.js';
import type { CheckFilter, CheckRecord, CheckWithResult, ReviewDecision } from '../store/checks.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';

export type { CheckFilter, CheckRecord, CheckStatus, CheckWithResult, ReviewDecision } from '../store/checks.js';

export interface CheckSubmission {
  bytes: Buffer;
  fileName: string | null;
  claims: Claim[];
  category: string | null;
  batchId: string | null;
}

/** A check as the API answers it: status, and once it has ended the same result as the offline JSON report. */
export interface CheckView {
  id: string;
  status: CheckRecord['status'];
  batchId: string | null;
  file: string;
  category: string | null;
  claims: Claim[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  attempts: number;
  /** The model that made the descriptors, once done. */
  model: string | null;
  result: ImageResult | null;
  review: { decision: ReviewDecision; note: string | null; at: string | null } | null;
}

export function imageResultOf(check: CheckRecord, faces: ImageResult['faces']): ImageResult | null {
  const file = check.fileName ?? check.id;
  if (check.status === 'failed') {
    return {
      file,
      findings: [],
      faces: [],
      flagged: true,
      error: { code: check.errorCode ?? 'INTERNAL', message: check.errorMessage ?? 'the check failed' },
    };
  }
  if (check.status !== 'done') return null;
  return { file, findings: check.findings ?? [], faces, flagged: Boolean(check.flagged) };
}

export function checkView(check: CheckWithResult): CheckView {
  return {
    id: check.id,
    status: check.status,
    batchId: check.batchId,
    file: check.fileName ?? check.id,
    category: check.category,
    claims: check.claims,
    createdAt: check.createdAt,
    startedAt: check.startedAt,
    completedAt: check.completedAt,
    attempts: check.attempts,
    model: check.model,
    result: imageResultOf(check, check.faces),
    review: check.reviewDecision ? { decision: check.reviewDecision, note: check.reviewNote, at: check.reviewedAt } : null,
  };
}

/** Submitting, reading and reviewing checks; the verdicts themselves are made by the workers. */
export class CheckService {
  constructor(
    private readonly store: Store,
    private readonly uploads: UploadStore,
    private readonly queues: Pick<Queues, 'enqueueCheck'>,
    private readonly limits: { maxPixels: number },
  ) {}

  async submit(submission: CheckSubmission, actor: string | null): Promise<CheckRecord> {
    let category = submission.category;
    if (submission.batchId) {
      const batch = await this.store.batches.get(submission.batchId);
      if (!batch) throw new AppError('NOT_FOUND', `no batch ${submission.batchId}`);
      if (batch.closedAt) throw new AppError('CONFLICT', `batch ${submission.batchId} is closed: create a new batch for more images`);
      category ??= batch.category;
    }
    const { format } = await validateImage(submission.bytes, this.limits.maxPixels);
    const { hash } = await this.uploads.put(submission.bytes);
    const check = await this.store.transaction((tx) =>
      tx.checks.insert({
        batchId: submission.batchId,
        fileHash: hash,
        fileName: submission.fileName,
        format,
        category,
        claims: submission.claims,
        submittedBy: actor,
      }),
    );
    try {
      await this.queues.enqueueCheck(check.id);
    } catch (error) {
      // Without its job the check would wait forever: take it back and say so.
      await this.store.checks.delete(check.id).catch(() => undefined);
      throw new AppError('SERVICE_UNAVAILABLE', `the check could not be queued (Redis: ${(error as Error).message}); try again`);
    }
    return check;
  }

  async get(id: string): Promise<CheckWithResult> {
    const check = isUuid(id) ? await this.store.checks.getWithResult(id) : null;
    if (!check) throw new AppError('NOT_FOUND', `no check ${id}`);
    return check;
  }

  list(filter: CheckFilter) {
    return this.store.checks.list(filter);
  }

  /** The verification team's decision on a check, kept on the check and in the audit log. */
  async review(id: string, decision: ReviewDecision, note: string | null, actor: string | null): Promise<CheckWithResult> {
    await this.get(id);
    await this.store.transaction(async (tx) => {
      await tx.checks.review(id, decision, note, actor);
      await tx.audit.record({ actor, action: 'check.reviewed', subject: `check:${id}`, details: { decision, note } });
    });
    return this.get(id);
  }
}

/** Names in reading order become claims without boxes; explicit claims may carry a box. */
export function claimsFrom(names: string[] | undefined, claims: Array<{ text: string; box?: Box }> | undefined): Claim[] {
  if (names && claims) throw new AppError('VALIDATION', 'send either "names" (in reading order) or "claims" (with boxes), not both');
  if (claims) return claims.map((claim) => (claim.box ? { text: claim.text, box: claim.box } : { text: claim.text }));
  return (names ?? []).map((text) => ({ text }));
}
