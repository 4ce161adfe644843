import { describe, expect, it } from 'vitest';
import { distanceFromSimilarity, rankPeople, similarity } from '../../src/domain/matching.js';
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
