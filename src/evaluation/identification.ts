import { dot } from '../domain/matching.js';
import { l2normalise } from '../engine/geometry.js';
import type { Probe } from './metrics.js';

export type Aggregation = 'max' | 'mean' | 'centroid';

export interface LabelledDescriptor {
  path: string;
  identity: string;
  descriptor: number[];
}

/** Score of a probe against one person's enrolled reference descriptors. */
export function aggregateScore(probe: number[], references: number[][], aggregation: Aggregation): number {
  if (aggregation === 'max') return Math.max(...references.map((r) => dot(probe, r)));
  if (aggregation === 'mean') return references.reduce((sum, r) => sum + dot(probe, r), 0) / references.length;
  const centroid = new Array<number>(probe.length).fill(0);
  for (const r of references) for (let i = 0; i < r.length; i++) centroid[i] += r[i];
  return dot(probe, l2normalise(centroid));
}

export interface IdentificationResult {
  k: number;
  aggregation: Aggregation;
  /** People enrolled: everyone with more than k photos. */
  gallery: number;
  /** The score a probe needed to be named, for this gallery's number of reference photos. */
  accept: number;
  probes: number;
  /** Top-1 identification accuracy (1:N over every enrolled person). */
  top1: number;
  /** Probes whose top-1 is right and scores >= accept with a lead of at least margin over the runner-up. */
  confirmed: number;
  /** Probes whose top-1 is wrong but scores >= accept with a lead of at least margin. */
  wronglyConfirmed: number;
}

/**
 * The fused mode's second opinion (domain/verdicts.ts, withSecondOpinion): a face is not named
 * where face-api's descriptor alone matches nobody or names someone else.
 */
export interface SecondOpinion {
  /** Face-api's own descriptor out of a fused one. */
  part: (descriptor: number[]) => number[];
  acceptFor: (references: number) => number;
  reject: number;
  margin: number;
}

/**
 * Enrols the first k photos (by file name) of every person, probes with the rest, and ranks
 * the people by the aggregated score.
 */
export function identify(
  images: LabelledDescriptor[],
  k: number,
  aggregation: Aggregation,
  /** The score needed to name a face among this many reference photos (see identificationAccept). */
  acceptFor: (references: number) => number,
  margin: number,
  second?: SecondOpinion,
): IdentificationResult {
  const byPerson = new Map<string, LabelledDescriptor[]>();
  for (const image of [...images].sort((a, b) => a.path.localeCompare(b.path))) {
    const list = byPerson.get(image.identity) ?? [];
    list.push(image);
    byPerson.set(image.identity, list);
  }
  const gallery = new Map<string, number[][]>();
  const probes: LabelledDescriptor[] = [];
  for (const [identity, list] of byPerson) {
    if (list.length <= k) continue;
    gallery.set(
      identity,
      list.slice(0, k).map((i) => i.descriptor),
    );
    probes.push(...list.slice(k));
  }
  const accept = acceptFor(gallery.size * k);
  const rank = (people: Map<string, number[][]>, descriptor: number[]) =>
    [...people.entries()]
      .map(([identity, refs]) => ({ identity, score: aggregateScore(descriptor, refs, aggregation) }))
      .sort((a, b) => b.score - a.score);
  const secondGallery = second && new Map([...gallery].map(([identity, refs]) => [identity, refs.map(second.part)]));
  /** Whether face-api alone contradicts naming the probe as `named`: it matches nobody, or surely someone else. */
  const contradicted = (probe: number[], named: string) => {
    if (!second || !secondGallery) return false;
    const own = rank(secondGallery, second.part(probe));
    if (own[0].score < second.reject) return true;
    const sure =
      own[0].score >= second.acceptFor(secondGallery.size * k) && (own.length < 2 || own[0].score - own[1].score >= second.margin);
    return sure && own[0].identity !== named;
  };
  let top1 = 0;
  let confirmed = 0;
  let wronglyConfirmed = 0;
  for (const probe of probes) {
    const ranked = rank(gallery, probe.descriptor);
    const right = ranked[0].identity === probe.identity;
    if (right) top1++;
    const sure =
      ranked[0].score >= accept &&
      (ranked.length < 2 || ranked[0].score - ranked[1].score >= margin) &&
      !contradicted(probe.descriptor, ranked[0].identity);
    if (sure && right) confirmed++;
    if (sure && !right) wronglyConfirmed++;
  }
  const n = probes.length || 1;
  return {
    k,
    aggregation,
    gallery: gallery.size,
    accept,
    probes: probes.length,
    top1: top1 / n,
    confirmed: confirmed / n,
    wronglyConfirmed: wronglyConfirmed / n,
  };
}

/** Each image as a probe against every other image (best score per identity), for the margin. */
export function leaveOneOutProbes(images: LabelledDescriptor[]): Probe[] {
  const counts = new Map<string, number>();
  for (const i of images) counts.set(i.identity, (counts.get(i.identity) ?? 0) + 1);
  const probes: Probe[] = [];
  for (const probe of images) {
    if ((counts.get(probe.identity) ?? 0) < 2) continue;
    const scores = new Map<string, number>();
    for (const other of images) {
      if (other === probe) continue;
      const s = dot(probe.descriptor, other.descriptor);
      if (s > (scores.get(other.identity) ?? -Infinity)) scores.set(other.identity, s);
    }
    probes.push({ identity: probe.identity, scores });
  }
  return probes;
}

/** Shares of different-person comparisons the impostor tail is measured at, as log10. */
const tailShares = [-2, -3, -4, -5, -6];

/**
 * The impostor score tail over every pair of labelled images of different people: for each share
 * in `tailShares` (as far as the number of pairs supports it: at least 10 pairs above), the score
 * that share of different-person comparisons reaches. Feeds the identification threshold.
 */
export function impostorTail(images: LabelledDescriptor[]): [number, number][] {
  const scores: number[] = [];
  for (let i = 0; i < images.length; i++) {
    for (let j = i + 1; j < images.length; j++) {
      if (images[i].identity !== images[j].identity) scores.push(dot(images[i].descriptor, images[j].descriptor));
    }
  }
  const descending = Float64Array.from(scores).sort().reverse();
  return tailShares
    .filter((share) => 10 ** share * descending.length >= 10)
    .map((share): [number, number] => [share, descending[Math.floor(10 ** share * descending.length)]]);
}
