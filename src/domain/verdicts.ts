/**
 * The verdict for one face, from its quality, its ranked registry matches and its claim.
 * Never forces the closest match: below the reject threshold, "matches nobody" is the answer.
 */
import type { QualityCheck } from './quality.js';
import type { Match } from './results.js';
import type { Thresholds } from './thresholds.js';
import type { PersonRef, Verdict } from './types.js';

export interface FaceEvidence {
  /** Registry people with a reference photo, best first (see rankPeople): at least the best two and the claimed person. */
  ranked: Match[];
  /** The claimed person, resolved; null when the face carries no claim. */
  claim: PersonRef | null;
  quality: QualityCheck;
}

export interface FaceVerdict {
  verdict: Verdict;
  reasons: string[];
  claimScore: number | null;
  claimReferencePhoto: string | null;
  bestMatch: Match | null;
  nearest: Match | null;
  runnerUp: Match | null;
}

const score = (value: number) => value.toFixed(2);
const describe = (match: Match) => `${match.name} (similarity ${score(match.score)}, reference photo ${match.referencePhoto})`;

/**
 * `identifyAccept` is the score needed to name a face from the whole registry (`identified`, and
 * whom a mismatch "matches instead"); it grows with the registry (see identificationAccept).
 */
export function decideVerdict(evidence: FaceEvidence, thresholds: Thresholds, identifyAccept = thresholds.accept): FaceVerdict {
  const { ranked, claim, quality } = evidence;
  const nearest = ranked[0] ?? null;
  const runnerUp = ranked[1] ?? null;
  const claimed = claim ? (ranked.find((match) => match.personId === claim.personId) ?? null) : null;
  const base = {
    claimScore: claimed?.score ?? null,
    claimReferencePhoto: claimed?.referencePhoto ?? null,
    nearest,
    runnerUp,
  };
  const accepted = nearest && nearest.score >= identifyAccept ? nearest : null;

  if (!quality.passed) {
    return {
      ...base,
      verdict: 'low_quality',
      bestMatch: null,
      reasons: [...quality.reasons, 'too poor to decide either way; a person must look'],
    };
  }
  const decided = (verdict: Verdict, reasons: string[]): FaceVerdict => ({ ...base, verdict, bestMatch: accepted, reasons });

  if (claim) {
    if (!claimed)
      return decided('uncertain', [
        `${claim.name} has no active reference photo in the registry, so there is nothing to compare the face with`,
      ]);
    const other = ranked.find((match) => match.personId !== claim.personId) ?? null;
    if (claimed.score >= thresholds.accept) {
      if (other && other.score > claimed.score - thresholds.margin) {
        return decided('uncertain', [
          `the face matches ${describe(claimed)}, but ${other.score > claimed.score ? 'is even closer to' : 'is almost as close to'} ${describe(other)}; a person must look`,
        ]);
      }
      return decided('confirmed', [`the face matches ${describe(claimed)}`]);
    }
    if (other && other.score >= identifyAccept && other.score - claimed.score >= thresholds.margin) {
      // Above reject, a degraded photo of the right person may still look a little more like someone else.
      if (claimed.score < thresholds.reject || other.score - claimed.score >= (thresholds.swapMargin ?? thresholds.margin)) {
        return decided('mismatch', [`the face is not ${claim.name} (similarity ${score(claimed.score)}): it matches ${describe(other)}`]);
      }
      return decided('uncertain', [
        `the face resembles ${claim.name} (similarity ${score(claimed.score)}, ${thresholds.accept} needed to confirm) but matches ${describe(other)} better; a person must look`,
      ]);
    }
    if (claimed.score < thresholds.reject) {
      return decided('mismatch', [
        `the face is not ${claim.name} (similarity ${score(claimed.score)}, below ${thresholds.reject}) and matches nobody in the registry${nearestNote(other)}`,
      ]);
    }
    return decided('uncertain', [
      `the face resembles ${claim.name} (similarity ${score(claimed.score)}) too little to confirm (${thresholds.accept} needed) and too much to reject (below ${thresholds.reject}); a person must look`,
    ]);
  }

  if (!nearest) return decided('unknown', ['the registry has no reference photos to compare the face with']);
  if (nearest.score >= identifyAccept) {
    if (runnerUp && runnerUp.score > nearest.score - thresholds.margin) {
      return decided('uncertain', [
        `the face matches ${describe(nearest)}, but is almost as close to ${describe(runnerUp)}; a person must look`,
      ]);
    }
    return decided('identified', [`the face matches ${describe(nearest)}`]);
  }
  if (nearest.score < thresholds.reject) {
    return decided('unknown', [`the face matches nobody in the registry${nearestNote(nearest)}`]);
  }
  return decided('uncertain', [
    `the face resembles ${nearest.name} (similarity ${score(nearest.score)}) too little to name it from the registry (${score(identifyAccept)} needed) and too much to rule out; a person must look`,
  ]);
}

function nearestNote(match: Match | null): string {
  return match ? ` (the nearest is ${match.name}, similarity ${score(match.score)})` : '';
}

/**
 * The fused mode's verdict with face-api's descriptor alone as a second opinion. fr_feature's
 * training data is unknown (models/README.md), so the fused score may settle face-api's doubt
 * either way but never overrule face-api outright: where one says the face is the person and the
 * other that it is not, a person must look. So the fused mode calls no face a mismatch that
 * face-api alone does not, and confirms none that face-api alone calls a mismatch.
 */
export function withSecondOpinion(fused: FaceVerdict, faceApi: FaceVerdict, claim: PersonRef | null): FaceVerdict {
  const faceApiScore = faceApi.claimScore === null ? '' : ` (similarity ${score(faceApi.claimScore)})`;
  const overruled = (view: string): FaceVerdict => ({
    ...fused,
    verdict: 'uncertain',
    reasons: [...fused.reasons.map((reason) => `the fused descriptors say: ${reason}`), `but ${view}; a person must look`],
  });
  if (claim && fused.verdict === 'mismatch' && faceApi.verdict !== 'mismatch') {
    const view = faceApi.verdict === 'confirmed' ? `confirms ${claim.name}` : `does not rule out ${claim.name}`;
    return overruled(`face-api's descriptor alone ${view}${faceApiScore}`);
  }
  if (claim && fused.verdict === 'confirmed' && faceApi.verdict === 'mismatch') {
    return overruled(`face-api's descriptor alone says the face is not ${claim.name}${faceApiScore}`);
  }
  const named = fused.nearest?.personId;
  if (
    !claim &&
    fused.verdict === 'identified' &&
    (faceApi.verdict === 'unknown' || (faceApi.verdict === 'identified' && faceApi.nearest?.personId !== named))
  ) {
    const view = faceApi.verdict === 'unknown' ? 'matches nobody in the registry' : `matches ${faceApi.nearest!.name} instead`;
    return { ...overruled(`to face-api's descriptor alone the face ${view}`), bestMatch: null };
  }
  return fused;
}
