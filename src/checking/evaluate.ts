/**
 * The one place verdicts are made: an analysed image, the registry gallery and the check's
 * claims in; findings, a verdict per face and whether the check is flagged out. Pure, no I/O:
 * the offline checker and the service workers both call it.
 */
import { AppError } from '../errors.js';
import { assignClaims, backgroundFaces, readingOrder, type ClaimAssignment } from '../domain/claims.js';
import type { Gallery } from '../domain/gallery.js';
import { rankPeople } from '../domain/matching.js';
import { normaliseCategory, resolveClaim } from '../domain/names.js';
import { checkQuality } from '../domain/quality.js';
import type { CheckRequest, FaceResult } from '../domain/results.js';
import { draftGate, referenceGate, thresholdsFor, type QualityGate, type Thresholds } from '../domain/thresholds.js';
import { descriptorModeOf } from '../engine/descriptors.js';
import type { Box, DetectedFace, Finding, ImageAnalysis, PersonRef, RegistryPerson } from '../domain/types.js';
import { decideVerdict } from '../domain/verdicts.js';

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

export function evaluateImage(analysis: ImageAnalysis, gallery: Gallery, request: CheckRequest, options: EvaluateOptions = {}): ImageEvaluation {
  if (analysis.model !== gallery.model) {
    throw new AppError('CONFLICT', `the image was analysed by model ${analysis.model}, but the registry was embedded by ${gallery.model}`);
  }
  const thresholds = options.thresholds ?? thresholdsFor(descriptorModeOf(gallery.model));
  const gate = options.gate ?? draftGate;
  const findings: Finding[] = [];
  const resolved = request.claims.map((claim) => resolveOrReport(claim.text, gallery.people, findings));

  if (analysis.faces.length === 0) {
    const count = request.claims.length;
    const named = count > 0 ? `, though the check names ${count === 1 ? 'one person' : `${count} people`}` : '';
    findings.push({ code: 'no_face', message: `no face was found in the image${named}` });
    return { findings, faces: [], flagged: true };
  }

  const boxes = analysis.faces.map((face) => face.box);
  const assignment = assignClaims(boxes, request.claims);
  for (const c of assignment.emptyBoxes) {
    findings.push({ code: 'no_face', message: `no face was found in the box given for ${quoted(request.claims[c].text)}`, subject: request.claims[c].text });
  }

  const faces = readingOrder(boxes).map((f): FaceResult => {
    const face = analysis.faces[f];
    const claimIndex = assignment.claimOfFace[f];
    const person = claimIndex === null ? null : resolved[claimIndex];
    const claim: PersonRef | null = person ? { personId: person.id, name: person.name } : null;
    // The verdict reads the best two people and the claimed one: no need to sort the whole registry.
    const ranked = rankPeople(face.descriptor, gallery, { top: 2, include: claim ? [claim.personId] : [] });
    const outcome = decideVerdict({ ranked, claim, quality: checkQuality(face.quality, gate) }, thresholds);
    const reasons = [...outcome.reasons];
    if (claimIndex !== null && !person) reasons.unshift(`the name ${quoted(request.claims[claimIndex].text)} given for this face is not in the registry`);
    if (assignment.background[f] && claimIndex === null) reasons.push('a small face in the background: it takes no name from the list');
    return { box: face.box, ...outcome, reasons, claim, quality: face.quality };
  });

  if (assignment.countMismatch) findings.push(countMismatchFinding(assignment.countMismatch, request, resolved, faces));
  if (request.category) findings.push(...categoryFindings(request.category, gallery.people, faces));

  const flagged = findings.length > 0 || faces.some((face) => face.verdict !== 'confirmed' && face.verdict !== 'identified');
  return { findings, faces, flagged };
}

/** The registry person a claim names, or null after reporting it as an unknown claim. */
function resolveOrReport(text: string, people: RegistryPerson[], findings: Finding[]): RegistryPerson | null {
  const resolution = resolveClaim(text, people);
  if (resolution.person) return resolution.person;
  const { suggestions } = resolution;
  const hint = resolution.ambiguous
    ? `fits several people in the registry: ${suggestions.join(', ')}; name one of them by id`
    : suggestions.length > 0
      ? `is not in the registry; did you mean ${suggestions.join(', ')}?`
      : 'is not in the registry, and no registry name is close to it';
  findings.push({ code: 'unknown_claim', message: `the name ${quoted(text)} ${hint}`, subject: text, suggestions });
  return null;
}

