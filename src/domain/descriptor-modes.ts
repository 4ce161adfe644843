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
