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
/**
 * Which detection made a draft's analysis. Detection is not part of the model id (which names what
 * describes a face, and re-embeds a registry when it changes), so the drafts' cache is named after
 * it: a change of detection analyses the drafts again. The LFW photos of references and strangers
 * (250 px) are too small for tiles, and their one face is too large for a rescan at other paddings
 * (unless only a small background face was found), so they stay as they were.
 */
export const detectionVersion = 'tiles-2-bare-paper-skipped-rescan-small-each-face-once';
/** The drafts' analyses: a re-run with other verdict rules computes nothing. */
export const draftCacheFile = (halfDir: string) => path.join(halfDir, `.draft-analyses.${detectionVersion}.json`);

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
