/**
 * Accuracy of the face engine on a folder of labelled pairs (the shared folder ../shared/data/faces, or FACES_DIR):
 *
 *   npm run eval -- --pairs DIR/pairs.csv [--fold N] [--variant NAME] [--descriptor face-api|fused] [--set option=value]...
 *                   [--distance D] [--threads N] [--calibrate] [--identify] [--json]
 *
 * Prints one JSON object with --json, else a readable summary. Descriptors are cached per
 * (image content hash, pipeline variant) under .cache/eval, so re-runs and sweeps are cheap.
 * --calibrate (lfw-view1 fold 0 only) picks the thresholds and writes them into
 * src/domain/thresholds.ts; --identify adds 1:N identification with k enrolled photos per person.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { type DescriptorMode, descriptorPart, parseDescriptorMode } from '../domain/descriptor-modes.js';
import { identificationAccept, type Thresholds, thresholdsFor } from '../domain/thresholds.js';
import { descriptorsOf } from '../engine/descriptors.js';
import type { PipelineOptions } from '../engine/pipeline.js';
import { modelId } from '../engine/pipeline.js';
import { startEngine } from '../engine/pool.js';
import { type AnalysedImage, analyseImages, applyOverrides, centreFace, variantOptions } from './analyse.js';
import { EvaluationCache, partKey, variantKey } from './cache.js';
import { type Pair, readDataset } from './dataset.js';
import {
  type Aggregation,
  identify,
  impostorTail,
  type LabelledDescriptor,
  leaveOneOutProbes,
  type SecondOpinion,
} from './identification.js';
import { calibrate, calibrateMargin, distanceToScore, pairMetrics, pairScore, type ScoredPair } from './metrics.js';
import { type ReferenceIntake, referenceIntake } from './references.js';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string' },
    fold: { type: 'string' },
    variant: { type: 'string', default: 'default' },
    descriptor: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    distance: { type: 'string' },
    threads: { type: 'string', default: '0' },
    calibrate: { type: 'boolean', default: false },
    identify: { type: 'boolean', default: false },
    references: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (!values.pairs) throw new Error('--pairs DIR/pairs.csv is required');
  const fold = values.fold === undefined ? undefined : Number(values.fold);
  if (values.calibrate && fold !== 0)
    throw new Error('--calibrate runs on fold 0 only (--fold 0): fold 1 is kept for the accuracy figures');
  const dataset = await readDataset(values.pairs, fold);
  const config = loadConfig();
  const descriptor = parseDescriptorMode(values.descriptor ?? config.DESCRIPTOR);
  const options = { ...applyOverrides(variantOptions(values.variant!), values.set!), descriptor };
  // The plain face-api pipeline is judged the way face-api's examples judge it: distance 0.6.
  const distance = values.distance ? Number(values.distance) : options.plain ? 0.6 : undefined;
  const thresholds: Thresholds =
    distance === undefined
      ? thresholdsFor(descriptor)
      : { accept: distanceToScore(distance), reject: distanceToScore(distance), decision: distanceToScore(distance), margin: 0 };

  const files = [...new Set(dataset.pairs.flatMap((p) => [p.a, p.b]))].sort();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const engine = await startEngine({
    threads: Number(values.threads),
    maxPixels: config.MAX_IMAGE_PIXELS,
    backend: config.TF_BACKEND,
    options,
    log,
  });
  const started = performance.now();
  let images: Map<string, AnalysedImage>;
  try {
    images = await analyseImages(
      engine,
      new EvaluationCache(),
      dataset.dir,
      files,
      options,
      (done, total, computed) =>
        log(`${dataset.name}: ${done}/${total} images (${computed} computed, ${((performance.now() - started) / 1000).toFixed(0)} s)`),
      values.references,
    );
  } finally {
    await engine.close();
  }

  // The fused mode's verdicts take face-api's own view as a second opinion (withSecondOpinion).
  const faceApiReject = thresholdsFor('face-api').reject;
  const withSecondOpinion = options.descriptor === 'fused' && !options.plain;
  const scored: ScoredPair[] = dataset.pairs.map((p) => {
    const a = images.get(p.a)?.face;
    const b = images.get(p.b)?.face;
    if (!a || !b) return { same: p.same, score: null };
    const pair: ScoredPair = { same: p.same, score: pairScore(a.descriptor, b.descriptor) };
    if (withSecondOpinion) {
      const [ownA, ownB] = [a, b].map((face) => descriptorPart(face.descriptor, 'fused', 'face-api'));
      pair.secondOpinion = { score: pairScore(ownA, ownB), reject: faceApiReject };
    }
    return pair;
  });
  const imageErrors = [...images.values()].filter((i) => i.error).map((i) => `${i.path}: ${i.error}`);
  const noFaceImages = [...images.values()].filter((i) => !i.face).length;
  const retried = [...images.values()].filter((i) => (i.pass ?? 0) > 0 && i.face).length;

  const result: Record<string, unknown> = {
    dataset: dataset.name,
    fold: fold ?? null,
    variant: values.variant,
    descriptor,
    model: modelId(options),
    variantKey: variantKey(options),
    thresholds,
    ...pairMetrics(scored, thresholds),
    images: files.length,
    noFaceImages,
    foundOnRetry: retried,
    imageErrors,
  };

  if (descriptorsOf(descriptor).length > 1) result.descriptors = descriptorFigures(images, dataset.pairs, options, thresholds);

  if (values.calibrate) {
    const calibration = calibrate(scored, calibrationTargets.falseAccept, calibrationTargets.falseReject);
    const labelled = labelledDescriptors(images, dataset.identities);
    const margin = calibrateMargin(leaveOneOutProbes(labelled), calibration.thresholds.accept);
    calibration.thresholds.margin = margin.margin;
    calibration.thresholds.identification = { fpir: calibrationTargets.falsePositiveIdentification, tail: impostorTail(labelled) };
    result.calibration = { ...calibration, marginEvidence: margin };
    await writeThresholds(descriptor, calibration.thresholds, describeCalibration(dataset.name, calibration, margin, options));
    result.calibrated = pairMetrics(scored, calibration.thresholds);
  }

  if (values.identify) {
    const labelled = labelledDescriptors(images, dataset.identities);
    const own = thresholdsFor('face-api');
    const second: SecondOpinion | undefined = withSecondOpinion
      ? {
          part: (descriptor) => descriptorPart(descriptor, 'fused', 'face-api'),
          acceptFor: (references) => identificationAccept(own, references),
          reject: own.reject,
          margin: own.margin,
        }
      : undefined;
    const rows = [];
    for (const k of [1, 3, 5]) {
      for (const aggregation of ['max', 'mean', 'centroid'] as Aggregation[]) {
        rows.push(
          identify(labelled, k, aggregation, (references) => identificationAccept(thresholds, references), thresholds.margin, second),
        );
      }
    }
    result.identification = rows;
  }

  if (values.references) result.references = referenceIntake(images, dataset, thresholds);

  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    printSummary(result);
  }
}

/**
 * The issue's limits are a false-accept rate of at most 0.1% and a false-reject rate of at most 2%
 * on pairs the thresholds never saw. Calibrated to exactly those limits on fold 0, thresholds sit
 * at the edge and sampling error on new pairs tips them over (fold 1's 499 different-person pairs
 * allow no false accept at all; one such calibration, accept 0.924 and reject 0.92, gave fold 1 a
 * false-reject rate of 2.2%), so fold 0 is held to half of each: room for sampling error, paid for
 * in uncertain answers.
 */
