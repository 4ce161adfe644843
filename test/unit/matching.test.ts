import { describe, expect, it } from 'vitest';
import { distanceFromSimilarity, rankPeople, similarity } from '../../src/domain/matching.js';
import { createScoreKernel } from '../../src/domain/score-kernel.js';
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
    let seed = 1;
    const next = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
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
});
