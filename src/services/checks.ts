import pLimit, { type LimitFunction } from 'p-limit';
import { contentHash } from '../domain/content-hash.js';
import { isUuid } from '../domain/ids.js';
import type { Claim, ImageResult } from '../domain/results.js';
import { textProblem } from '../domain/text.js';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { uprightSize } from '../images/face-crop.js';
import { defaultPdfLimits, isPdf, type PdfRenderLimits, renderPdfPages } from '../images/pdf.js';
import { validateImage } from '../images/validate.js';
import type { Queues } from '../queues/queues.js';
import type { CheckFilter, CheckRecord, CheckWithResult, InboxFilter, ReviewDecision } from '../store/checks.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';
import type { EventPublisher } from './events.js';

export type { CheckFilter, CheckRecord, CheckStatus, CheckWithResult, InboxCounts, InboxFilter, ReviewDecision } from '../store/checks.js';

export interface CheckSubmission {
  bytes: Buffer;
  fileName: string | null;
  claims: Claim[];
  category: string | null;
  batchId: string | null;
  /** Read the names from the captions when none are given; null: for a PDF's pages, not for an image. */
  readCaptions?: boolean | null;
  /** A PDF's single pages' names (page number from 1 → claims), over `claims` for those pages. */
  pageClaims?: Map<number, Claim[]>;
}

/** A check as the API answers it: status, and once it has ended the same result as the offline JSON report. */
export interface CheckView {
  id: string;
  status: CheckRecord['status'];
  batchId: string | null;
  file: string;
  /** A PDF page's number, from 1; null for an image. */
  page: number | null;
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
  const page = check.page ? { page: check.page } : {};
  if (check.status === 'failed') {
    return {
      file,
      ...page,
      findings: [],
      faces: [],
      flagged: true,
      error: { code: check.errorCode ?? 'INTERNAL', message: check.errorMessage ?? 'the check failed' },
    };
  }
  if (check.status !== 'done') return null;
  const captions = check.captions ? { captions: check.captions } : {};
  return { file, ...page, findings: check.findings ?? [], faces, flagged: Boolean(check.flagged), ...captions };
}

