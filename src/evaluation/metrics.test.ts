import { describe, expect, it } from 'vitest';
import {
  calibrate,
  calibrateMargin,
  distanceToScore,
  equalErrorRate,
  frrAtFar,
  pairMetrics,
  type ScoredPair,
  thresholdForFar,
} from './metrics.js';

const pairs = (same: number[], different: number[]): ScoredPair[] => [
  ...same.map((score) => ({ same: true, score })),
  ...different.map((score) => ({ same: false, score })),
];

describe('verification metrics', () => {
  it('turns face-api distance 0.6 into score 0.82 (unit vectors: d^2 = 2 - 2 cos)', () => {
    expect(distanceToScore(0.6)).toBeCloseTo(0.82, 10);
    expect(distanceToScore(0)).toBe(1);
  });

  it('counts a pair without a face as wrong in accuracy and leaves it out of the rates', () => {
    const m = pairMetrics([...pairs([0.9, 0.7], [0.3, 0.85]), { same: true, score: null }], {
      accept: 0.8,
      reject: 0.6,
      decision: 0.75,
      margin: 0,
    });
    expect(m.pairs).toBe(5);
    expect(m.noFace).toBe(1);
    expect(m.accuracy).toBeCloseTo(2 / 5, 10); // 0.9 same right, 0.3 different right
    expect(m.falseAcceptRate).toBe(0.5); // 0.85 >= accept
    expect(m.falseRejectRate).toBe(0); // no same pair below 0.6
    expect(m.uncertainRate).toBe(0.25); // 0.7
  });

  it('in the fused mode, a pair face-api alone rejects is never a false accept, and one it does not reject never a false reject: both are uncertain', () => {
    const thresholds = { accept: 0.8, reject: 0.6, decision: 0.7, margin: 0 };
    const second = (score: number) => ({ score, reject: 0.9 });
    const m = pairMetrics(
      [
        { same: false, score: 0.85, secondOpinion: second(0.92) }, // both accept: a false accept
        { same: false, score: 0.85, secondOpinion: second(0.85) }, // face-api rejects: uncertain
        { same: true, score: 0.5, secondOpinion: second(0.95) }, // face-api does not reject: uncertain
        { same: true, score: 0.5, secondOpinion: second(0.8) }, // both reject: a false reject
      ],
      thresholds,
    );
    expect(m.falseAcceptRate).toBe(0.5);
    expect(m.falseRejectRate).toBe(0.5);
    expect(m.uncertainRate).toBe(0.5);
    // The binary decision and the score-based rates do not depend on it.
    expect(m.accuracy).toBe(0);
  });

  it('finds the equal error rate where misses and false matches balance', () => {
    const same = [0.5, 0.7, 0.8, 0.9];
    const different = [0.1, 0.2, 0.3, 0.6];
    const { eer, threshold } = equalErrorRate(same, different);
    expect(eer).toBe(0.25);
    expect(threshold).toBeGreaterThan(0.5);
    expect(threshold).toBeLessThanOrEqual(0.6);
  });

  it('sets accept just above the highest impostor scores it may let through', () => {
    const different = Array.from({ length: 2000 }, (_, i) => i / 2000); // 0 .. 0.9995
    const t = thresholdForFar(different, 0.001); // at most 2 of 2000 at or above t
    expect(different.filter((s) => s >= t)).toHaveLength(2);
    expect(frrAtFar([0.9999, 0.5], different, 0.001)).toBe(0.5);
  });

  it('calibrates accept for at most 0.1% false accepts and reject for at most 2% false rejects', () => {
    const same = Array.from({ length: 1000 }, (_, i) => 0.6 + (0.4 * i) / 1000);
    const different = Array.from({ length: 1000 }, (_, i) => (0.8 * i) / 1000);
    const { thresholds, evidence } = calibrate(pairs(same, different));
    expect(evidence.acceptFar).toBeLessThanOrEqual(0.001);
    expect(evidence.rejectFrr).toBeLessThanOrEqual(0.02);
    expect(thresholds.reject).toBeLessThanOrEqual(thresholds.decision);
    expect(thresholds.decision).toBeLessThanOrEqual(thresholds.accept);
  });

  it('picks the margin so that 1% of the confident right identifications become uncertain', () => {
    const probes = Array.from({ length: 100 }, (_, i) => ({
      identity: 'a',
      scores: new Map([
        ['a', 0.9],
        ['b', 0.9 - (i + 1) / 1000],
      ]),
    }));
    probes.push({
      identity: 'a',
      scores: new Map([
        ['b', 0.95],
        ['a', 0.949],
      ]),
    });
    const result = calibrateMargin(probes, 0.8);
    expect(result.correct).toBe(100);
    expect(result.margin).toBe(0.002);
    expect(result.wrongCaught).toBe(1);
  });
});
