/**
 * Where the benchmark keeps analyses, and the one way it gets one: from a cache keyed by the
 * image's content and the engine's model (the offline checker's DescriptorCache), else from the engine.
 */
import path from 'node:path';
import { contentHash } from '../../domain/content-hash.js';
import type { ImageAnalysis } from '../../domain/types.js';
import type { FaceEngine } from '../../engine/pool.js';
import type { DescriptorCache } from '../../registry-folder/cache.js';

/** The offline checker's cache for a half's registry (pass it as `photo-verify check --cache`). */
export const referenceCacheFile = (halfDir: string) => path.join(halfDir, '.registry-cache.json');
/** Every photo tried as a reference photo, accepted or not, so that composing again analyses nothing. */
export const enrolmentCacheFile = (halfDir: string) => path.join(halfDir, '.enrolment-cache.json');
/** The drafts' analyses: a re-run with other verdict rules computes nothing. */
export const draftCacheFile = (halfDir: string) => path.join(halfDir, '.draft-analyses.json');

export async function analyseCached(
  engine: FaceEngine,
  cache: DescriptorCache,
  bytes: Buffer,
): Promise<{ analysis: ImageAnalysis; computed: boolean }> {
  const hash = contentHash(bytes);
  const cached = cache.get(engine.model, hash);
  if (cached) return { analysis: cached, computed: false };
  const { timings: _timings, ...analysis } = await engine.analyze(bytes);
  cache.set(hash, analysis);
  return { analysis, computed: true };
}