export function checkView(check: CheckWithResult): CheckView {
  return {
    id: check.id,
    status: check.status,
    batchId: check.batchId,
    file: check.fileName ?? check.id,
    page: check.page,
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
    private readonly limits: { maxPixels: number; maxClaims: number; maxNameLength: number; pdf?: PdfRenderLimits; pdfRenders?: number },
    /** Publishes check.reviewed (through the outbox); null where no one listens (tests of submission). */
    private readonly publisher: EventPublisher | null = null,
  ) {
    this.renders = pLimit(limits.pdfRenders ?? 2);
  }

  /** PDFs rendered at once: each takes a core, and the API must go on answering. */
  private readonly renders: LimitFunction;

  async submit(submission: CheckSubmission, actor: string | null, idempotencyKey: string | null = null): Promise<CheckRecord> {
    const { bytes, fileName, ...fields } = submission;
    const { checks } = await this.submitAll([{ fileName, read: async () => bytes }], fields, actor, idempotencyKey);
    return checks[0];
  }

  /**
   * Checks of several files with the same claims, all or none: every file is validated and stored
   * (one at a time, so a batch is never whole in memory) before any check is created, and the
   * checks are created in one transaction. With an Idempotency-Key, a request sent again (the
   * client's connection dropped, the API restarted) answers the checks the first one created;
   * the same key with other files or fields is a CONFLICT.
   *
   * A PDF (recognised by its content) becomes one check per page: the API renders the pages here,
   * on a thread per document bounded in time, stores each page as a JPEG beside the PDF and
   * names it `handout.pdf, page 2`; the claims apply to every page. The job, the worker and the
   * evidence then work on an image as for any upload, and an encrypted, damaged or too long PDF
   * is refused at once with its code, adding no check of the request.
   */
  async submitAll(
    files: Array<{ fileName: string | null; read(): Promise<Buffer> }>,
    fields: Omit<CheckSubmission, 'bytes' | 'fileName'>,
    actor: string | null,
    idempotencyKey: string | null = null,
  ): Promise<{ checks: CheckRecord[]; replayed: boolean }> {
    const key = idempotencyKey && actor ? { actor, idempotencyKey } : null;
    let category = fields.category;
    if (fields.batchId) {
      const batch = await this.store.batches.get(fields.batchId);
      if (!batch) throw new AppError('NOT_FOUND', `no batch ${fields.batchId}`);
      category ??= batch.category;
      // A closed batch takes no new upload, but answers one sent again under its key (replayed below).
      if (batch.closedAt && !(key && (await this.store.uploadRequests.get(key.actor, key.idempotencyKey))))
        throw new AppError('CONFLICT', `batch ${fields.batchId} is closed: create a new batch for more images`);
    }
    checkClaimLimits(fields.claims, this.limits);
    for (const claims of fields.pageClaims?.values() ?? []) checkClaimLimits(claims, this.limits);
    const stored: Array<{
      hash: string;
      format: string;
      fileName: string | null;
      documentHash: string | null;
      page: number | null;
      readCaptions: boolean;
    }> = [];
    const pdfLimits = this.limits.pdf ?? { ...defaultPdfLimits, maxPixels: this.limits.maxPixels };
    for (const file of files) {
      const bytes = await file.read();
      const refuse = (error: unknown): never => {
        if (files.length > 1 && error instanceof AppError)
          throw new AppError(
            error.code,
            `${file.fileName ?? `file ${stored.length + 1}`}: ${error.message}; no image of this request was added`,
          );
        throw error;
      };
      if (isPdf(bytes)) {
        const { hash: documentHash } = await this.uploads.put(bytes);
        let pages = 0;
        await this.renders(() =>
          renderPdfPages(bytes, pdfLimits, async ({ page, jpeg }) => {
            const { hash } = await this.uploads.put(jpeg);
            const fileName = `${file.fileName ?? 'document.pdf'}, page ${page}`;
            stored.push({ hash, format: 'jpeg', fileName, documentHash, page, readCaptions: fields.readCaptions ?? true });
            pages = Math.max(pages, page);
          }),
        ).catch(refuse);
        const beyond = [...(fields.pageClaims?.keys() ?? [])].filter((page) => page > pages);
        if (beyond.length > 0)
          refuse(
            new AppError(
              'VALIDATION',
              `names are given for page ${beyond.join(', ')}, but ${file.fileName ?? 'the PDF'} has ${pages} page${pages === 1 ? '' : 's'}`,
            ),
          );
        continue;
      }
      if (fields.pageClaims && fields.pageClaims.size > 0)
        refuse(
          new AppError(
            'VALIDATION',
            `"pages" gives names for pages of a PDF, but ${file.fileName ?? 'this file'} is an image: send "names"`,
          ),
        );
      const { format } = await validateImage(bytes, this.limits.maxPixels).catch(refuse);
      const { hash } = await this.uploads.put(bytes);
      stored.push({ hash, format, fileName: file.fileName, documentHash: null, page: null, readCaptions: fields.readCaptions ?? false });
    }
    const fingerprint = contentHash(
      Buffer.from(
        JSON.stringify({
          files: stored.map((file) => [file.documentHash ?? file.hash, file.fileName]),
          ...fields,
          pageClaims: [...(fields.pageClaims ?? [])],
        }),
      ),
    );
    const replayed = async () => {
      const earlier = key ? await this.store.uploadRequests.get(key.actor, key.idempotencyKey) : null;
      if (!earlier) return null;
      if (earlier.fingerprint !== fingerprint)
        throw new AppError(
          'CONFLICT',
          'this Idempotency-Key was used for another request (other files or fields): use a new key for a new upload',
        );
      const checks = await Promise.all(earlier.checkIds.map((id) => this.store.checks.get(id)));
      return { checks: checks.filter((check): check is CheckRecord => check !== null), replayed: true };
    };
    const earlier = await replayed();
    if (earlier) return earlier;

    const taken = new Error('idempotency key taken');
    const created = await this.store
      .transaction(async (tx) => {
        const checks: CheckRecord[] = [];
        for (const file of stored) {
          checks.push(
            await tx.checks.insert({
              batchId: fields.batchId,
              fileHash: file.hash,
              fileName: file.fileName,
              format: file.format,
              documentHash: file.documentHash,
              page: file.page,
              readCaptions: file.readCaptions,
              category,
              claims: (file.page !== null ? fields.pageClaims?.get(file.page) : undefined) ?? fields.claims,
              submittedBy: actor,
            }),
          );
        }
        // The same request sent twice at once: the other one committed first, so this one rolls back.
        if (
          key &&
          !(await tx.uploadRequests.insert(key.actor, key.idempotencyKey, { fingerprint, checkIds: checks.map((check) => check.id) }))
        )
          throw taken;
        return checks;
      })
      .catch((error: unknown) => {
        if (error === taken) return null;
        throw error;
      });
    if (!created) {
      const other = await replayed();
      if (other) return other;
      throw new AppError('CONFLICT', 'this Idempotency-Key is being used by another request right now; try again');
    }
    try {
      for (const check of created) await this.queues.enqueueCheck(check.id);
    } catch (error) {
      // Without their jobs the checks would wait for the recovery sweep: take them back and say so now.
      await this.store
        .transaction(async (tx) => {
          for (const check of created) await tx.checks.delete(check.id);
          if (key) await tx.uploadRequests.delete(key.actor, key.idempotencyKey);
        })
        .catch(() => undefined);
      throw new AppError('SERVICE_UNAVAILABLE', `the check could not be queued (Redis: ${(error as Error).message}); try again`);
    }
    return { checks: created, replayed: false };
  }

  async get(id: string): Promise<CheckWithResult> {
    const check = isUuid(id) ? await this.store.checks.getWithResult(id) : null;
    if (!check) throw new AppError('NOT_FOUND', `no check ${id}`);
    return check;
  }

  list(filter: CheckFilter) {
    return this.store.checks.list(filter);
  }

  /** The review desk's inbox (flagged and undecided first) with its counts. */
  inbox(filter: InboxFilter) {
    return this.store.checks.inbox(filter);
  }

  /** The draft of a check already read, as uploaded, with its upright size (the face boxes are in those pixels). */
  async draft({
    fileHash,
    format,
  }: Pick<CheckRecord, 'fileHash' | 'format'>): Promise<{ bytes: Buffer; format: string | null; width: number; height: number }> {
    const bytes = await this.uploads.get(fileHash);
    const { width, height } = await uprightSize(bytes);
    return { bytes, format, width, height };
  }

  /** The verification team's decision on a check, kept on the check and in the audit log. */
  async review(
    id: string,
    decision: ReviewDecision,
    note: string | null,
    actor: string | null,
    reviewer: string | null = null,
  ): Promise<CheckWithResult> {
    await this.get(id);
    const deliveries = await this.store.transaction(async (tx) => {
      const reviewed = await tx.checks.review(id, decision, note, actor);
      await tx.audit.record({ actor, action: 'check.reviewed', subject: `check:${id}`, details: { decision, note } });
      if (!reviewed || !this.publisher) return [];
      return this.publisher.record(tx, {
        type: 'check.reviewed',
        data: {
          checkId: id,
          batchId: reviewed.batchId,
          file: reviewed.fileName ?? id,
          review: { decision, note, reviewedBy: reviewer, at: reviewed.reviewedAt },
        },
      });
    });
    await this.publisher?.relay(deliveries);
    return this.get(id);
  }
}

