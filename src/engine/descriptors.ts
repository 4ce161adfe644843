/**
 * The descriptor registry: which networks describe a face, and how their unit descriptors are
 * fused into the one unit vector the registry stores, so that 1:N search stays one dot product.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DescriptorMode } from '../domain/descriptor-modes.js';

/** One network's L2-normalised descriptor. */
export type DescriptorName = 'face-api' | 'fr-feature';

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
  'face-api': { name: 'face-api', dimension: 128, model: `face-api-${faceApiVersion}/ssd-mobilenetv1+landmark68+recognition128` },
  // The sha256 prefix of models/fr_feature.onnx (models/checksums.json): other weights are another model.
  'fr-feature': { name: 'fr-feature', dimension: 512, model: 'fr_feature-87aacdfe/arcface112-flip' },
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

export function descriptorsOf(mode: DescriptorMode): DescriptorName[] {
  return mode === 'fused' ? ['face-api', 'fr-feature'] : ['face-api'];
}

export function descriptorDimension(mode: DescriptorMode): number {
  return descriptorsOf(mode).reduce((sum, name) => sum + descriptorSpecs[name].dimension, 0);
}

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

/**
 * One network's unit descriptor taken back out of a vector of the given mode: its slice of the
 * weighted concatenation, scaled to unit length again (the inverse of `fuse` for that part).
 */
export function descriptorPart(vector: ArrayLike<number>, mode: DescriptorMode, name: DescriptorName): number[] {
  const names = descriptorsOf(mode);
  if (!names.includes(name)) throw new Error(`a ${mode} descriptor holds no ${name} descriptor`);
  if (vector.length !== descriptorDimension(mode))
    throw new Error(`a ${mode} descriptor has ${descriptorDimension(mode)} values, not ${vector.length}`);
  let start = 0;
  for (const other of names.slice(0, names.indexOf(name))) start += descriptorSpecs[other].dimension;
  const part = Array.from({ length: descriptorSpecs[name].dimension }, (_, i) => vector[start + i]);
  const norm = Math.sqrt(part.reduce((sum, value) => sum + value * value, 0));
  return part.map((value) => value / norm);
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
