import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { boxCentreDistance } from '../domain/claims.js';
import { contentHash } from '../domain/content-hash.js';
import type { Box } from '../domain/types.js';
import { descriptorsOf, fuse } from '../engine/descriptors.js';
import { chipVariants, defaultPipelineOptions, type PipelineOptions, plainPipelineOptions } from '../engine/pipeline.js';
import type { FaceEngine } from '../engine/pool.js';
import { isAppError } from '../errors.js';
import { type CachedImage, type EvaluationCache, partKey, variantKey } from './cache.js';

/** Named pipeline variants compared in docs/improvements.md. */
export function variantOptions(name: string): PipelineOptions {
  if (name === 'default') return defaultPipelineOptions;
  if (name === 'plain') return plainPipelineOptions;
  const chip = chipVariants.find((v) => v.name === name);
  if (chip) return { ...defaultPipelineOptions, crop: chip.crop, align: chip.align, flip: chip.flip };
  throw new Error(`unknown variant "${name}": default, plain, ${chipVariants.map((v) => v.name).join(', ')}`);
}

/** `--set key=value` overrides: numbers, booleans, comma-separated number lists. */
export function applyOverrides(options: PipelineOptions, settings: string[]): PipelineOptions {
  const out: Record<string, unknown> = { ...options };
  for (const setting of settings) {
    const [key, value] = setting.split('=');
    if (!(key in defaultPipelineOptions) && !['retryPaddings', 'detectionMinSide'].includes(key))
      throw new Error(`unknown pipeline option "${key}"`);
    if (value === 'true' || value === 'false') out[key] = value === 'true';
    else if (key === 'crop') {
      if (value !== 'bbox' && value !== 'dlib') throw new Error(`crop must be bbox or dlib, not "${value}"`);
      out[key] = value;
    } else if (key === 'retryPaddings') out[key] = value === '' ? [] : value.split(',').map(Number);
    else out[key] = Number(value);
  }
  return out as unknown as PipelineOptions;
}

export interface AnalysedImage extends CachedImage {
  path: string;
  /** The image's content hash, its key in the descriptor cache. */
  hash: string;
  /** The face nearest the image centre, if any: the labelled person. */
  face?: CachedImage['faces'][number];
}

/**
 * Analyses every image once per pipeline variant, through the engine's worker threads, reusing
 * cached descriptors. A chip-pipeline run also caches the other chip variants of the same detection.
 */
export async function analyseImages(
  engine: FaceEngine,
  cache: EvaluationCache,
  dir: string,
  files: string[],
  options: PipelineOptions,
  progress: (done: number, total: number, computed: number) => void = () => {},
  /** Analyse again the cached images whose faces lack their quality measures. */
  requireQuality = false,
): Promise<Map<string, AnalysedImage>> {
  const key = variantKey(options);
  const results = new Map<string, AnalysedImage>();
  let done = 0;
  let computed = 0;
  const work = files.map(async (file) => {
    const bytes = await readFile(path.join(dir, file));
    const hash = contentHash(bytes);
    let image = cache.get(key, hash) ?? firstPassHit(cache, options, hash) ?? fusedFromParts(cache, options, hash);
    if (image && requireQuality && image.faces.some((face) => !face.quality)) image = undefined;
    if (!image) {
      computed++;
      image = await analyseOne(engine, cache, bytes, hash, options);
    }
    results.set(file, { ...image, path: file, hash, face: centreFace(image) });
    done++;
    if (done % 100 === 0 || done === files.length) progress(done, files.length, computed);
  });
  await Promise.all(work);
  return results;
}

/**
 * Retries run only when the first detection pass found nothing, so an image where the same
 * pipeline without retries found a face has exactly that result: reuse it.
 */
function firstPassHit(cache: EvaluationCache, options: PipelineOptions, hash: string): CachedImage | undefined {
  if (!options.retryPaddings || options.retryPaddings.length === 0) return undefined;
  const { retryPaddings: _retries, ...firstPass } = options;
  const image = cache.get(variantKey(firstPass), hash);
  return image && image.faces.length > 0 ? { ...image, pass: 0 } : undefined;
}

/**
 * A fused descriptor from its networks' cached unit descriptors of the same detection, fused with
 * today's weights: changing the weights costs no engine run.
 */
function fusedFromParts(cache: EvaluationCache, options: PipelineOptions, hash: string): CachedImage | undefined {
  const names = descriptorsOf(options.descriptor ?? 'face-api');
  if (names.length < 2) return undefined;
  const parts = names.map((name) => cache.get(partKey(options, name), hash));
  const first = parts[0];
  if (!first || parts.some((part) => !part || part.faces.length !== first.faces.length || part.pass !== first.pass)) return undefined;
  const faces = first.faces.map((face, f) => ({
    ...face,
    descriptor: fuse(Object.fromEntries(names.map((name, i) => [name, parts[i]!.faces[f].descriptor])), names),
  }));
  return { ...first, faces };
}

async function analyseOne(
  engine: FaceEngine,
  cache: EvaluationCache,
  bytes: Buffer,
  hash: string,
  options: PipelineOptions,
): Promise<CachedImage> {
  const describeVariants = !options.plain;
  try {
    const analysis = await engine.analyze(bytes, { ...options, describeVariants });
    const image: CachedImage = {
      width: analysis.width,
      height: analysis.height,
      pass: analysis.detectionPass,
      faces: analysis.faces.map((f) => ({ box: f.box, score: f.quality.detectorScore, descriptor: f.descriptor, quality: f.quality })),
    };
    cache.put(variantKey(options), hash, image, options);
    if (analysis.descriptorParts) {
      for (const name of descriptorsOf(options.descriptor ?? 'face-api')) {
        const key = partKey(options, name);
        if (cache.get(key, hash)) continue;
        const faces = image.faces.map((f, i) => ({ ...f, descriptor: analysis.descriptorParts![i][name]! }));
        cache.put(key, hash, { ...image, faces }, options);
      }
    }
    if (describeVariants && analysis.variantDescriptors) {
      for (const variant of chipVariants) {
        const variantOpts = { ...options, crop: variant.crop, align: variant.align, flip: variant.flip };
        const key = variantKey(variantOpts);
        if (key === variantKey(options) || cache.get(key, hash)) continue;
        const faces = image.faces.map((f, i) => ({ ...f, descriptor: analysis.variantDescriptors![i][variant.name] }));
        cache.put(key, hash, { ...image, faces }, variantOpts);
      }
    }
    return image;
  } catch (error) {
    if (!isAppError(error)) throw error;
    const image: CachedImage = { width: 0, height: 0, faces: [], error: error.code };
    cache.put(variantKey(options), hash, image, options);
    return image;
  }
}

/** Where an image holds several faces, the labelled one is the face nearest the centre. */
export function centreFace<F extends { box: Box }>(image: { width: number; height: number; faces: F[] }): F | undefined {
  let best: F | undefined;
  let bestDistance = Infinity;
  for (const face of image.faces) {
    const d = boxCentreDistance(face.box, image.width, image.height);
    if (d < bestDistance) {
      best = face;
      bestDistance = d;
    }
  }
  return best;
}
