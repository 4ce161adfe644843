/**
 * `npm run eval -- --references`: which photos of a labelled folder the reference intake accepts,
 * against the former gate (a good reference photo's), and what using the newly accepted (weak) ones
 * does to false accepts, false rejects and uncertain answers when they are the reference of a pair.
 */
import { checkReferencePhoto, type ReferencePhotoCheck } from '../domain/evaluate.js';
import { goodReferenceGate, type Thresholds } from '../domain/thresholds.js';
import type { DetectedFace, ImageAnalysis } from '../domain/types.js';
import type { AnalysedImage } from './analyse.js';
import type { Dataset } from './dataset.js';
import { type PairMetrics, pairMetrics, pairScore, type ScoredPair } from './metrics.js';

export interface ReferenceIntake {
  /** Labelled photos of one person (group photos aside) that could be read. */
  photos: number;
  /** Of those, photos in which the engine found exactly one face. */
  withOneFace: number;
  accepted: { all: number; withOneFace: number; shareOfOneFace: number; share: number };
  /** What the former gate (goodReferenceGate, no clear-subject rule) would have accepted. */
  formerlyAccepted: { all: number; share: number };
  /** Why the others were refused: reason family -> count. */
  refused: Record<string, number>;
  /** Pairs scored with the first photo as the reference, by what the intake makes of that photo. */
  pairsByReference: { good: PairMetrics; weak: PairMetrics; all: PairMetrics };
}

export function referenceIntake(images: Map<string, AnalysedImage>, dataset: Dataset, thresholds: Thresholds): ReferenceIntake {
  const decisions = new Map<string, { check: ReferencePhotoCheck; former: boolean; faces: number }>();
  for (const image of images.values()) {
    const identity = dataset.identities.get(image.path);
    if (image.error || !identity || identity.startsWith('GROUP')) continue;
    const analysis = asAnalysis(image);
    const check = checkReferencePhoto(analysis);
    const former = analysis.faces.length === 1 && checkReferencePhoto(analysis, { gate: goodReferenceGate }).accepted;
    decisions.set(image.path, { check, former, faces: analysis.faces.length });
  }
  const all = [...decisions.values()];
  const oneFace = all.filter((decision) => decision.faces === 1);
  const refused: Record<string, number> = {};
  for (const { check } of all) if (!check.accepted) refused[check.problem] = (refused[check.problem] ?? 0) + 1;
  const ratio = (count: number, total: number) => (total === 0 ? 0 : count / total);

  const byKind: Record<'good' | 'weak', ScoredPair[]> = { good: [], weak: [] };
  for (const pair of dataset.pairs) {
    const reference = decisions.get(pair.a);
    const probe = images.get(pair.b)?.face;
    if (!reference?.check.accepted || !probe) continue;
    const kind = reference.check.warnings.length === 0 ? 'good' : 'weak';
    byKind[kind].push({ same: pair.same, score: pairScore(reference.check.face.descriptor, probe.descriptor) });
  }
  return {
    photos: all.length,
    withOneFace: oneFace.length,
    accepted: {
      all: all.filter((d) => d.check.accepted).length,
      withOneFace: oneFace.filter((d) => d.check.accepted).length,
      share: ratio(all.filter((d) => d.check.accepted).length, all.length),
      shareOfOneFace: ratio(oneFace.filter((d) => d.check.accepted).length, oneFace.length),
    },
    formerlyAccepted: { all: all.filter((d) => d.former).length, share: ratio(all.filter((d) => d.former).length, all.length) },
    refused,
    pairsByReference: {
      good: pairMetrics(byKind.good, thresholds),
      weak: pairMetrics(byKind.weak, thresholds),
      all: pairMetrics([...byKind.good, ...byKind.weak], thresholds),
    },
  };
}

/** The cached analysis as the intake sees it; landmarks are not kept in the evaluation cache and not needed. */
function asAnalysis(image: AnalysedImage): ImageAnalysis {
  const faces: DetectedFace[] = image.faces.map((face) => {
    // analyseImages(..., requireQuality) analyses again every cached image without them.
    if (!face.quality) throw new Error(`${image.path}: the cached analysis has no quality measures; analyse it again`);
    return { box: face.box, landmarks: [], descriptor: face.descriptor, quality: face.quality };
  });
  return { width: image.width, height: image.height, format: 'jpeg', model: 'evaluation', faces };
}
