/**
 * The quality gate: a face too small, blurred, doubtful or turned away is `low_quality` rather
 * than a verdict either way. Drafts pass `draftGate`; reference photos the stricter `referenceGate`.
 */
import type { QualityGate } from './thresholds.js';
import type { FaceQuality } from './types.js';

export interface QualityCheck {
  passed: boolean;
  /** Each failed measure, in a user's words, with the value and the limit. */
  reasons: string[];
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

export function checkQuality(quality: FaceQuality, gate: QualityGate): QualityCheck {
  const reasons: string[] = [];
  if (quality.faceSize < gate.minFaceSize) {
    reasons.push(`the face is too small: its eyes are ${round(quality.faceSize)} px apart, at least ${gate.minFaceSize} px are needed`);
  }
  if (quality.detectorScore < gate.minDetectorScore) {
    reasons.push(
      `it is doubtful that this is a clear face: detector score ${round(quality.detectorScore, 2)}, at least ${gate.minDetectorScore} is needed`,
    );
  }
  if (quality.sharpness < gate.minSharpness) {
    reasons.push(`the face is blurred: sharpness ${round(quality.sharpness, 1)}, at least ${gate.minSharpness} is needed`);
  }
  if (Math.abs(quality.yaw) > gate.maxAbsYaw) {
    reasons.push(`the head is turned to the side by about ${round(Math.abs(quality.yaw))}°, at most ${gate.maxAbsYaw}° is allowed`);
  }
  if (Math.abs(quality.pitch) > gate.maxAbsPitch) {
    reasons.push(`the head is tilted up or down by about ${round(Math.abs(quality.pitch))}°, at most ${gate.maxAbsPitch}° is allowed`);
  }
  return { passed: reasons.length === 0, reasons };
}
