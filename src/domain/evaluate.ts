/**
 * The one place verdicts are made: an analysed image, the registry gallery and the check's
 * claims in; findings, a verdict per face and whether the check is flagged out. Pure, no I/O:
 * the offline checker and the service workers both call it.
 */
import { AppError } from '../errors.js';
import {
  assignClaims,
  boxCentreDistance,
  type ClaimAssignment,
  faceRoles,
  faceSize,
  type IdentityScore,
  type IdentitySupport,
  readingOrder,
} from './claims.js';
import { descriptorModeOf, descriptorPart } from './descriptor-modes.js';
import { type Gallery, galleryOfPart } from './gallery.js';
import { rankPeople } from './matching.js';
import { clearSuggestion, normaliseCategory, resolveClaim } from './names.js';
import { checkQuality, type QualityCheck } from './quality.js';
import { type CheckRequest, type FaceResult, isFlaggedFace } from './results.js';
import {
  draftGate,
  goodReferenceGate,
  identificationAccept,
  type QualityGate,
  referenceGate,
  type Thresholds,
  thresholdsFor,
  thresholdsForFace,
  thresholdsForLayout,
} from './thresholds.js';
import type { Box, DetectedFace, FaceQuality, Finding, ImageAnalysis, PersonRef, RegistryPerson } from './types.js';
import { decideVerdict, type FaceVerdict, withSecondOpinion } from './verdicts.js';

export interface EvaluateOptions {
  thresholds?: Thresholds;
  gate?: QualityGate;
}

