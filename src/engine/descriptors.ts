/**
 * The descriptor registry: which networks describe a face, and how their unit descriptors are
 * fused into the one unit vector the registry stores, so that 1:N search stays one dot product.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What `DESCRIPTOR`, `--descriptor` and PipelineOptions.descriptor take. */
export const descriptorModes = ['face-api', 'fused'] as const;
export type DescriptorMode = (typeof descriptorModes)[number];

export function parseDescriptorMode(value: string): DescriptorMode {
  if ((descriptorModes as readonly string[]).includes(value)) return value as DescriptorMode;
  throw new Error(`unknown descriptor "${value}": ${descriptorModes.join(', ')}`);
}

/** The descriptor mode a model id was made with (see modelId). */
export function descriptorModeOf(model: string): DescriptorMode {
  return model.includes('/fused(') ? 'fused' : 'face-api';
}

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
 * descriptor i's different-person scores), so each network's impostor scores count alike.
 * PROVISIONAL: equal until measured on lfw-view1 fold 0.
 */
export const fusionWeights: Record<DescriptorName, number> = {
  'face-api': 1,
  'fr-feature': 1,
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
  return `+${names.slice(1).map((name) => descriptorSpecs[name].model).join('+')}/fused(${names.map((name) => `${name}:${weights[name]}`).join(',')})`;
}

/**
 * The weighted concatenation of unit descriptors, scaled to unit length: the dot product of two
 * fused vectors is sum_i w_i^2 s_i / sum_i w_i^2, s_i the cosine of descriptor i.
 */
export function fuse(parts: Partial<Record<DescriptorName, ArrayLike<number>>>, names: DescriptorName[], weights = fusionWeights): number[] {
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