export const calibrationTargets = { falseAccept: 0.0005, falseReject: 0.01, falsePositiveIdentification: 0.01 };

/**
 * Each fused network's own figures on the same detections, from the descriptors the fused run
 * cached per network, and the spread (standard deviation) of its different-person scores: the
 * fusion weights are 1/sqrt of it (src/engine/descriptors.ts).
 */
function descriptorFigures(
  images: Map<string, AnalysedImage>,
  pairs: Pair[],
  options: PipelineOptions,
  thresholds: Thresholds,
): Record<string, unknown> {
  const cache = new EvaluationCache();
  const out: Record<string, unknown> = {};
  for (const name of descriptorsOf(options.descriptor ?? 'face-api')) {
    const faceOf = (file: string) => {
      const image = images.get(file);
      const cached = image && cache.get(partKey(options, name), image.hash);
      return cached ? centreFace(cached) : undefined;
    };
    const scored: ScoredPair[] = pairs.map((p) => {
      const a = faceOf(p.a);
      const b = faceOf(p.b);
      return { same: p.same, score: a && b ? pairScore(a.descriptor, b.descriptor) : null };
    });
    const impostor = scored.filter((p) => !p.same && p.score !== null).map((p) => p.score!);
    const meanScore = impostor.reduce((sum, v) => sum + v, 0) / (impostor.length || 1);
    const spread = Math.sqrt(impostor.reduce((sum, v) => sum + (v - meanScore) ** 2, 0) / (impostor.length || 1));
    const { eer, frrAtFar001 } = pairMetrics(scored, thresholds);
    out[name] = { eer, frrAtFar001, impostorMean: meanScore, impostorSpread: spread, weightFromSpread: 1 / Math.sqrt(spread) };
  }
  return out;
}

