/**
 * 1:N matching: a face against every active reference photo of every person. A person's score
 * is their best photo's, and the answer names that photo.
 */
import type { Gallery } from './gallery.js';
import type { Match } from './results.js';

/** Cosine similarity; for the engine's unit-length descriptors, the dot product. */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Euclidean distance of unit-length descriptors from their similarity (face-api's usual 0.6 is a distance). */
export function distanceFromSimilarity(score: number): number {
  return Math.sqrt(Math.max(0, 2 - 2 * score));
}

/** Every registry person with at least one reference photo, best first (ties by id, so the order is stable). */
export function rankPeople(descriptor: ArrayLike<number>, gallery: Gallery): Match[] {
  const best = new Map<string, { score: number; referencePhoto: string }>();
  for (const reference of gallery.references) {
    const score = similarity(descriptor, reference.descriptor);
    const current = best.get(reference.personId);
    if (!current || score > current.score) best.set(reference.personId, { score, referencePhoto: reference.referencePhoto });
  }
  const names = new Map(gallery.people.map((person) => [person.id, person.name]));
  return [...best.entries()]
    .map(([personId, { score, referencePhoto }]) => ({ personId, name: names.get(personId) ?? personId, score, referencePhoto }))
    .sort((a, b) => b.score - a.score || a.personId.localeCompare(b.personId));
}
