/**
 * The offline checker's gallery: every reference photo of a registry folder analysed (or taken
 * from the descriptor cache) and passed through the reference-photo gate. Photos with no face,
 * several faces or a face too poor to judge are reported and left out, never silently used; weak
 * ones are used and reported.
 */
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { contentHash } from '../domain/content-hash.js';
import { checkReferencePhoto } from '../domain/evaluate.js';
import { buildGallery, type Gallery, type StoredReference } from '../domain/gallery.js';
import type { ImageAnalysis } from '../domain/types.js';
import type { FaceEngine } from '../engine/pool.js';
import { isAppError } from '../errors.js';
import type { DescriptorCache } from '../registry-folder/cache.js';
import type { RegistryFolder } from '../registry-folder/folder.js';
import type { FolderRegistrySummary, SkippedReferencePhoto, WeakReferencePhoto } from '../report/report.js';

export interface LoadedRegistry {
  gallery: Gallery;
  summary: FolderRegistrySummary;
}

export async function loadReferencePhotos(
  registry: RegistryFolder,
  engine: FaceEngine,
  cache: DescriptorCache,
  onPhoto: (referencePhoto: string) => void = () => {},
): Promise<LoadedRegistry> {
  let computed = 0;
  let fromCache = 0;
  const skipped: SkippedReferencePhoto[] = [];
  const weak: WeakReferencePhoto[] = [];
  const references: StoredReference[] = [];

  const outcomes = await pLimit(engine.threads * 2).map(registry.photos, async (photo) => {
    try {
      const bytes = await readFile(photo.path);
      const hash = contentHash(bytes);
      let analysis: ImageAnalysis | undefined = cache.get(engine.model, hash);
      if (analysis) fromCache++;
      else {
        const { timings: _timings, ...fresh } = await engine.analyze(bytes);
        analysis = fresh;
        cache.set(hash, analysis);
        computed++;
      }
      return { photo, check: checkReferencePhoto(analysis) };
    } catch (error) {
      const reason = isAppError(error) ? `${error.code}: ${error.message}` : `cannot read the file: ${(error as Error).message}`;
      return { photo, check: { accepted: false as const, reason } };
    } finally {
      onPhoto(photo.referencePhoto);
    }
  });

  for (const { photo, check } of outcomes) {
    if (check.accepted) {
      references.push({
        personId: photo.personId,
        referencePhoto: photo.referencePhoto,
        descriptor: check.face.descriptor,
        model: engine.model,
      });
      if (check.warnings.length > 0) weak.push({ referencePhoto: photo.referencePhoto, warnings: check.warnings });
    } else {
      skipped.push({ referencePhoto: photo.referencePhoto, reason: check.reason });
    }
  }
  const withPhotos = new Set(references.map((reference) => reference.personId));
  return {
    gallery: buildGallery(engine.model, registry.people, references),
    summary: {
      source: 'folder',
      people: registry.people.length,
      referencePhotos: { used: references.length, skippedCount: skipped.length, pending: 0, computed, fromCache, skipped, weak },
      peopleWithoutPhotos: registry.people.filter((person) => !withPhotos.has(person.id)).map((person) => person.name),
    },
  };
}
