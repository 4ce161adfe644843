import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Box, FaceQuality } from '../domain/types.js';
import { type DescriptorName, descriptorModelPart, descriptorSpecs } from '../engine/descriptors.js';
import type { PipelineOptions } from '../engine/pipeline.js';
import { repositoryRoot } from './faces-dir.js';

/** What the evaluation keeps of one image: enough to pick a face and score it. */
export interface CachedImage {
  width: number;
  height: number;
  /** `quality` is absent in entries cached before it was kept. */
  faces: { box: Box; score: number; descriptor: number[]; quality?: FaceQuality }[];
  /** Which detection pass found the faces (see PipelineOptions.retryPaddings). */
  pass?: number;
  /** An AppError code when the image could not be analysed. */
  error?: string;
}

export const cacheRoot = path.join(repositoryRoot, '.cache/eval');

/**
 * One key per pipeline configuration: every option that changes the descriptors. face-api's
 * descriptor alone keys as it did before descriptors could be chosen; any other descriptor set
 * adds its networks and fusion weights (the model id's descriptor part), so a change of weights
 * never reuses another configuration's descriptors.
 */
export function variantKey(options: PipelineOptions): string {
  const { describeVariants: _ignored, descriptor, ...rest } = options;
  const keyed: Record<string, unknown> = { ...rest };
  if (descriptor && descriptor !== 'face-api') keyed.descriptor = `${descriptor}${descriptorModelPart(descriptor)}`;
  return hashOf(keyed);
}

/** The key of one network's unit descriptor within a fused configuration (weights play no part in it). */
export function partKey(options: PipelineOptions, part: DescriptorName): string {
  const { describeVariants: _ignored, descriptor: _mode, ...rest } = options;
  return part === 'face-api' ? hashOf(rest) : hashOf({ ...rest, descriptor: descriptorSpecs[part].model });
}

function hashOf(keyed: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(keyed).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Descriptors per (image content hash, pipeline variant), one append-only JSONL file per variant. */
export class EvaluationCache {
  private readonly maps = new Map<string, Map<string, CachedImage>>();

  constructor(private readonly root = cacheRoot) {
    mkdirSync(root, { recursive: true });
  }

  private load(key: string): Map<string, CachedImage> {
    let map = this.maps.get(key);
    if (map) return map;
    map = new Map();
    try {
      for (const line of readFileSync(this.file(key), 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const { hash, ...image } = JSON.parse(line) as CachedImage & { hash: string };
          map.set(hash, image);
        } catch {
          // a line cut short by an interrupted run
        }
      }
    } catch {
      // no cache yet
    }
    this.maps.set(key, map);
    return map;
  }

  private file(key: string): string {
    return path.join(this.root, `${key}.jsonl`);
  }

  get(key: string, hash: string): CachedImage | undefined {
    return this.load(key).get(hash);
  }

  put(key: string, hash: string, image: CachedImage, options: PipelineOptions): void {
    const map = this.load(key);
    if (map.size === 0) appendFileSync(path.join(this.root, `${key}.options.json`), `${JSON.stringify(options)}\n`);
    map.set(hash, image);
    const compact = { ...image, faces: image.faces.map((f) => ({ ...f, descriptor: f.descriptor.map((v) => Math.round(v * 1e6) / 1e6) })) };
    appendFileSync(this.file(key), `${JSON.stringify({ hash, ...compact })}\n`);
  }
}