/** A check carries at most maxClaims names of at most maxNameLength characters (config MAX_CLAIMS_PER_CHECK, MAX_NAME_LENGTH). */
export function checkClaimLimits(claims: Claim[], limits: { maxClaims: number; maxNameLength: number }): void {
  if (claims.length > limits.maxClaims)
    throw new AppError('VALIDATION', `a check takes at most ${limits.maxClaims} names; got ${claims.length}: split the document`);
  const invalid = claims.findIndex((claim) => textProblem(claim.text) !== null);
  if (invalid >= 0) throw new AppError('VALIDATION', `name ${invalid + 1} ${textProblem(claims[invalid].text)}`);
  const long = claims.findIndex((claim) => claim.text.length > limits.maxNameLength);
  if (long >= 0)
    throw new AppError(
      'VALIDATION',
      `name ${long + 1} is ${claims[long].text.length} characters long; a name takes at most ${limits.maxNameLength}`,
    );
}

/** Names in reading order become claims without boxes; explicit claims may carry a box. */
export function claimsFrom(names: string[] | undefined, claims: Array<{ text: string; box?: Box }> | undefined): Claim[] {
  if (names && claims) throw new AppError('VALIDATION', 'send either "names" (in reading order) or "claims" (with boxes), not both');
  if (claims) return claims.map((claim) => (claim.box ? { text: claim.text, box: claim.box } : { text: claim.text }));
  return (names ?? []).map((text) => ({ text }));
}
