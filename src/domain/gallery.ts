/**
 * The registry as the matcher sees it: people and the descriptors of their active reference
 * photos, all made by one model. Descriptors of different models are not comparable.
 */
import { AppError } from '../errors.js';
import { type DescriptorName, descriptorModeOf, descriptorPart } from './descriptor-modes.js';
import type { ReferenceDescriptor, RegistryPerson } from './types.js';

export interface Gallery {
  model: string;
  people: RegistryPerson[];
  references: ReferenceDescriptor[];
}

/** A reference photo's embedding as stored: with the model that made it and whether it is in use. */
export interface StoredReference extends ReferenceDescriptor {
  model: string;
  /** A retired photo (found to be wrong) is kept for the record but never compared. */
  active?: boolean;
}

/**
 * Builds the gallery for an engine's model. Refuses (CONFLICT) embeddings made by another model,
 * which must be re-embedded, and (VALIDATION) photos of people not in the registry.
 */
export function buildGallery(model: string, people: RegistryPerson[], references: StoredReference[]): Gallery {
  const active = references.filter((reference) => reference.active !== false);
  const stale = active.filter((reference) => reference.model !== model);
  if (stale.length > 0) {
    const listed = stale
      .slice(0, 5)
      .map((reference) => `${reference.referencePhoto} (${reference.model})`)
      .join(', ');
    throw new AppError(
      'CONFLICT',
      `${stale.length} reference photo embedding(s) were made by another model than the engine's ${model}: ${listed}; re-embed the registry`,
    );
  }
  const ids = new Set(people.map((person) => person.id));
  const orphans = active.filter((reference) => !ids.has(reference.personId));
  if (orphans.length > 0) {
    throw new AppError(
      'VALIDATION',
      `reference photo ${orphans[0].referencePhoto} belongs to "${orphans[0].personId}", who is not in the registry`,
    );
  }
  return {
    model,
    people,
    references: active.map(({ personId, referencePhoto, descriptor }) => ({ personId, referencePhoto, descriptor })),
  };
}

const partGalleries = new WeakMap<Gallery, Map<DescriptorName, Gallery>>();

/**
 * The same registry seen by one network of a fused gallery: each reference photo's descriptor is
 * that network's part of the fused vector. Built on first use and kept as long as the gallery is.
 */
export function galleryOfPart(gallery: Gallery, name: DescriptorName): Gallery {
  let parts = partGalleries.get(gallery);
  if (!parts) {
    parts = new Map();
    partGalleries.set(gallery, parts);
  }
  let part = parts.get(name);
  if (!part) {
    const mode = descriptorModeOf(gallery.model);
    part = {
      model: `${gallery.model}#${name}`,
      people: gallery.people,
      references: gallery.references.map((reference) => ({ ...reference, descriptor: descriptorPart(reference.descriptor, mode, name) })),
    };
    parts.set(name, part);
  }
  return part;
}
