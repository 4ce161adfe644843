import { evaluateCaptionsUnread } from '../domain/captions.js';
import { evaluateImage, type ImageEvaluation } from '../domain/evaluate.js';
import type { Gallery } from '../domain/gallery.js';
import type { CaptionsReport, CheckRequest } from '../domain/results.js';
import type { ImageAnalysis } from '../domain/types.js';
import type { FaceEngine } from '../engine/pool.js';
import { AppError, isPermanentImageError } from '../errors.js';
import { CaptionReader, evaluateReadingCaptions, pdfPageText } from '../images/ocr.js';
import { defaultPdfLimits, type PdfRenderLimits } from '../images/pdf.js';
import { PermanentFailure, RegistryNotReady } from '../queues/outcomes.js';
import type { CheckRecord } from '../store/checks.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';
import { completeBatchIfEnded } from './batches.js';
import { imageResultOf } from './checks.js';
import type { EventPublisher } from './events.js';
import type { EvidenceService } from './evidence.js';
import type { GalleryCache } from './gallery.js';

/**
 * Runs one check: the same engine and verdict rules as the offline checker, then the result is
 * written as a whole (faces replaced in one transaction) so a repeated job leaves one result.
 */
export class CheckRunner {
  constructor(
    private readonly store: Store,
    private readonly uploads: UploadStore,
    private readonly engine: Pick<FaceEngine, 'analyze' | 'model'>,
    private readonly gallery: GalleryCache,
    private readonly publisher: EventPublisher,
    /** Draws the flagged faces' evidence once the result is in, before the events go out (null: drawn on request). */
    private readonly evidence: Pick<EvidenceService, 'prerender'> | null = null,
    /** Reads captions for checks that ask for it (its OCR starts on first use); null: such checks are checked without names. */
    private readonly captions: { reader: CaptionReader; pdfLimits?: PdfRenderLimits } | null = null,
  ) {}

  /**
   * A caption reader for the runner: OCR threads that start on the first check read by OCR
   * (close() ends them), each page read in at most `ocrTimeoutMs`.
   */
  static captionReader(pdfLimits: PdfRenderLimits, ocrTimeoutMs?: number): { reader: CaptionReader; pdfLimits: PdfRenderLimits } {
    return { reader: new CaptionReader(ocrTimeoutMs ? { timeoutMs: ocrTimeoutMs } : {}), pdfLimits };
  }

  /** Returns false when the check had already ended (a job delivered again after its result was written). */
  async run(checkId: string): Promise<boolean> {
    const stale = await this.store.referencePhotos.staleCount(this.engine.model);
    if (stale > 0) throw new RegistryNotReady(stale);
    const check = await this.store.checks.start(checkId);
    if (!check) return false;
    let analysis: Awaited<ReturnType<typeof this.engine.analyze>>;
    let bytes: Buffer;
    try {
      bytes = await this.uploads.get(check.fileHash);
      analysis = await this.engine.analyze(bytes);
    } catch (error) {
      if (isPermanentImageError(error) || (error instanceof AppError && error.code === 'NOT_FOUND')) {
        await this.fail(check, error as AppError);
        throw new PermanentFailure(error as AppError);
      }
      throw error;
    }
    const [gallery, claims] = await Promise.all([this.gallery.current(), this.store.checks.claims(checkId)]);
    const request: CheckRequest = { claims, ...(check.category ? { category: check.category } : {}) };
    const evaluation =
      check.readCaptions && claims.length === 0
        ? await this.withCaptions(check, bytes, analysis, gallery, request)
        : evaluateImage(analysis, gallery, request);
    // The result, its events and the batch's completion commit together (the outbox); then they are relayed.
    const deliveries = await this.store.transaction(async (tx) => {
      if (check.batchId) await tx.batches.lock(check.batchId);
      const ended = await tx.checks.saveOutcome(checkId, { ...evaluation, model: analysis.model });
      const data = { checkId, batchId: ended.batchId, result: imageResultOf(ended, evaluation.faces) };
      const recorded = evaluation.flagged ? await this.publisher.record(tx, { type: 'check.flagged', data }) : [];
      recorded.push(...(await this.publisher.record(tx, { type: 'check.completed', data })));
      if (ended.batchId) recorded.push(...(await completeBatchIfEnded(tx, this.publisher, ended.batchId)));
      return recorded;
    });
    // Ready before a receiver of check.flagged follows its evidence links; drawn on request if this fails.
    if (evaluation.flagged && this.evidence) await this.evidence.prerender(checkId).catch(() => undefined);
    await this.publisher.relay(deliveries);
    return true;
  }

  /**
   * The names read from the captions: a PDF page's text layer when it has one, else OCR of the
   * page or image. A page whose captions cannot be read is checked without names, and says why.
   */
  private async withCaptions(
    check: CheckRecord,
    bytes: Buffer,
    analysis: ImageAnalysis,
    gallery: Gallery,
    request: CheckRequest,
  ): Promise<ImageEvaluation & { captions: CaptionsReport }> {
    if (!this.captions) return evaluateCaptionsUnread(analysis, gallery, request, 'this worker does not read captions');
    const { reader, pdfLimits = defaultPdfLimits } = this.captions;
    const { documentHash, page } = check;
    const pdf = documentHash && page ? pdfPageText(() => this.uploads.get(documentHash), page, pdfLimits) : null;
    return evaluateReadingCaptions(reader, bytes, pdf, analysis, gallery, request);
  }

  /** The last retry of a transient error has failed too: the check ends failed, with the reason. */
  async giveUp(checkId: string, error: unknown): Promise<void> {
    const check = await this.store.checks.get(checkId);
    if (!check) return;
    const reason =
      error instanceof AppError ? error : new AppError('INTERNAL', `the check failed after all retries: ${(error as Error).message}`);
    await this.fail(check, reason);
  }

  private async fail(check: CheckRecord, error: AppError): Promise<void> {
    const deliveries = await this.store.transaction(async (tx) => {
      if (check.batchId) await tx.batches.lock(check.batchId);
      const failed = await tx.checks.saveFailure(check.id, { code: error.code, message: error.message });
      if (!failed) return [];
      const recorded = await this.publisher.record(tx, {
        type: 'check.failed',
        data: { checkId: check.id, batchId: check.batchId, result: imageResultOf(failed, []) },
      });
      if (check.batchId) recorded.push(...(await completeBatchIfEnded(tx, this.publisher, check.batchId)));
      return recorded;
    });
    await this.publisher.relay(deliveries);
  }
}
