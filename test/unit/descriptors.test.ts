import { describe, expect, it } from 'vitest';
import { descriptorModeOf, descriptorPart } from '../../src/domain/descriptor-modes.js';
import { buildGallery } from '../../src/domain/gallery.js';
import { rankPeople, similarity } from '../../src/domain/matching.js';
import { defaultThresholds, thresholdsFor } from '../../src/domain/thresholds.js';
import { descriptorDimension, fuse, fusedScore, fusionWeights } from '../../src/engine/descriptors.js';
import { defaultPipelineOptions, modelId } from '../../src/engine/pipeline.js';

const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);

describe('fusing face-api with a second descriptor', () => {
  it('a fused score is the weighted mean of the two cosines, w_i^2 s_i / sum w_i^2', () => {
    // face-api cosine 0.8, fr-feature cosine 0.2; weights 2 and 1 give (4 * 0.8 + 1 * 0.2) / 5 = 0.68.
    const weights = { 'face-api': 2, 'fr-feature': 1 };
    const a = fuse({ 'face-api': [1, 0], 'fr-feature': [1, 0, 0] }, ['face-api', 'fr-feature'], weights);
    const b = fuse({ 'face-api': [0.8, 0.6], 'fr-feature': [0.2, Math.sqrt(0.96), 0] }, ['face-api', 'fr-feature'], weights);
    expect(a).toHaveLength(5);
    expect(dot(a, a)).toBeCloseTo(1, 12);
    expect(dot(a, b)).toBeCloseTo(0.68, 12);
    expect(fusedScore({ 'face-api': 0.8, 'fr-feature': 0.2 }, ['face-api', 'fr-feature'], weights)).toBeCloseTo(0.68, 12);
  });

  it('with the measured weights, 1:N over fused vectors ranks by the fused score', () => {
    const names = ['face-api', 'fr-feature'] as const;
    const probe = fuse({ 'face-api': [1, 0], 'fr-feature': [1, 0] }, [...names]);
    const lookalike = fuse({ 'face-api': [0.95, Math.sqrt(1 - 0.95 ** 2)], 'fr-feature': [0.1, Math.sqrt(0.99)] }, [...names]);
    const same = fuse({ 'face-api': [0.9, Math.sqrt(1 - 0.81)], 'fr-feature': [0.7, Math.sqrt(0.51)] }, [...names]);
    const gallery = {
      model: 'fused-test',
      people: [
        { id: 'lookalike', name: 'Look Alike', aliases: [] },
        { id: 'same', name: 'Same Person', aliases: [] },
      ],
      references: [
        { personId: 'lookalike', referencePhoto: 'l.jpg', descriptor: lookalike },
        { personId: 'same', referencePhoto: 's.jpg', descriptor: same },
      ],
    };
    const ranked = rankPeople(probe, gallery);
    expect(ranked.map((match) => match.personId)).toEqual(['same', 'lookalike']);
    expect(ranked[0].score).toBeCloseTo(fusedScore({ 'face-api': 0.9, 'fr-feature': 0.7 }, [...names]), 6);
    expect(ranked[1].score).toBeCloseTo(similarity(probe, lookalike), 6);
    expect(fusionWeights['face-api']).toBeGreaterThan(0);
    expect(descriptorDimension('fused')).toBe(640);
  });
});

describe('measuring both modes on the same handout material', () => {
  it("gives face-api's own descriptor back out of a fused vector, so look-alikes are chosen alike in either mode", () => {
    const unit = (values: number[]) => values.map((v) => v / Math.hypot(...values));
    const faceApi = unit(Array.from({ length: 128 }, (_, i) => Math.sin(i + 1)));
    const frFeature = unit(Array.from({ length: 512 }, (_, i) => Math.cos(3 * i)));
    const fused = fuse({ 'face-api': faceApi, 'fr-feature': frFeature }, ['face-api', 'fr-feature']);
    const back = descriptorPart(fused, 'fused', 'face-api');
    const largestError = (a: number[], b: number[]) => Math.max(...a.map((value, i) => Math.abs(value - b[i])));
    expect(largestError(back, faceApi)).toBeLessThan(1e-12);
    expect(largestError(descriptorPart(fused, 'fused', 'fr-feature'), frFeature)).toBeLessThan(1e-12);
    expect(descriptorPart(faceApi, 'face-api', 'face-api')).toEqual(faceApi.map((v) => v / Math.hypot(...faceApi)));
    expect(() => descriptorPart(faceApi, 'fused', 'face-api')).toThrow(/640 values, not 128/);
  });
});

describe('changing the descriptor mode', () => {
  const faceApi = modelId(defaultPipelineOptions);
  const fused = modelId({ ...defaultPipelineOptions, descriptor: 'fused' });

  it('gives another model id, naming every descriptor and the fusion weights', () => {
    expect(fused).not.toBe(faceApi);
    expect(faceApi).toMatch(/^face-api-\d+\.\d+\.\d+\/ssd-mobilenetv1\+landmark68\+recognition128\/dlib-aligned-flip$/);
    expect(fused).toContain(faceApi);
    expect(fused).toContain('fr_feature-');
    expect(fused).toContain(`face-api:${fusionWeights['face-api']},fr-feature:${fusionWeights['fr-feature']}`);
    expect(descriptorModeOf(fused)).toBe('fused');
    expect(descriptorModeOf(faceApi)).toBe('face-api');
  });

  it('makes the registry stale: embeddings of the other mode are refused until re-embedded', () => {
    const people = [{ id: 'enver-bekirov', name: 'Enver Bekirov', aliases: [] }];
    const references = [{ personId: 'enver-bekirov', referencePhoto: 'a.jpg', descriptor: [1, 0], model: faceApi }];
    expect(() => buildGallery(fused, people, references)).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining('re-embed') }),
    );
    expect(buildGallery(faceApi, people, references).references).toHaveLength(1);
  });

  it('each mode has its own thresholds; face-api keeps the calibrated defaults', () => {
    expect(thresholdsFor('face-api')).toBe(defaultThresholds);
    expect(thresholdsFor('fused')).not.toBe(defaultThresholds);
  });
});