function labelledDescriptors(images: Map<string, AnalysedImage>, identities: Map<string, string>): LabelledDescriptor[] {
  const out: LabelledDescriptor[] = [];
  for (const image of images.values()) {
    const identity = identities.get(image.path);
    if (image.face && identity && !identity.startsWith('GROUP'))
      out.push({ path: image.path, identity, descriptor: image.face.descriptor });
  }
  return out;
}

function describeCalibration(
  name: string,
  calibration: ReturnType<typeof calibrate>,
  margin: ReturnType<typeof calibrateMargin>,
  options: Parameters<typeof variantKey>[0],
): string {
  const e = calibration.evidence;
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return [
    `Calibrated by \`npm run eval -- --pairs ${name}/pairs.csv --fold 0${options.descriptor && options.descriptor !== 'face-api' ? ` --descriptor ${options.descriptor}` : ''} --calibrate\` on ${new Date().toISOString().slice(0, 10)}`,
    `(pipeline ${modelId(options)}, variant key ${variantKey(options)}): on ${e.differentPairs} different-person and`,
    `${e.samePairs} same-person scored pairs of fold 0, accept gives a false-accept rate of ${pct(e.acceptFar)}`,
    `(target <= ${pct(calibrationTargets.falseAccept)}, half the 0.1% limit), reject a false-reject rate of ${pct(e.rejectFrr)}`,
    `(target <= ${pct(calibrationTargets.falseReject)}, half the 2% limit); decision is the equal-error point`,
    `(${e.eerThreshold.toFixed(3)}) kept between them. margin: 1% of the ${margin.correct} correct`,
    `leave-one-out identifications over fold 0 scoring >= accept lead the runner-up by less; it turns`,
    `${margin.wrongCaught} of the ${margin.wrong} wrong ones scoring >= accept uncertain.`,
  ].join('\n');
}

/** Each descriptor mode's calibrated block in src/domain/thresholds.ts: its markers and constant. */
const calibratedBlocks: Record<DescriptorMode, { marker: string; constant: string; handout: string }> = {
  'face-api': { marker: 'engine:calibrated-thresholds', constant: 'defaultThresholds', handout: 'faceApiHandoutThresholds' },
  fused: { marker: 'engine:calibrated-thresholds:fused', constant: 'fusedThresholds', handout: 'fusedHandoutThresholds' },
};