export interface ImageEvaluation {
  findings: Finding[];
  /** One per detected face, in reading order. */
  faces: FaceResult[];
  flagged: boolean;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const quoted = (text: string) => `"${text}"`;

export function evaluateImage(
  analysis: ImageAnalysis,
  gallery: Gallery,
  request: CheckRequest,
  options: EvaluateOptions = {},
): ImageEvaluation {
  if (analysis.model !== gallery.model) {
    throw new AppError('CONFLICT', `the image was analysed by model ${analysis.model}, but the registry was embedded by ${gallery.model}`);
  }
  const gate = options.gate ?? draftGate;
  const roles = faceRoles(analysis.faces);
  const portraits = roles.filter((role) => role === 'portrait').length;
  const thresholds = thresholdsForLayout(options.thresholds ?? thresholdsFor(descriptorModeOf(gallery.model)), portraits);
  const identifyAccept = identificationAccept(thresholds, gallery.references.length);
  const findings: Finding[] = [];
  const resolved = request.claims.map((claim) => resolveOrReport(claim.text, gallery.people, findings));

  if (analysis.faces.length === 0) {
    const count = request.claims.length;
    const named = count > 0 ? `, though the check names ${count === 1 ? 'one person' : `${count} people`}` : '';
    findings.push({ code: 'no_face', message: `no face was found in the image${named}` });
    return { findings, faces: [], flagged: true };
  }

  // Each face's best two people and every person a name points to: no need to sort the whole registry.
  const named = [
    ...new Set(resolved.flatMap(({ person, suggested }) => [person?.id, suggested?.id].filter((id): id is string => id !== undefined))),
  ];
  const ranked = analysis.faces.map((face) => rankPeople(face.descriptor, gallery, { top: 2, include: named }));
  const second = descriptorModeOf(gallery.model) === 'fused' ? faceApiOpinion(gallery, portraits, named) : null;
  const qualities = analysis.faces.map((face) => checkQuality(face.quality, gate));
  // Each face's own thresholds: a very small face of a printed list has a lower reject (see thresholdsForFace).
  const faceThresholds = analysis.faces.map((face) => thresholdsForFace(thresholds, face.quality.faceSize));
  // How well face f's identity fits claim c: used only to choose between equally plausible layouts.
  const claimScore: IdentityScore = (c, f) => {
    const person = resolved[c].person ?? resolved[c].suggested;
    return person && qualities[f].passed ? ranked[f].find((match) => match.personId === person.id)?.score : undefined;
  };
  const identity: IdentitySupport = (c, f) => {
    const score = claimScore(c, f);
    if (score === undefined) return 0;
    return score >= thresholds.accept ? 1 : score < faceThresholds[f].reject ? -1 : 0;
  };
  const assignment = assignClaims(analysis.faces, request.claims, identity, roles, claimScore);
  for (const c of assignment.emptyBoxes) {
    findings.push({
      code: 'no_face',
      message: `no face was found in the box given for ${quoted(request.claims[c].text)}`,
      subject: request.claims[c].text,
    });
  }
  for (const c of assignment.namesWithoutFace) {
    const text = request.claims[c].text;
    findings.push({
      code: 'no_face',
      message: `no face in the image is ${quoted(text)}: the person named is not in the picture, or their face was not found`,
      subject: text,
    });
  }

  const faces = readingOrder(analysis.faces.map((face) => face.box)).map((f): FaceResult => {
    const face = analysis.faces[f];
    const claimIndex = assignment.claimOfFace[f];
    const given = claimIndex === null ? null : resolved[claimIndex];
    const person = given ? (given.person ?? given.suggested) : null;
    const claim: PersonRef | null = person ? { personId: person.id, name: person.name } : null;
    const fused = decideVerdict({ ranked: ranked[f], claim, quality: qualities[f] }, faceThresholds[f], identifyAccept);
    const opinion = second?.(face.descriptor, face.quality.faceSize, fused, claim, qualities[f]);
    const outcome = opinion ? withSecondOpinion(fused, opinion, claim) : fused;
    const result: FaceResult = { box: face.box, ...outcome, reasons: [...outcome.reasons], claim, quality: face.quality };
    if (given && !given.person) {
      const text = request.claims[claimIndex!].text;
      result.claimText = text;
      Object.assign(result, unresolvedNameVerdict(result, text, given.suggested));
    }
    const role = assignment.roles[f];
    if (assignment.setAside[f] && role !== 'portrait') {
      result.setAside = role;
      result.reasons.push(
        role === 'not_a_face'
          ? 'set aside: its landmarks do not form a face (a false detection); it takes no name'
          : 'set aside: a bystander or a face in the background; it takes no name from the list',
      );
    }
    return result;
  });

  if (assignment.countMismatch) findings.push(countMismatchFinding(assignment.countMismatch, request, resolved, faces));
  if (request.category) {
    const namedPeople = resolved.flatMap(({ person }) => (person ? [person] : []));
    findings.push(...categoryFindings(request.category, gallery.people, faces, namedPeople));
  }

  const flagged = findings.length > 0 || faces.some(isFlaggedFace);
  return { findings, faces, flagged };
}

interface ResolvedName {
  person: RegistryPerson | null;
  /** For a name not in the registry: the one person it clearly means, whom the face is compared with. */
  suggested: RegistryPerson | null;
}

/**
 * The fused mode's second opinion (see withSecondOpinion): the verdict face-api's descriptor alone
 * gives the face, from its part of the fused vectors, at face-api's own thresholds.
 */
function faceApiOpinion(gallery: Gallery, portraits: number, named: string[]) {
  const own = galleryOfPart(gallery, 'face-api');
  const thresholds = thresholdsForLayout(thresholdsFor('face-api'), portraits);
  const identifyAccept = identificationAccept(thresholds, own.references.length);
  return (
    descriptor: ArrayLike<number>,
    eyeDistance: number,
    fused: FaceVerdict,
    claim: PersonRef | null,
    quality: QualityCheck,
  ): FaceVerdict => {
    const include = fused.nearest ? [...named, fused.nearest.personId] : named;
    const ranked = rankPeople(descriptorPart(descriptor, 'fused', 'face-api'), own, { top: 2, include });
    return decideVerdict({ ranked, claim, quality }, thresholdsForFace(thresholds, eyeDistance), identifyAccept);
  };
}

/** The registry person a claim names, or, after reporting it as an unknown claim, the one it clearly means. */
function resolveOrReport(text: string, people: RegistryPerson[], findings: Finding[]): ResolvedName {
  const resolution = resolveClaim(text, people);
  if (resolution.person) return { person: resolution.person, suggested: null };
  const { suggestions } = resolution;
  const hint = resolution.ambiguous
    ? `fits several people in the registry: ${suggestions.join(', ')}; name one of them by id`
    : suggestions.length > 0
      ? `is not in the registry; did you mean ${suggestions.join(', ')}?`
      : 'is not in the registry, and no registry name is close to it';
  findings.push({ code: 'unknown_claim', message: `the name ${quoted(text)} ${hint}`, subject: text, suggestions });
  return { person: null, suggested: resolution.ambiguous ? null : clearSuggestion(text, people) };
}

/**
 * A face under a name the registry does not know is never shown green. Compared with the one
 * person the name clearly means, a match is `uncertain` (the spelling must be fixed before it is
 * confirmed) and a mismatch stays a mismatch; without such a person, a face the registry names is
 * `uncertain` too, since the caption does not say who it should be.
 */
function unresolvedNameVerdict(face: FaceResult, text: string, suggested: RegistryPerson | null): Pick<FaceResult, 'verdict' | 'reasons'> {
  if (suggested) {
    const compared = `the name ${quoted(text)} is not in the registry; the face was compared with ${suggested.name}, the registry name nearest to it`;
    if (face.verdict === 'confirmed') {
      return { verdict: 'uncertain', reasons: [compared, ...face.reasons, 'correct the name before the photo can be confirmed'] };
    }
    return { verdict: face.verdict, reasons: [compared, ...face.reasons] };
  }
  const unknown = `the name ${quoted(text)} given for this face is not in the registry`;
  if (face.verdict === 'identified') {
    return { verdict: 'uncertain', reasons: [unknown, ...face.reasons, 'the caption does not say who this should be; a person must look'] };
  }
  return { verdict: face.verdict, reasons: [unknown, ...face.reasons] };
}

/** "3 names, 2 faces", and which of the names were still found among the faces by identification. */
function countMismatchFinding(
  count: NonNullable<ClaimAssignment['countMismatch']>,
  request: CheckRequest,
  resolved: ResolvedName[],
  faces: FaceResult[],
): Finding {
  const aside = count.background > 0 ? ` (not counting ${plural(count.background, 'bystander or false detection')})` : '';
  const identified = new Set(faces.flatMap((face) => (face.verdict === 'identified' && face.bestMatch ? [face.bestMatch.personId] : [])));
  const unboxed = request.claims
    .map((claim, c) => ({ text: claim.text, boxed: Boolean(claim.box), person: resolved[c].person }))
    .filter(({ boxed }) => !boxed);
  const isFound = ({ person }: { person: RegistryPerson | null }) => person !== null && identified.has(person.id);
  const found = unboxed.filter(isFound).map(({ text }) => text);
  const missing = unboxed.filter((claim) => !isFound(claim)).map(({ text }) => text);
  const tally = [
    found.length > 0 ? `found among the faces: ${found.join(', ')}` : '',
    missing.length > 0 ? `not found: ${missing.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    code: 'claim_count_mismatch',
    message: `${plural(count.names, 'name')}, ${plural(count.faces, 'face')}${aside}: no reading of the layout gives the names to the faces, so each face was checked against the whole registry; ${tally}`,
  };
}

/**
 * The people a categorised check names or shows who are registered under another category. A
 * person named counts whatever their face's verdict: a prisoner of war printed in a list of
 * Crimean political prisoners is wrong even where the small photo cannot be confirmed.
 */
function categoryFindings(category: string, people: RegistryPerson[], faces: FaceResult[], named: RegistryPerson[]): Finding[] {
  const wanted = normaliseCategory(category);
  const byId = new Map(people.map((person) => [person.id, person]));
  const shown = faces.flatMap((face) => {
    const matched = face.verdict === 'confirmed' ? face.claim : face.verdict === 'identified' ? face.bestMatch : null;
    const person = matched ? byId.get(matched.personId) : undefined;
    return person ? [person] : [];
  });
  const outside = [...new Map([...named, ...shown].map((person) => [person.id, person])).values()].filter(
    (person) => !person.category || normaliseCategory(person.category) !== wanted,
  );
  return outside.map((person) => ({
    code: 'category_mismatch',
    message: `${person.name} ${person.category ? `is registered as ${quoted(person.category)}` : 'has no category in the registry'}, not ${quoted(category)} as the check claims`,
    subject: person.name,
  }));
}

export type ReferencePhotoCheck =
  | { accepted: true; face: DetectedFace; warnings: string[]; problem?: undefined; reason?: undefined }
  | { accepted: false; face?: undefined; warnings?: undefined; problem: 'no_face' | 'several_faces' | 'low_quality'; reason: string };

/**
 * Enrolment of a reference photo. It is refused only when it cannot serve: no face, several faces
 * with no clear subject (and no chosen box), or a face too poor to judge at all (the reference gate).
 * A face below what a good reference shows is kept, with warnings in a curator's words.
 */
export function checkReferencePhoto(analysis: ImageAnalysis, options: { gate?: QualityGate; box?: Box } = {}): ReferencePhotoCheck {
  const gate = options.gate ?? referenceGate;
  let candidates = analysis.faces;
  // Faces as large as the subject beside it, when the subject was taken for being at the centre.
  let alongside = 0;
  if (options.box) {
    const assignment = assignClaims(candidates, [{ text: 'reference', box: options.box }]);
    const chosen = assignment.claimOfFace.indexOf(0);
    if (chosen < 0) return { accepted: false, problem: 'no_face', reason: 'no face was found in the chosen box' };
    candidates = [candidates[chosen]];
  } else {
    const roles = faceRoles(candidates);
    const real = candidates.filter((_, f) => roles[f] !== 'not_a_face');
    const centred = centredSubject(real, analysis);
    if (centred)
      alongside = real.filter((face) => face !== centred && faceSize(face.box) >= subjectSizeLead * faceSize(centred.box)).length;
    candidates = centred
      ? [centred]
      : clearSubject(
          candidates.filter((_, f) => roles[f] === 'portrait'),
          analysis,
        );
  }
  if (candidates.length === 0) return { accepted: false, problem: 'no_face', reason: 'no face was found in the photo' };
  if (candidates.length > 1) {
    return {
      accepted: false,
      problem: 'several_faces',
      reason: `the photo shows ${candidates.length} faces of about the same size; choose the person's face with a box`,
    };
  }
  const quality = checkQuality(candidates[0].quality, gate);
  if (!quality.passed)
    return {
      accepted: false,
      problem: 'low_quality',
      reason: `the face cannot be used even as a weak reference photo: ${quality.reasons.join('; ')}`,
    };
  const warnings = referencePhotoWarnings(candidates[0].quality);
  if (alongside > 0) {
    warnings.push(
      `the photo shows ${alongside + 1} faces of about the same size; the one nearest the centre was taken as the person's: check that it is them, or choose the face with a box`,
    );
  }
  return { accepted: true, face: candidates[0], warnings };
}

