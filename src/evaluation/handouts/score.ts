/**
 * Scores the checker's answers on composed drafts against truth.json. Each answered face goes
 * to the portrait (or bystander) whose rectangle holds its box centre, and of several there, the
 * face nearest the rectangle's centre is its face; the others, and a face outside every
 * rectangle, are extra faces. Pure, no I/O.
 */
import { centreDistance } from '../../domain/claims.js';
import type { ImageEvaluation } from '../../domain/evaluate.js';
import type { FaceResult } from '../../domain/results.js';
import type { Box, Verdict } from '../../domain/types.js';
import type { DraftTruth, Portrait, PortraitKind, SwapKind } from './truth.js';

export interface ScoredDraft {
  truth: DraftTruth;
  result: ImageEvaluation;
}

/** Per portrait: the face answered for it, or undefined when none was found there. */
interface Placed {
  portraits: (FaceResult | undefined)[];
  bystanders: (FaceResult | undefined)[];
  extra: FaceResult[];
}

const inside = (box: Box, rect: Box) => {
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  return x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
};

/**
 * A rectangle's face is the one nearest its centre: every portrait and pasted photo is an LFW photo
 * cut or pasted around its centre, where LFW puts the labelled person, so another face there is
 * someone else in the same photo. The others are extra.
 */
export function placeFaces(truth: DraftTruth, faces: FaceResult[]): Placed {
  const rects = [...truth.portraits.map((portrait) => portrait.rect), ...truth.bystanders.map((bystander) => bystander.rect)];
  const chosen: (FaceResult | undefined)[] = rects.map(() => undefined);
  const extra: FaceResult[] = [];
  for (const face of faces) {
    const holding = rects.flatMap((rect, r) => (inside(face.box, rect) ? [r] : []));
    if (holding.length === 0) {
      extra.push(face);
      continue;
    }
    const r = holding.reduce((best, next) => (centreDistance(face.box, rects[next]) < centreDistance(face.box, rects[best]) ? next : best));
    const current = chosen[r];
    if (!current) chosen[r] = face;
    else if (centreDistance(face.box, rects[r]) < centreDistance(current.box, rects[r])) {
      extra.push(current);
      chosen[r] = face;
    } else extra.push(face);
  }
  return { portraits: chosen.slice(0, truth.portraits.length), bystanders: chosen.slice(truth.portraits.length), extra };
}

type VerdictCounts = Partial<Record<Verdict, number>>;

const tally = (verdicts: Verdict[]): VerdictCounts => {
  const counts: VerdictCounts = {};
  for (const verdict of verdicts) counts[verdict] = (counts[verdict] ?? 0) + 1;
  return counts;
};

const rate = (count: number, of: number) => (of === 0 ? null : Math.round((count / of) * 10000) / 10000);

interface PortraitOutcome {
  draft: DraftTruth;
  portrait: Portrait;
  index: number;
  face: FaceResult | undefined;
}

/** A swap is flagged when its face is not let through: mismatch, uncertain or low_quality. */
const flaggingVerdicts: Verdict[] = ['mismatch', 'uncertain', 'low_quality'];

export interface FaceRecord {
  file: string;
  portrait: number;
  kind: PortraitKind | 'bystander' | 'extra';
  spelling?: string;
  claimedPersonId?: string | null;
  truePersonId?: string | null;
  found: boolean;
  verdict?: Verdict;
  claimScore?: number | null;
  nearest?: { personId: string; score: number } | null;
  runnerUpScore?: number | null;
  faceSize?: number;
  detectorScore?: number;
  sharpness?: number;
  portraitWidth: number;
  greyscale: boolean;
  jpegQuality: number;
}