/** Replaces the descriptor mode's calibrated block of src/domain/thresholds.ts (between its markers) in place. */
async function writeThresholds(descriptor: DescriptorMode, t: Thresholds, comment: string): Promise<void> {
  const { marker, constant, handout } = calibratedBlocks[descriptor];
  const beginMarker = `// ${marker}:begin`;
  const endMarker = `// ${marker}:end`;
  const file = new URL('../domain/thresholds.ts', import.meta.url);
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(`${beginMarker}\n`);
  const end = text.indexOf(`${endMarker}\n`);
  if (start < 0 || end < start) throw new Error(`src/domain/thresholds.ts has no ${beginMarker} ... ${endMarker} block`);
  const block = [
    beginMarker,
    '/**',
    ...comment.split('\n').map((line) => ` * ${line}`),
    ' */',
    `export const ${constant}: Thresholds = {`,
    `  accept: ${t.accept},`,
    `  reject: ${t.reject},`,
    `  decision: ${t.decision},`,
    `  margin: ${t.margin},`,
    ...(t.identification
      ? [
          `  identification: {`,
          `    fpir: ${t.identification.fpir},`,
          `    tail: ${JSON.stringify(t.identification.tail.map(([share, score]) => [share, Number(score.toFixed(4))]))},`,
          `  },`,
        ]
      : []),
    // What is calibrated on the handout benchmark, not on photo pairs, is kept as it is.
    `  ...${handout}(),`,
    '};',
    '',
  ].join('\n');
  await writeFile(file, text.slice(0, start) + block + text.slice(end));
}

function printSummary(r: Record<string, unknown>): void {
  const pct = (v: unknown) => `${((v as number) * 100).toFixed(2)}%`;
  const lines = [
    `${r.dataset}${r.fold === null ? '' : ` fold ${r.fold}`}, variant ${r.variant} (${r.model})`,
    `  pairs ${r.pairs}, images ${r.images}, no face in ${r.noFaceImages} image(s) -> ${r.noFace} pair(s) without a score`,
    `  accuracy ${pct(r.accuracy)}  FAR ${pct(r.falseAcceptRate)}  FRR ${pct(r.falseRejectRate)}  uncertain ${pct(r.uncertainRate)}  EER ${pct(r.eer)}  FRR@FAR0.1% ${pct(r.frrAtFar001)}`,
    `  thresholds ${JSON.stringify(r.thresholds)}`,
  ];
  if (r.calibration)
    lines.push(`  calibrated: ${JSON.stringify((r.calibration as { thresholds: unknown }).thresholds)} -> ${JSON.stringify(r.calibrated)}`);
  for (const row of (r.identification as ReturnType<typeof identify>[] | undefined) ?? []) {
    lines.push(
      `  1:N k=${row.k} ${row.aggregation}: top-1 ${pct(row.top1)}, confirmed ${pct(row.confirmed)}, wrongly confirmed ${pct(row.wronglyConfirmed)} of ${row.probes} probes`,
    );
  }
  const references = r.references as ReferenceIntake | undefined;
  if (references) {
    lines.push(
      `  reference intake: ${references.accepted.all} of ${references.photos} photos accepted (${pct(references.accepted.share)}), ${references.accepted.withOneFace} of the ${references.withOneFace} with one face (${pct(references.accepted.shareOfOneFace)}); the former gate accepted ${references.formerlyAccepted.all} (${pct(references.formerlyAccepted.share)}); refused ${JSON.stringify(references.refused)}`,
    );
    for (const kind of ['good', 'weak', 'all'] as const) {
      const m = references.pairsByReference[kind];
      lines.push(
        `    pairs with a ${kind} reference: ${m.pairs}, FAR ${pct(m.falseAcceptRate)}, FRR ${pct(m.falseRejectRate)}, uncertain ${pct(m.uncertainRate)}`,
      );
    }
  }
  if ((r.imageErrors as string[]).length > 0) lines.push(`  image errors: ${(r.imageErrors as string[]).join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
