/**
 * What a check answers, per face and per image: the JSON report's schema, shared by the
 * offline checker, the API and the webhooks. Scores are similarities (cosine of the
 * L2-normalised descriptors, higher is more alike; distance = sqrt(2 - 2 * score)).
 */
import type { Box, FaceQuality, Finding, PersonRef, Verdict } from './types.js';

/** A claim as the user gave it: who should be shown, by person id or name, optionally where. */
export interface Claim {
  /** A registry id, a name or an alias, in any spelling the registry knows. */
  text: string;
  box?: Box;
}

export interface CheckRequest {
  /** Claims in reading order (rows top to bottom, each left to right), or with boxes. */
  claims: Claim[];
  /** The category the draft claims for its list, e.g. "crimean-political-prisoner". */
  category?: string;
}

export interface Match extends PersonRef {
  score: number;
  /** The reference photo that gave the score. */
  referencePhoto: string;
}

export interface FaceResult {
  box: Box;
  verdict: Verdict;
  /** The claimed person, resolved in the registry; null when the face carries no claim. */
  claim: PersonRef | null;
  /** The claimed person's best score against this face; null without a claim. */
  claimScore: number | null;
  /** Which of the claimed person's reference photos gave claimScore. */
  claimReferencePhoto: string | null;
  /** The registry person this face matches (score at or above the accept threshold), else null. */
  bestMatch: Match | null;
  /** The nearest registry person whatever the score, for evidence; null for an empty registry. */
  nearest: Match | null;
  /** The second-nearest person (a small margin to it is a reason for uncertain). */
  runnerUp: Match | null;
  /** Why the verdict is what it is, in a user's words. */
  reasons: string[];
  quality: FaceQuality;
  /**
   * Set when the layout put the face aside and it took no name: a bystander behind the subject or
   * in the background, or a false detection. Such a face never flags the check on its own.
   */
  setAside?: 'bystander' | 'not_a_face';
  /**
   * The name as given, when it is not a registry name; `claim` is then the registry's one clear
   * suggestion for it (the face was compared with that person), or null.
   */
  claimText?: string;
}

/** Faces the verification team must look at: anything but a confirmed or identified face, unless set aside. */
export function isFlaggedFace(face: Pick<FaceResult, 'verdict' | 'setAside'>): boolean {
  return !face.setAside && face.verdict !== 'confirmed' && face.verdict !== 'identified';
}

export interface ImageResult {
  /** The file as given; a PDF page's is `handout.pdf, page 2`. */
  file: string;
  /** A PDF page's number, from 1 (absent for an image). */
  page?: number;
  findings: Finding[];
  faces: FaceResult[];
  flagged: boolean;
  /** Set when the image could not be checked at all (corrupt, unsupported); faces is then empty. */
  error?: { code: string; message: string };
  /** Set when the names were read from the image's captions (no names were given for it). */
  captions?: CaptionsReport;
}

/** A name read from a caption, as the report tells it. */
export interface CaptionNameReport {
  /** The text read. */
  text: string;
  /** Where it was read from: the PDF's text layer or OCR of the image. */
  source: 'ocr' | 'text-layer';
  /** The caption's box in the image's pixels. */
  box: Box;
  /** How sure the reader is, 0 to 1 (1 for a text layer). */
  confidence: number;
  /** The index in `faces` of the face it captions, or null when no face was found above or beside it. */
  face: number | null;
  /** The registry person the text names, or null when it names nobody (see suggestions). */
  person: PersonRef | null;
  /** Registry names near a text that names nobody: never picked silently. */
  suggestions?: string[];
}

export interface CaptionsReport {
  /** Whether the names read were used as the claims (false when the user gave names: those win). */
  used: boolean;
  /** The title read above the portraits, if any, and whether it set the claimed category. */
  title: { text: string; source: 'ocr' | 'text-layer'; box: Box; confidence: number; setsCategory: boolean } | null;
  names: CaptionNameReport[];
  /** Set when the captions could not be read (OCR failed or took too long); the image is then checked without names. */
  error?: string;
}

export interface ReportSummary {
  images: number;
  faces: number;
  flagged: number;
  errors: number;
}

export interface Report {
  images: ImageResult[];
  summary: ReportSummary;
  model: string;
}
