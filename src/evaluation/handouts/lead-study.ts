/**
 * A study of one verdict rule on the handout benchmark's per-face scores, kept because
 * docs/improvements.md quotes it: what if a list face scoring at or above the list accept for the
 * person named were confirmed although another registry person matches it better by less than δ?
 * (Today any lead of another person makes it `uncertain`.) It re-decides every face that carries
 * a resolved name with the engine's own decideVerdict, for a grid of list accepts and δ, and
 * prints per half: genuine faces confirmed, genuine faces called mismatch, look-alike strangers
 * confirmed, random-stranger and registry swaps confirmed.
 *
 *   npm run eval:handouts -- --half both --json --per-face > faces.json
 *   npx tsx src/evaluation/handouts/lead-study.ts faces.json
 */
import { readFileSync } from 'node:fs';
import type { Match } from '../../domain/results.js';
import { identificationAccept, listMinPortraits, thresholdsFor, thresholdsForFace } from '../../domain/thresholds.js';
import type { Verdict } from '../../domain/types.js';
import { decideVerdict } from '../../domain/verdicts.js';
import type { FaceRecord } from './score.js';

interface Run {
  halves: Record<string, { registry: { referencePhotosUsed: number } }>;
  faces: Record<string, FaceRecord[]>;
}

const match = (personId: string, score: number): Match => ({ personId, name: personId, score, referencePhoto: '' }) as Match;

/** The verdict of a named face under list accept `accept` and lead allowance `lead`; null when it cannot be re-decided. */
export function redecide(face: FaceRecord, accept: number, lead: number, references: number): Verdict | null {
  if (!face.found || face.verdict === 'low_quality' || face.claimScore == null || !face.claimedPersonId || !face.nearest) return null;
  const claimed = match(face.claimedPersonId, face.claimScore);
  const nearestIsClaimed = face.nearest.personId === face.claimedPersonId;
  const other = nearestIsClaimed
    ? face.runnerUpScore == null
      ? null
      : match('other', face.runnerUpScore)
    : match(face.nearest.personId, face.nearest.score);
  const ranked = [claimed, ...(other ? [other] : [])].sort((a, b) => b.score - a.score);
  const base = thresholdsFor('face-api');
  const thresholds = thresholdsForFace({ ...base, ...base.list, accept }, face.faceSize ?? Number.POSITIVE_INFINITY);
  const { verdict } = decideVerdict(
    { ranked, claim: { personId: claimed.personId, name: claimed.name }, quality: { passed: true, reasons: [] } } as never,
    thresholds,
    identificationAccept(base, references),
  );
  if (verdict === 'uncertain' && claimed.score >= accept && (!other || other.score - claimed.score < lead)) return 'confirmed';
  return verdict;
}

function main(file: string) {
  const run = JSON.parse(readFileSync(file, 'utf8')) as Run;
  // -0.001: today's rule (another person within face-api's margin of 0.001 makes it uncertain).
  for (const accept of [0.9, 0.905, 0.91, 0.915, 0.92])
    for (const lead of [-0.001, 0.005, 0.01, 0.015, 0.02]) {
      const cells = Object.entries(run.faces).map(([half, faces]) => {
        const references = run.halves[half].registry.referencePhotosUsed;
        const portraits = new Map<string, number>();
        for (const face of faces)
          if (face.kind !== 'bystander' && face.kind !== 'extra') portraits.set(face.file, (portraits.get(face.file) ?? 0) + 1);
        const named = faces.filter((face) => face.spelling !== 'misspelt' && face.kind !== 'bystander' && face.kind !== 'extra');
        // Only list faces are judged by the list thresholds; others keep the verdict they had.
        const verdictOf = (face: FaceRecord) =>
          (portraits.get(face.file) ?? 0) >= listMinPortraits ? (redecide(face, accept, lead, references) ?? face.verdict) : face.verdict;
        const genuine = named.filter((face) => face.kind === 'genuine');
        const confirmed = genuine.filter((face) => verdictOf(face) === 'confirmed').length;
        const mismatched = genuine.filter((face) => verdictOf(face) === 'mismatch').length;
        const lookalikes = named.filter((face) => face.kind === 'lookalike_stranger' && face.found);
        const swapsConfirmed = named.filter(
          (face) => (face.kind === 'random_stranger' || face.kind === 'registry_swap') && verdictOf(face) === 'confirmed',
        ).length;
        return `${half}: genuine confirmed ${confirmed}/${genuine.length} (${((100 * confirmed) / genuine.length).toFixed(1)}%), genuine mismatch ${mismatched}, look-alikes confirmed ${lookalikes.filter((face) => verdictOf(face) === 'confirmed').length}/${lookalikes.length}, other swaps confirmed ${swapsConfirmed}`;
      });
      process.stdout.write(`list accept ${accept}, lead allowed ${lead}: ${cells.join(' | ')}\n`);
    }
}

const file = process.argv[2];
if (!file) {
  process.stderr.write(
    'usage: npx tsx src/evaluation/handouts/lead-study.ts FACES.json (from npm run eval:handouts -- --half both --json --per-face)\n',
  );
  process.exit(2);
}
main(file);