/**
 * What a curator is told of an enrolled reference photo: the warnings recorded at enrolment, or, for
 * a photo enrolled before they were recorded, those its quality figures give.
 */
export function enrolledPhotoWarnings(photo: { quality: FaceQuality | null; enrolmentWarnings: string[] | null }): string[] {
  return photo.enrolmentWarnings ?? (photo.quality ? referencePhotoWarnings(photo.quality) : []);
}

/** Why an accepted reference photo is weak (below what a good one shows), in a curator's words; empty when it is good. */
export function referencePhotoWarnings(quality: FaceQuality): string[] {
  return checkQuality(quality, goodReferenceGate).reasons;
}

/**
 * Among several faces, the subject of a portrait is the one that is both the largest and the nearest
 * the centre, when the next largest is clearly smaller (a family snapshot or court picture framed on
 * the person); otherwise every face stays a candidate.
 */
function clearSubject(faces: DetectedFace[], analysis: ImageAnalysis): DetectedFace[] {
  if (faces.length < 2) return faces;
  const size = (face: DetectedFace) => faceSize(face.box);
  const bySize = [...faces].sort((a, b) => size(b) - size(a));
  const nearest = [...faces].sort(
    (a, b) => boxCentreDistance(a.box, analysis.width, analysis.height) - boxCentreDistance(b.box, analysis.width, analysis.height),
  )[0];
  return bySize[0] === nearest && size(bySize[1]) < subjectSizeLead * size(bySize[0]) ? [nearest] : faces;
}

/** The subject of a reference photo must be at least this much larger than anyone else in it (1 / 1.25). */
const subjectSizeLead = 0.8;

/**
 * A face at least this much nearer the centre than any other (its distance over the next one's), and
 * about as large as the largest, is the subject of a reference photo whatever the layout rules make
 * of it: photos of a person are framed on them. In the handout benchmark's registry an LFW photo
 * framed on a woman, with a sharper young man cut by the photo's edge beside her (his box taller
 * than hers), had her set aside as out of focus and him enrolled under her name.
 */
const centredLead = 0.5;

function centredSubject(faces: DetectedFace[], analysis: ImageAnalysis): DetectedFace | undefined {
  if (faces.length < 2) return undefined;
  const distance = (face: DetectedFace) => boxCentreDistance(face.box, analysis.width, analysis.height);
  const [nearest, next] = [...faces].sort((a, b) => distance(a) - distance(b));
  const largest = Math.max(...faces.map((face) => faceSize(face.box)));
  return distance(nearest) <= centredLead * distance(next) && faceSize(nearest.box) >= subjectSizeLead * largest ? nearest : undefined;
}
