/**
 * The descriptor registry: which networks describe a face, and how their unit descriptors are
 * fused into the one unit vector the registry stores, so that 1:N search stays one dot product.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type DescriptorMode, type DescriptorName, descriptorLengths, descriptorsOf } from '../domain/descriptor-modes.js';

export type { DescriptorName } from '../domain/descriptor-modes.js';
export { descriptorDimension, descriptorsOf } from '../domain/descriptor-modes.js';

export interface DescriptorSpec {
  name: DescriptorName;
  dimension: number;
  /** How the model id names the network and the crop it reads. */
  model: string;
}

// Read, not required: face-api itself is only ever loaded inside the inference threads.
const faceApiPackage = createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json');
const faceApiVersion = (JSON.parse(readFileSync(faceApiPackage, 'utf8')) as { version: string }).version;

export const descriptorSpecs: Record<DescriptorName, DescriptorSpec> = {
  'face-api': {
    name: 'face-api',
    dimension: descriptorLengths['face-api'],
    model: `face-api-${faceApiVersion}/ssd-mobilenetv1+landmark68+recognition128`,
  },
  // The sha256 prefix of models/fr_feature.onnx (models/checksums.json): other weights are another model.
  'fr-feature': { name: 'fr-feature', dimension: descriptorLengths['fr-feature'], model: 'fr_feature-87aacdfe/arcface112-flip' },
};

/**
 * Weights of the unit descriptors in the fused vector, w_i proportional to 1/sqrt(spread of
 * descriptor i's different-person scores), so each network's impostor scores count alike; scaled
 * so that sum w_i^2 = 1. Measured on 2026-11-30 by `npm run eval -- --pairs lfw-view1/pairs.csv
 * --fold 0 --descriptor fused` ("descriptors" in its output): over fold 0's 1,100 different-person
 * pairs the standard deviation of the scores is 0.0350 for face-api (mean 0.837) and 0.0978 for
 * fr_feature (mean 0.006), so w = 1/sqrt(0.0350) : 1/sqrt(0.0978) = 5.347 : 3.197.
 */
export const fusionWeights: Record<DescriptorName, number> = {
  'face-api': 0.8583,
  'fr-feature': 0.5131,
};

/** The model-id part naming the descriptors and, when fused, their weights. */
export function descriptorModelPart(mode: DescriptorMode, weights = fusionWeights): string {
  if (mode === 'face-api') return '';
  const names = descriptorsOf(mode);
  return `+${names
    .slice(1)
    .map((name) => descriptorSpecs[name].model)
    .join('+')}/fused(${names.map((name) => `${name}:${weights[name]}`).join(',')})`;
}

/**
 * The weighted concatenation of unit descriptors, scaled to unit length: the dot product of two
 * fused vectors is sum_i w_i^2 s_i / sum_i w_i^2, s_i the cosine of descriptor i.
 */
export function fuse(
  parts: Partial<Record<DescriptorName, ArrayLike<number>>>,
  names: DescriptorName[],
  weights = fusionWeights,
): number[] {
  const norm = Math.sqrt(names.reduce((sum, name) => sum + weights[name] ** 2, 0));
  const out: number[] = [];
  for (const name of names) {
    const part = parts[name];
    if (!part) throw new Error(`descriptor ${name} is missing`);
    const scale = weights[name] / norm;
    for (let i = 0; i < part.length; i++) out.push(part[i] * scale);
  }
  return out;
}

/** The score a fused vector gives, from the per-descriptor cosines. */
export function fusedScore(scores: Partial<Record<DescriptorName, number>>, names: DescriptorName[], weights = fusionWeights): number {
  let sum = 0;
  let total = 0;
  for (const name of names) {
    sum += weights[name] ** 2 * scores[name]!;
    total += weights[name] ** 2;
  }
  return sum / total;
}
