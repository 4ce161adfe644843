/** The product's vocabulary (see DESIGN.md): pure data, no behaviour. */

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Measures the quality gate decides on; all in the original image's pixels. */
export interface FaceQuality {
  /** Inter-ocular distance in pixels of the original image. */
  faceSize: number;
  /** SSD MobileNet v1 score, 0..1. */
  detectorScore: number;
  /** Variance of the Laplacian of the aligned 150x150 grey face crop; low means blurred. */
  sharpness: number;
  /** Head pose estimated from the 68 landmarks, degrees. */
  yaw: number;
  pitch: number;
  roll: number;
}

export interface DetectedFace {
  box: Box;
  landmarks: Point[];
  quality: FaceQuality;
  /** L2-normalised 128-d embedding. */
  descriptor: number[];
}

export interface ImageAnalysis {
  width: number;
  height: number;
  /** Format sniffed from content, e.g. "jpeg". */
  format: string;
  faces: DetectedFace[];
  /** The model that made the descriptors (see engine/modelId). */
  model: string;
}

export type Verdict = 'confirmed' | 'mismatch' | 'uncertain' | 'identified' | 'unknown' | 'low_quality';

export type FindingCode = 'no_face' | 'claim_count_mismatch' | 'unknown_claim' | 'category_mismatch' | 'image_error';

export interface Finding {
  code: FindingCode;
  message: string;
  /** For unknown_claim: the nearest registry names. */
  suggestions?: string[];
  /** For unknown_claim and category_mismatch: the claim text or person concerned. */
  subject?: string;
}

export interface PersonRef {
  personId: string;
  name: string;
}

export interface RegistryPerson {
  id: string;
  name: string;
  aliases: string[];
  category?: string;
  region?: string;
  status?: string;
}

export interface ReferenceDescriptor {
  personId: string;
  /** An id or file name the answer names when this photo gave the best score. */
  referencePhoto: string;
  descriptor: number[];
}
