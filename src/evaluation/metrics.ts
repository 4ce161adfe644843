/**
 * Verification metrics over scored pairs. Scores are cosine similarities of L2-normalised
 * descriptors (distance = sqrt(2 - 2 * score)). Pure functions: the evaluation CLI and the unit
 * tests share them.
 */
import type { Thresholds } from '../domain/thresholds.js';

export interface ScoredPair {
  same: boolean;
  /** null when no face was found in one of the two images. */
  score: number | null;
  /**
   * The fused mode's second opinion (domain/verdicts.ts, withSecondOpinion): face-api's own score
   * of the pair and its reject. A pair it rejects is not accepted, and one it does not reject is
   * not rejected: either is uncertain.
   */
  secondOpinion?: { score: number; reject: number };
}

export interface PairMetrics {
  pairs: number;
  /** Pairs where one of the two images gave no face (counted as wrong in accuracy). */
  noFace: number;
  /** Binary decision at `thresholds.decision`, over all pairs; a no-face pair is wrong. */
  accuracy: number;
  /** Different-person pairs accepted (scoring >= accept), over the different-person pairs that were scored. */
  falseAcceptRate: number;
  /** Same-person pairs rejected (scoring < reject), over the same-person pairs that were scored. */
  falseRejectRate: number;
  /** Scored pairs neither accepted nor rejected (reject <= score < accept, or a second opinion against). */
  uncertainRate: number;
  /** Equal error rate of the binary decision over the scored pairs. */
  eer: number;
  /** Same-person pairs below the threshold at which at most 0.1% of different-person pairs pass. */
  frrAtFar001: number;
}

/**
 * The score of a pair from the Euclidean distance of its descriptors: the cosine for this
 * engine's unit-length descriptors, and the right reading of face-api's raw (not unit-length)
 * plain descriptors, whose usual rule is "same person below distance 0.6".
 */
export function pairScore(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let squared = 0;
  for (let i = 0; i < a.length; i++) squared += (a[i] - b[i]) ** 2;
  return 1 - squared / 2;
}

export function distanceToScore(distance: number): number {
  return 1 - (distance * distance) / 2;
}

export function pairMetrics(pairs: ScoredPair[], thresholds: Thresholds): PairMetrics {
  type Scored = ScoredPair & { score: number };
  const scored = pairs.filter((p): p is Scored => p.score !== null);
  const same = scored.filter((p) => p.same).map((p) => p.score);
  const different = scored.filter((p) => !p.same).map((p) => p.score);
  const correct = scored.filter((p) => p.score >= thresholds.decision === p.same).length;
  const accepted = (p: Scored) => p.score >= thresholds.accept && !(p.secondOpinion && p.secondOpinion.score < p.secondOpinion.reject);
  const rejected = (p: Scored) => p.score < thresholds.reject && !(p.secondOpinion && p.secondOpinion.score >= p.secondOpinion.reject);
  const scoredSame = scored.filter((p) => p.same);
  const scoredDifferent = scored.filter((p) => !p.same);
  return {
    pairs: pairs.length,
    noFace: pairs.length - scored.length,
    accuracy: ratio(correct, pairs.length),
    falseAcceptRate: ratio(scoredDifferent.filter(accepted).length, scoredDifferent.length),
    falseRejectRate: ratio(scoredSame.filter(rejected).length, scoredSame.length),
    uncertainRate: ratio(scored.filter((p) => !accepted(p) && !rejected(p)).length, scored.length),
    eer: equalErrorRate(same, different).eer,
    frrAtFar001: frrAtFar(same, different, 0.001),
  };
}

const ratio = (count: number, total: number) => (total === 0 ? 0 : count / total);

