import { checkReferencePhoto } from '../domain/evaluate.js';
import type { FaceEngine } from '../engine/pool.js';
import { AppError, isPermanentImageError } from '../errors.js';
import { PermanentFailure } from '../queues/outcomes.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';

/**
 * Enrols a reference photo: exactly one face passing the reference gate (or the face in the
 * curator's chosen box) becomes an active descriptor; anything else is rejected with the reason.
 */
export class EnrolmentRunner {
  constructor(
    private readonly store: Store,
    private readonly uploads: UploadStore,
    private readonly engine: Pick<FaceEngine, 'analyze' | 'model'>,
  ) {}

  async run(referencePhotoId: string): Promise<'active' | 'rejected' | 'skipped'> {
    const photo = await this.store.referencePhotos.get(referencePhotoId);
    if (!photo || photo.status === 'retired' || photo.status === 'rejected') return 'skipped';
    if (photo.status === 'active' && photo.model === this.engine.model) return 'skipped';
    let analysis: Awaited<ReturnType<typeof this.engine.analyze>>;
    try {
      analysis = await this.engine.analyze(await this.uploads.get(photo.fileHash));
    } catch (error) {
      if (!isPermanentImageError(error) && !(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
      await this.settle(photo.id, photo.personId, { reason: (error as AppError).message });
      throw new PermanentFailure(error as AppError);
    }
    const decision = checkReferencePhoto(analysis, photo.chosenBox ? { box: photo.chosenBox } : undefined);
    return this.settle(
      photo.id,
      photo.personId,
      decision.face
        ? {
            enrolment: {
              faceBox: decision.face.box,
              descriptor: decision.face.descriptor,
              quality: decision.face.quality,
              model: analysis.model,
              warnings: decision.warnings,
            },
          }
        : { reason: decision.reason },
    );
  }

  /**
   * The photo's job failed for good (every retry failed, or it stopped its worker again and again):
   * reject it with the reason. That includes an active photo the current model could not re-embed,
   * which would otherwise hold up every check (see RegistryNotReady).
   */
  async giveUp(referencePhotoId: string, reason: string): Promise<void> {
    const photo = await this.store.referencePhotos.get(referencePhotoId);
    if (!photo) return;
    const stale = photo.status === 'active' && photo.model !== this.engine.model;
    if (photo.status === 'pending' || stale) {
      await this.settle(photo.id, photo.personId, {
        reason: stale ? `could not be re-embedded by ${this.engine.model}: ${reason}` : reason,
      });
    }
  }

  private settle(
    id: string,
    personId: string,
    outcome: { enrolment: Parameters<Store['referencePhotos']['activate']>[1] } | { reason: string },
  ): Promise<'active' | 'rejected' | 'skipped'> {
    return this.store.transaction(async (tx) => {
      const updated =
        'enrolment' in outcome
          ? await tx.referencePhotos.activate(id, outcome.enrolment)
          : await tx.referencePhotos.reject(id, outcome.reason, null);
      if (!updated) return 'skipped';
      const action = updated.status === 'active' ? 'reference_photo.enrolled' : 'reference_photo.rejected';
      await tx.audit.record({
        actor: null,
        action,
        subject: `person:${personId}`,
        details: { referencePhoto: id, reason: updated.rejectionReason, model: updated.model },
      });
      await tx.registryState.bump();
      return updated.status as 'active' | 'rejected';
    });
  }
}
