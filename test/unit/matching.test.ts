import { describe, expect, it } from 'vitest';
import type { Gallery } from '../../src/domain/gallery.js';
import { coarseMinRows, distanceFromSimilarity, rankPeople, similarity } from '../../src/domain/matching.js';
import { createCoarseKernel, createScoreKernel } from '../../src/domain/score-kernel.js';
import { descriptorLike, gallery } from './synthetic.js';

describe('comparing a face with the registry', () => {
  it('similarity is the cosine of the descriptors, and relates to the distance face-api uses', () => {
    expect(similarity([1, 0], [1, 0])).toBeCloseTo(1, 10);
    expect(similarity([1, 0], [0, 2])).toBeCloseTo(0, 10);
    expect(similarity([0, 0], [1, 0])).toBe(0);
    // face-api's usual 0.6 distance is a similarity of 0.82.
    expect(distanceFromSimilarity(0.82)).toBeCloseTo(0.6, 2);
  });

  it('ranks every registry person by their best reference photo, best first', () => {
    const ranked = rankPeople(descriptorLike({ 'server-mustafayev': 0.7, 'enver-bekirov': 0.5 }), gallery());
    expect(ranked.map((match) => match.personId)).toEqual(['server-mustafayev', 'enver-bekirov', 'maksym-butkevych', 'nariman-dzhelyal']);
    expect(ranked[0]).toMatchObject({ name: 'Server Mustafayev', referencePhoto: 'server-mustafayev/portrait.jpg' });
    expect(ranked[0].score).toBeCloseTo(0.7, 6);
  });

  it('an empty registry ranks nobody', () => {
    expect(rankPeople(descriptorLike({}), { model: 'test-model', people: [], references: [] })).toEqual([]);
  });
});

describe('1:N at registry scale', () => {
  it('the best k people and the claimed one are those of the full ranking, in the same order', () => {
    const probe = descriptorLike({ 'server-mustafayev': 0.7, 'enver-bekirov': 0.5, 'maksym-butkevych': 0.2 });
    const everyone = rankPeople(probe, gallery());
    expect(rankPeople(probe, gallery(), { top: 2 })).toEqual(everyone.slice(0, 2));
    const withClaim = rankPeople(probe, gallery(), { top: 1, include: ['nariman-dzhelyal'] });
    expect(withClaim).toEqual([everyone[0], everyone.find((match) => match.personId === 'nariman-dzhelyal')]);
  });

  it("a person's score is their best reference photo's, and names that photo", () => {
    const base = gallery();
    const second = {
      personId: 'enver-bekirov',
      referencePhoto: 'enver-bekirov/closer.jpg',
      descriptor: descriptorLike({ 'server-mustafayev': 0.9 }),
    };
    const ranked = rankPeople(
      descriptorLike({ 'server-mustafayev': 1 }),
      { ...base, references: [...base.references, second] },
      { top: 2 },
    );
    expect(ranked[0]).toMatchObject({ personId: 'server-mustafayev', referencePhoto: 'server-mustafayev/portrait.jpg' });
    expect(ranked[1]).toMatchObject({ personId: 'enver-bekirov', referencePhoto: 'enver-bekirov/closer.jpg' });
    expect(ranked[1].score).toBeCloseTo(0.9, 6);
  });
});