/** The threshold t where FAR(t) = #different >= t and FRR(t) = #same < t meet; their mean there. */
export function equalErrorRate(same: number[], different: number[]): { eer: number; threshold: number } {
  if (same.length === 0 || different.length === 0) return { eer: 0, threshold: 0 };
  const candidates = [...new Set([...same, ...different])].sort((a, b) => a - b);
  const sameAsc = [...same].sort((a, b) => a - b);
  const differentAsc = [...different].sort((a, b) => a - b);
  let best = { gap: Infinity, eer: 1, threshold: 0 };
  for (const t of candidates) {
    const far = (differentAsc.length - lowerBound(differentAsc, t)) / differentAsc.length;
    const frr = lowerBound(sameAsc, t) / sameAsc.length;
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { gap, eer: (far + frr) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/** Smallest threshold letting at most `far` of the different-person scores pass (score >= t). */
export function thresholdForFar(different: number[], far: number): number {
  const desc = [...different].sort((a, b) => b - a);
  const allowed = Math.floor(far * desc.length);
  if (allowed >= desc.length) return -Infinity;
  // Any t above the (allowed+1)-th highest impostor score lets at most `allowed` through.
  return nextUp(desc[allowed]);
}

export function frrAtFar(same: number[], different: number[], far: number): number {
  if (same.length === 0) return 0;
  const t = thresholdForFar(different, far);
  return same.filter((s) => s < t).length / same.length;
}

/** Index of the first element >= value in an ascending array. */
function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const nextUp = (value: number) => value + 1e-9;

export interface Calibration {
  thresholds: Thresholds;
  /** What the chosen values give on the calibration pairs. */
  evidence: {
    differentPairs: number;
    samePairs: number;
    acceptFar: number;
    rejectFrr: number;
    eerThreshold: number;
  };
}

/**
 * Picks accept for a false-accept rate of at most `targetFar`, reject for a false-reject rate of
 * at most `targetFrr`, decision at the equal-error point (kept between the two), rounded to the
 * third decimal in the safe direction. The margin is chosen separately (see identification).
 */
export function calibrate(pairs: ScoredPair[], targetFar = 0.001, targetFrr = 0.02, margin = 0): Calibration {
  const scored = pairs.filter((p): p is { same: boolean; score: number } => p.score !== null);
  const same = scored.filter((p) => p.same).map((p) => p.score);
  const different = scored.filter((p) => !p.same).map((p) => p.score);
  const accept = Math.ceil(thresholdForFar(different, targetFar) * 1000) / 1000;
  const sameAsc = [...same].sort((a, b) => a - b);
  const allowed = Math.floor(targetFrr * sameAsc.length);
  // Any t <= the (allowed+1)-th lowest genuine score leaves at most `allowed` below it.
  const reject = Math.min(accept, Math.floor(sameAsc[allowed] * 1000) / 1000);
  const eerThreshold = equalErrorRate(same, different).threshold;
  const decision = Math.min(accept, Math.max(reject, Math.round(eerThreshold * 1000) / 1000));
  return {
    thresholds: { accept, reject, decision, margin },
    evidence: {
      differentPairs: different.length,
      samePairs: same.length,
      acceptFar: different.filter((s) => s >= accept).length / different.length,
      rejectFrr: same.filter((s) => s < reject).length / same.length,
      eerThreshold,
    },
  };
}

export interface Probe {
  identity: string;
  /** Best score per gallery identity (the probe's own image excluded). */
  scores: Map<string, number>;
}

/**
 * The margin below which a best person's lead over the runner-up makes the answer uncertain:
 * the `quantile` of the lead among correct identifications scoring >= accept, so that this
 * share of right answers turns uncertain. Also reports how many wrong ones it would catch.
 */
export function calibrateMargin(
  probes: Probe[],
  accept: number,
  quantile = 0.01,
): { margin: number; correct: number; wrong: number; wrongCaught: number } {
  const leadsCorrect: number[] = [];
  const leadsWrong: number[] = [];
  for (const probe of probes) {
    const ranked = [...probe.scores.entries()].sort((a, b) => b[1] - a[1]);
    if (ranked.length < 2 || ranked[0][1] < accept) continue;
    const lead = ranked[0][1] - ranked[1][1];
    (ranked[0][0] === probe.identity ? leadsCorrect : leadsWrong).push(lead);
  }
  leadsCorrect.sort((a, b) => a - b);
  const margin = leadsCorrect.length === 0 ? 0 : Math.floor(leadsCorrect[Math.floor(quantile * leadsCorrect.length)] * 1000) / 1000;
  return { margin, correct: leadsCorrect.length, wrong: leadsWrong.length, wrongCaught: leadsWrong.filter((l) => l < margin).length };
}
