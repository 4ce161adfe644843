/**
 * Runs the offline checker's logic on one composed half: the registry loaded as `photo-verify
 * check` loads it, the claims read from the manifest, each draft analysed once (cached by content
 * and model) and judged by evaluateImage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { readClaimsManifest } from '../../cli/claims-manifest.js';
import { loadReferencePhotos } from '../../cli/reference-photos.js';
import { evaluateImage, type ImageEvaluation } from '../../domain/evaluate.js';
import type { Gallery } from '../../domain/gallery.js';
import type { CheckRequest } from '../../domain/results.js';
import type { ImageAnalysis } from '../../domain/types.js';
import { modelId } from '../../engine/pipeline.js';
import { type EngineSettings, engineOptions, type FaceEngine, startEngine } from '../../engine/pool.js';
import { DescriptorCache } from '../../registry-folder/cache.js';
import { readRegistryFolder } from '../../registry-folder/folder.js';
import type { FolderRegistrySummary } from '../../report/report.js';
import { analyseCached, draftCacheFile, referenceCacheFile } from './analyses.js';
import type { Half } from './cast.js';
import { claimsFile, type DraftTruth, type HalfTruth, registryFolder, truthFile } from './truth.js';

/**
 * The checker's verdicts on one draft: the single call the offline checker makes too. Adapt
 * here when evaluateImage's options or the gallery change.
 */
export function checkDraft(analysis: ImageAnalysis, gallery: Gallery, request: CheckRequest): ImageEvaluation {
  return evaluateImage(analysis, gallery, request);
}

/**
 * An engine whose threads start on the first analysis: a re-run over cached analyses loads no
 * model at all. The model id is known beforehand from the pipeline options, and checked against
 * the started engine's, so that cached analyses can never be taken for another model's.
 */
export function lazyEngine(settings: EngineSettings & { threads: number }): FaceEngine {
  const model = modelId(engineOptions(settings));
  let started: Promise<FaceEngine> | undefined;
  const start = () =>
    (started ??= startEngine(settings).then(async (engine) => {
      if (engine.model === model) return engine;
      await engine.close();
      throw new Error(`the engine started with model ${engine.model}, but the benchmark expected ${model}`);
    }));
  return {
    model,
    backend: 'not started',
    threads: settings.threads,
    analyze: async (bytes, options) => (await start()).analyze(bytes, options),
    close: async () => {
      const engine = await started?.catch(() => undefined);
      await engine?.close();
    },
  };
}

export interface CheckedDraft {
  truth: DraftTruth;
  result: ImageEvaluation;
}

export interface HalfRun {
  truth: HalfTruth;
  registry: FolderRegistrySummary;
  drafts: CheckedDraft[];
  analyses: { computed: number; fromCache: number };
}

export async function runHalf(workDir: string, half: Half, engine: FaceEngine): Promise<HalfRun> {
  const halfDir = path.join(workDir, half);
  const truth = JSON.parse(await readFile(path.join(halfDir, truthFile), 'utf8')) as HalfTruth;
  const registry = await readRegistryFolder(path.join(halfDir, registryFolder));
  const referenceCache = await DescriptorCache.open(referenceCacheFile(halfDir));
  const { gallery, summary } = await loadReferencePhotos(registry, engine, referenceCache);
  await referenceCache.save(engine.model);
  const manifest = await readClaimsManifest(path.join(halfDir, claimsFile));

  const draftCache = await DescriptorCache.open(draftCacheFile(halfDir));
  const analyses = { computed: 0, fromCache: 0 };
  const drafts = await pLimit(engine.threads * 2).map(truth.drafts, async (draft): Promise<CheckedDraft> => {
    const file = path.join(halfDir, draft.file);
    const { analysis, computed } = await analyseCached(engine, draftCache, await readFile(file));
    if (computed) analyses.computed++;
    else analyses.fromCache++;
    const request = manifest.requests.get(file);
    if (!request) throw new Error(`${draft.file} is in ${truthFile} but not in ${claimsFile}`);
    return { truth: draft, result: checkDraft(analysis, gallery, request) };
  });
  await draftCache.save(engine.model);
  return { truth, registry: summary, drafts, analyses };
}