describe('the 1:N scoring kernel', () => {
  it('scores every reference row as the plain dot product, in SIMD as in JavaScript, for 128-d and fused 640-d rows', () => {
    const next = seeded(1);
    for (const dimension of [128, 640, 5]) {
      const rows = 37;
      const simd = createScoreKernel(rows, dimension);
      const plain = createScoreKernel(rows, dimension, false);
      for (let i = 0; i < rows * dimension; i++) simd.matrix[i] = plain.matrix[i] = next();
      const probe = Float32Array.from({ length: dimension }, next);
      const expected = Array.from({ length: rows }, (_, row) => probe.reduce((sum, v, i) => sum + v * simd.matrix[row * dimension + i], 0));
      const fromSimd = Array.from(simd.score(probe));
      const fromPlain = Array.from(plain.score(probe));
      for (const [row, value] of fromSimd.entries()) expect(value).toBeCloseTo(expected[row], 5);
      for (const [row, value] of fromPlain.entries()) expect(value).toBeCloseTo(expected[row], 5);
    }
  });

  it('the 8-bit first pass scores every row within 0.003 of its dot product, 128-d and fused 640-d', () => {
    const next = seeded(7);
    for (const dimension of [128, 640]) {
      const rows = 53;
      const matrix = new Float32Array(rows * dimension);
      for (let row = 0; row < rows; row++) matrix.set(unitVector(dimension, next), row * dimension);
      const coarse = createCoarseKernel(matrix, rows, dimension);
      expect(coarse).not.toBeNull();
      const probe = unitVector(dimension, next);
      const scores = coarse!.score(probe);
      for (let row = 0; row < rows; row++) {
        const exact = probe.reduce((sum, v, i) => sum + v * matrix[row * dimension + i], 0);
        expect(Math.abs(scores[row] - exact)).toBeLessThan(0.003);
      }
    }
    // Only whole 16-byte vectors: other dimensions keep the float pass.
    expect(createCoarseKernel(new Float32Array(24), 1, 24)).toBeNull();
  });
});

/** A repeatable sequence of numbers in [-0.5, 0.5). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

/** The vector scaled to unit length. */
function unitOf(vector: ArrayLike<number>): number[] {
  const values = Array.from(vector);
  const norm = Math.hypot(...values);
  return values.map((v) => v / norm);
}

/** A random unit vector from `next`. */
function unitVector(dimension: number, next: () => number): Float32Array {
  return Float32Array.from(unitOf(Array.from({ length: dimension }, next)));
}

describe('1:N in a registry of more than 20,000 reference photos (an 8-bit first pass, then exact scores)', () => {
  it('names the same best two people, with the same scores and photos, and the claimed person with their exact score', () => {
    const next = seeded(11);
    const dimension = 640;
    const people = Math.ceil(coarseMinRows / 2) + 500;
    const references: Gallery['references'] = [];
    for (let person = 0; person < people; person++)
      for (const photo of ['a', 'b'])
        references.push({
          personId: `p${person}`,
          referencePhoto: `p${person}/${photo}.jpg`,
          descriptor: Array.from(unitVector(dimension, next)),
        });
    // Near-twins: person 1 is a slightly changed copy of person 0, so the first pass must not swap them.
    references[2].descriptor = references[0].descriptor.map((v) => v + 0.002 * next());
    const gallery: Gallery = { model: 'test-model', people: [], references };
    expect(references.length).toBeGreaterThanOrEqual(coarseMinRows);
    const exactRanking = (probe: number[]) => {
      const unitProbe = unitOf(probe);
      const best = new Map<string, { score: number; photo: string }>();
      for (const reference of references) {
        const row = unitOf(reference.descriptor);
        const score = row.reduce((sum, v, i) => sum + v * unitProbe[i], 0);
        if (score > (best.get(reference.personId)?.score ?? -Infinity))
          best.set(reference.personId, { score, photo: reference.referencePhoto });
      }
      return [...best.entries()].sort((a, b) => b[1].score - a[1].score);
    };
    const probes = [
      // A photo of a registry person (their reference, changed), of the near-twins, and a stranger.
      references[4001].descriptor.map((v) => v + 0.02 * next()),
      references[0].descriptor.map((v) => v + 0.001 * next()),
      Array.from(unitVector(dimension, next)),
    ];
    for (const probe of probes) {
      const expected = exactRanking(probe);
      const claimed = expected[777];
      const ranked = rankPeople(probe, gallery, { top: 2, include: [claimed[0]] });
      expect(ranked.map((match) => match.personId)).toEqual([expected[0][0], expected[1][0], claimed[0]]);
      expect(ranked.map((match) => match.referencePhoto)).toEqual([expected[0][1].photo, expected[1][1].photo, claimed[1].photo]);
      for (const [at, match] of ranked.entries()) expect(match.score).toBeCloseTo([expected[0], expected[1], claimed][at][1].score, 5);
    }
  });
});