export function scoreDrafts(drafts: ScoredDraft[]) {
  const outcomes: PortraitOutcome[] = [];
  const extras: FaceResult[] = [];
  const bystanders: (FaceResult | undefined)[] = [];
  const records: FaceRecord[] = [];
  for (const { truth, result } of drafts) {
    const placed = placeFaces(truth, result.faces);
    for (const [index, portrait] of truth.portraits.entries())
      outcomes.push({ draft: truth, portrait, index, face: placed.portraits[index] });
    bystanders.push(...placed.bystanders);
    extras.push(...placed.extra);
    const common = { file: truth.file, portraitWidth: truth.portraitWidth, greyscale: truth.greyscale, jpegQuality: truth.jpegQuality };
    for (const [index, portrait] of truth.portraits.entries()) {
      records.push({
        ...common,
        portrait: index,
        kind: portrait.kind,
        spelling: portrait.spelling,
        claimedPersonId: portrait.claimedPersonId,
        truePersonId: portrait.truePersonId,
        ...faceFields(placed.portraits[index]),
      });
    }
    for (const [index, face] of placed.bystanders.entries())
      records.push({ ...common, portrait: index, kind: 'bystander', ...faceFields(face) });
    for (const [index, face] of placed.extra.entries()) records.push({ ...common, portrait: index, kind: 'extra', ...faceFields(face) });
  }

  const ofKind = (kind: PortraitKind) =>
    outcomes.filter((outcome) => outcome.portrait.kind === kind && outcome.portrait.spelling !== 'misspelt');
  const found = (group: PortraitOutcome[]) => group.flatMap((outcome) => (outcome.face ? [outcome.face] : []));
  const count = (faces: FaceResult[], verdict: Verdict) => faces.filter((face) => face.verdict === verdict).length;

  const genuine = ofKind('genuine');
  const genuineFaces = found(genuine);
  const others = tally(
    genuineFaces.map((face) => face.verdict).filter((verdict) => !['confirmed', 'mismatch', 'uncertain', 'low_quality'].includes(verdict)),
  );

  const swapKinds: SwapKind[] = ['random_stranger', 'lookalike_stranger', 'registry_swap'];
  const swaps = Object.fromEntries(
    swapKinds.map((kind) => {
      const group = ofKind(kind);
      const faces = found(group);
      const flagged = faces.filter((face) => flaggingVerdicts.includes(face.verdict)).length;
      const namesShownPerson =
        kind === 'registry_swap'
          ? group.filter(
              (outcome) => outcome.face?.verdict === 'mismatch' && outcome.face.nearest?.personId === outcome.portrait.truePersonId,
            ).length
          : undefined;
      return [
        kind,
        {
          count: group.length,
          flagged: { count: flagged, rate: rate(flagged, group.length) },
          mismatch: count(faces, 'mismatch'),
          uncertain: count(faces, 'uncertain'),
          low_quality: count(faces, 'low_quality'),
          /** Missed swaps: the wrong face passed as the named person. */
          confirmed: count(faces, 'confirmed'),
          otherVerdicts: tally(
            faces.map((face) => face.verdict).filter((verdict) => !['confirmed', 'mismatch', 'uncertain', 'low_quality'].includes(verdict)),
          ),
          notFound: group.length - faces.length,
          ...(namesShownPerson === undefined ? {} : { mismatchNamingShownPerson: namesShownPerson }),
        },
      ];
    }),
  );

  const lists = drafts.filter((draft) => draft.truth.layout === 'list');
  const hasFinding = (draft: ScoredDraft, code: string) => draft.result.findings.some((finding) => finding.code === code);
  const listsWithPow = lists.filter((draft) => draft.truth.holdsPow);
  const listsWithoutPow = lists.filter((draft) => !draft.truth.holdsPow);
  const powPortraits = ofKind('pow_in_crimean_list');
  const powFaces = found(powPortraits);

  const misspelt = outcomes.filter((outcome) => outcome.portrait.spelling === 'misspelt');
  const misspeltReported = misspelt.filter((outcome) =>
    drafts
      .find((draft) => draft.truth === outcome.draft)!
      .result.findings.some((finding) => finding.code === 'unknown_claim' && finding.subject === outcome.portrait.claimedName),
  ).length;

  /** A draft with nothing wrong in it: every portrait genuine and correctly spelt. */
  const clean = (draft: ScoredDraft) =>
    draft.truth.portraits.every((portrait) => portrait.kind === 'genuine' && portrait.spelling !== 'misspelt');
  const imageFigures = (group: ScoredDraft[]) => ({
    count: group.length,
    flagged: group.filter((draft) => draft.result.flagged).length,
    withSwap: group.filter((draft) => !clean(draft)).length,
    withSwapFlagged: group.filter((draft) => !clean(draft) && draft.result.flagged).length,
    clean: group.filter(clean).length,
    cleanFlagged: group.filter((draft) => clean(draft) && draft.result.flagged).length,
    claimCountMismatch: group.filter((draft) => hasFinding(draft, 'claim_count_mismatch')).length,
    noFace: group.filter((draft) => hasFinding(draft, 'no_face')).length,
  });

  const foundBystanders = bystanders.flatMap((face) => (face ? [face] : []));
  const figures = {
    genuineFaces: {
      count: genuine.length,
      confirmed: { count: count(genuineFaces, 'confirmed'), rate: rate(count(genuineFaces, 'confirmed'), genuine.length) },
      /** The bad error: the right person called a mismatch. */
      mismatch: count(genuineFaces, 'mismatch'),
      uncertain: count(genuineFaces, 'uncertain'),
      low_quality: count(genuineFaces, 'low_quality'),
      otherVerdicts: others,
      notFound: genuine.length - genuineFaces.length,
    },
    swaps,
    categoryFindings: {
      listsWithPow: listsWithPow.length,
      listsWithPowAndCategoryMismatch: listsWithPow.filter((draft) => hasFinding(draft, 'category_mismatch')).length,
      listsWithoutPow: listsWithoutPow.length,
      falseAlarms: listsWithoutPow.filter((draft) => hasFinding(draft, 'category_mismatch')).length,
      powPortraits: {
        count: powPortraits.length,
        verdicts: tally(powFaces.map((face) => face.verdict)),
        notFound: powPortraits.length - powFaces.length,
      },
    },
    misspeltNames: {
      count: misspelt.length,
      reportedUnknownClaim: misspeltReported,
      verdicts: tally(found(misspelt).map((face) => face.verdict)),
    },
    images: {
      lists: imageFigures(lists),
      singles: imageFigures(drafts.filter((draft) => draft.truth.layout === 'single')),
    },
    bystanders: { count: bystanders.length, found: foundBystanders.length, verdicts: tally(foundBystanders.map((face) => face.verdict)) },
    extraFaces: { count: extras.length, verdicts: tally(extras.map((face) => face.verdict)) },
  };
  return { figures, records };
}

export type HandoutFigures = ReturnType<typeof scoreDrafts>['figures'];

const round = (value: number) => Math.round(value * 10000) / 10000;

function faceFields(face: FaceResult | undefined): Partial<FaceRecord> & { found: boolean } {
  if (!face) return { found: false };
  return {
    found: true,
    verdict: face.verdict,
    claimScore: face.claimScore === null ? null : round(face.claimScore),
    nearest: face.nearest ? { personId: face.nearest.personId, score: round(face.nearest.score) } : null,
    runnerUpScore: face.runnerUp ? round(face.runnerUp.score) : null,
    faceSize: round(face.quality.faceSize),
    detectorScore: round(face.quality.detectorScore),
    sharpness: round(face.quality.sharpness),
  };
}