/** "3 names, 2 faces", and which of the names were still found among the faces by identification. */
function countMismatchFinding(
  count: NonNullable<ClaimAssignment['countMismatch']>,
  request: CheckRequest,
  resolved: (RegistryPerson | null)[],
  faces: FaceResult[],
): Finding {
  const aside = count.background > 0 ? ` (not counting ${plural(count.background, 'small background face')})` : '';
  const identified = new Set(faces.flatMap((face) => (face.verdict === 'identified' && face.bestMatch ? [face.bestMatch.personId] : [])));
  const unboxed = request.claims.map((claim, c) => ({ text: claim.text, boxed: Boolean(claim.box), person: resolved[c] })).filter(({ boxed }) => !boxed);
  const isFound = ({ person }: { person: RegistryPerson | null }) => person !== null && identified.has(person.id);
  const found = unboxed.filter(isFound).map(({ text }) => text);
  const missing = unboxed.filter((claim) => !isFound(claim)).map(({ text }) => text);
  const tally = [found.length > 0 ? `found among the faces: ${found.join(', ')}` : '', missing.length > 0 ? `not found: ${missing.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
  return {
    code: 'claim_count_mismatch',
    message: `${plural(count.names, 'name')}, ${plural(count.faces, 'face')}${aside}: the names cannot be given to the faces by position, so each face was checked against the whole registry; ${tally}`,
  };
}

/** Each person shown (confirmed or identified) who is registered under another category than the check claims. */
function categoryFindings(category: string, people: RegistryPerson[], faces: FaceResult[]): Finding[] {
  const wanted = normaliseCategory(category);
  const byId = new Map(people.map((person) => [person.id, person]));
  const shown = faces.flatMap((face) => {
    const matched = face.verdict === 'confirmed' ? face.claim : face.verdict === 'identified' ? face.bestMatch : null;
    const person = matched ? byId.get(matched.personId) : undefined;
    return person ? [person] : [];
  });
  const outside = [...new Map(shown.map((person) => [person.id, person])).values()].filter(
    (person) => !person.category || normaliseCategory(person.category) !== wanted,
  );
  return outside.map((person) => ({
    code: 'category_mismatch',
    message: `${person.name} ${person.category ? `is registered as ${quoted(person.category)}` : 'has no category in the registry'}, not ${quoted(category)} as the check claims`,
    subject: person.name,
  }));
}

export type ReferencePhotoCheck =
  | { accepted: true; face: DetectedFace; problem?: undefined; reason?: undefined }
  | { accepted: false; face?: undefined; problem: 'no_face' | 'several_faces' | 'low_quality'; reason: string };

/**
 * Enrolment of a reference photo: exactly one face (small background faces aside, or the face
 * inside the chosen box) that passes the reference gate, else the reason it cannot be used.
 */
export function checkReferencePhoto(analysis: ImageAnalysis, options: { gate?: QualityGate; box?: Box } = {}): ReferencePhotoCheck {
  const gate = options.gate ?? referenceGate;
  let candidates = analysis.faces;
  if (options.box) {
    const assignment = assignClaims(candidates.map((face) => face.box), [{ text: 'reference', box: options.box }]);
    const chosen = assignment.claimOfFace.indexOf(0);
    if (chosen < 0) return { accepted: false, problem: 'no_face', reason: 'no face was found in the chosen box' };
    candidates = [candidates[chosen]];
  } else {
    const background = backgroundFaces(candidates.map((face) => face.box));
    candidates = candidates.filter((_, f) => !background[f]);
  }
  if (candidates.length === 0) return { accepted: false, problem: 'no_face', reason: 'no face was found in the photo' };
  if (candidates.length > 1) {
    return { accepted: false, problem: 'several_faces', reason: `the photo shows ${candidates.length} faces; choose the person's face with a box` };
  }
  const quality = checkQuality(candidates[0].quality, gate);
  if (!quality.passed) return { accepted: false, problem: 'low_quality', reason: `not good enough for a reference photo: ${quality.reasons.join('; ')}` };
  return { accepted: true, face: candidates[0] };
}
