/**
 * Verdict thresholds and quality gates: named defaults, each with where its value comes from.
 * Scores are cosine similarities of L2-normalised descriptors (see results.ts).
 * PROVISIONAL until calibrated on lfw-view1 fold 0 (issue 2, step 5).
 */
import type { DescriptorMode } from '../engine/descriptors.js';

export interface Thresholds {
  /** At or above: the face is the person. Set for a false-accept rate of at most 0.1%. */
  accept: number;
  /** Below: the face is not the person. Between reject and accept: uncertain. */
  reject: number;
  /** The single decision point between the two, used for the binary accuracy figure. */
  decision: number;
  /** A best person ahead of the runner-up by less than this is uncertain. */
  margin: number;
}

// engine:calibrated-thresholds:begin
/**
 * Calibrated by `npm run eval -- --pairs lfw-view1/pairs.csv --fold 0 --calibrate` on 2026-11-29
 * (pipeline face-api-1.7.15/ssd-mobilenetv1+landmark68+recognition128/dlib-aligned-flip, variant key 848a7d2f4f28949b): on 1100 different-person and
 * 1100 same-person scored pairs of fold 0, accept gives a false-accept rate of 0.00%
 * (target <= 0.05%, half the 0.1% limit), reject a false-reject rate of 1.00%
 * (target <= 1.00%, half the 2% limit); decision is the equal-error point
 * (0.913) kept between them. margin: 1% of the 1977 correct
 * leave-one-out identifications over fold 0 scoring >= accept lead the runner-up by less; it turns
 * 15 of the 88 wrong ones scoring >= accept uncertain.
 */
export const defaultThresholds: Thresholds = {
  accept: 0.933,
  reject: 0.915,
  decision: 0.915,
  margin: 0.001,
};
// engine:calibrated-thresholds:end

// engine:calibrated-thresholds:fused:begin
/**
 * Calibrated by `npm run eval -- --pairs lfw-view1/pairs.csv --fold 0 --descriptor fused --calibrate` on 2026-11-30
 * (pipeline face-api-1.7.15/ssd-mobilenetv1+landmark68+recognition128/dlib-aligned-flip+fr_feature-87aacdfe/arcface112-flip/fused(face-api:0.8583,fr-feature:0.5131), variant key b41cf6549e80218b): on 1100 different-person and
 * 1100 same-person scored pairs of fold 0, accept gives a false-accept rate of 0.00%
 * (target <= 0.05%, half the 0.1% limit), reject a false-reject rate of 1.00%
 * (target <= 1.00%, half the 2% limit); decision is the equal-error point
 * (0.742) kept between them. margin: 1% of the 2090 correct
 * leave-one-out identifications over fold 0 scoring >= accept lead the runner-up by less; it turns
 * 11 of the 19 wrong ones scoring >= accept uncertain.
 */
export const fusedThresholds: Thresholds = {
  accept: 0.772,
  reject: 0.759,
  decision: 0.759,
  margin: 0.018,
};
// engine:calibrated-thresholds:fused:end

/** Scores of different descriptor sets are spread differently: each has its own calibrated block. */
export function thresholdsFor(descriptor: DescriptorMode): Thresholds {
  return descriptor === 'fused' ? fusedThresholds : defaultThresholds;
}

export interface QualityGate {
  /** Minimum inter-ocular distance, pixels. */
  minFaceSize: number;
  minDetectorScore: number;
  /** Minimum variance of the Laplacian of the 150x150 chip. */
  minSharpness: number;
  maxAbsYaw: number;
  maxAbsPitch: number;
}

/**
 * Drafts: decide whenever the face is usable at all. Measured on 120 lfw-view1 portraits
 * (150x150, one per person, spread over the alphabet): eyes 20-36 px apart, detector score
 * from 0.44 (a hand at the face) with 1% below 0.6, sharpness from 6.7 with 1% below 13.4,
 * |yaw| up to 40 and |pitch| up to 40 degrees (an open mouth reads as a tilted head). Every one
 * of them passes; a Gaussian blur of sigma 2 on a 250-px LFW portrait gives sharpness 6.9,
 * sigma 4 loses the face altogether.
 */
export const draftGate: QualityGate = {
  minFaceSize: 12,
  minDetectorScore: 0.4,
  minSharpness: 5,
  maxAbsYaw: 50,
  maxAbsPitch: 50,
};

/**
 * Reference photos: stricter, since every later check trusts them. The 250-px lfw-10-people
 * portraits have eyes 32-43 px apart and sharpness 24-113; turned heads (|yaw| 38-44) fail.
 */
export const referenceGate: QualityGate = {
  minFaceSize: 24,
  minDetectorScore: 0.8,
  minSharpness: 15,
  maxAbsYaw: 35,
  maxAbsPitch: 35,
};
