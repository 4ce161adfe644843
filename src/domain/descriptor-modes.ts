/** Which descriptor a registry and its thresholds were made with: a name only, no model is loaded here. */

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

/** The length of each network's unit descriptor. */
export const descriptorLengths: Record<DescriptorName, number> = { 'face-api': 128, 'fr-feature': 512 };

/** The networks whose unit descriptors a mode's vector holds, in the order they are concatenated. */
export function descriptorsOf(mode: DescriptorMode): DescriptorName[] {
  return mode === 'fused' ? ['face-api', 'fr-feature'] : ['face-api'];
}

export function descriptorDimension(mode: DescriptorMode): number {
  return descriptorsOf(mode).reduce((sum, name) => sum + descriptorLengths[name], 0);
}

/**
 * One network's unit descriptor taken back out of a vector of the given mode: its slice of the
 * weighted concatenation, scaled to unit length again (the inverse of the engine's `fuse` for that part).
 */
export function descriptorPart(vector: ArrayLike<number>, mode: DescriptorMode, name: DescriptorName): number[] {
  const names = descriptorsOf(mode);
  if (!names.includes(name)) throw new Error(`a ${mode} descriptor holds no ${name} descriptor`);
  if (vector.length !== descriptorDimension(mode))
    throw new Error(`a ${mode} descriptor has ${descriptorDimension(mode)} values, not ${vector.length}`);
  let start = 0;
  for (const other of names.slice(0, names.indexOf(name))) start += descriptorLengths[other];
  const part = Array.from({ length: descriptorLengths[name] }, (_, i) => vector[start + i]);
  const norm = Math.sqrt(part.reduce((sum, value) => sum + value * value, 0));
  return part.map((value) => value / norm);
}
