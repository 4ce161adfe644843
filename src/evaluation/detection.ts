/**
 * Detection on small tight crops: how many images give no face under other detection settings.
 * Runs on the images the given pipeline (default: the engine's) missed, plus a sample of those it
 * found (to see that a setting does not lose faces elsewhere). The first pass of the given
 * pipeline must be cached already (`npm run eval` over the same pairs).
 *
 *   npx tsx src/evaluation/detection.ts --pairs DIR/pairs.csv [--sample N] [--json]
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { contentHash } from '../domain/content-hash.js';
import { defaultPipelineOptions, type PipelineOptions } from '../engine/pipeline.js';
import { startEngine } from '../engine/pool.js';
import { centreFace } from './analyse.js';
import { EvaluationCache, variantKey } from './cache.js';
import { readDataset } from './dataset.js';
import { defaultFacesDir } from './faces-dir.js';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: path.join(defaultFacesDir(), 'lfw-view1/pairs.csv') },
    sample: { type: 'string', default: '150' },
    json: { type: 'boolean', default: false },
  },
});

const { retryPaddings: _retries, ...firstPass } = defaultPipelineOptions;
const settings: { name: string; options: PipelineOptions }[] = [
  { name: 'padding 0', options: { ...firstPass, detectionPadding: 0 } },
  { name: 'padding 0.1', options: { ...firstPass, detectionPadding: 0.1 } },
  { name: 'padding 0.5', options: { ...firstPass, detectionPadding: 0.5 } },
  { name: 'padding 0.75', options: { ...firstPass, detectionPadding: 0.75 } },
  { name: 'padding 0.25, upscaled to 512', options: { ...firstPass, detectionMinSide: 512 } },
];

const dataset = await readDataset(values.pairs!);
const files = [...new Set(dataset.pairs.flatMap((p) => [p.a, p.b]))].sort();
const cache = new EvaluationCache();
const key = variantKey(firstPass);
const missed: { file: string; bytes: Buffer }[] = [];
const found: { file: string; bytes: Buffer }[] = [];
for (const file of files) {
  const bytes = await readFile(path.join(dataset.dir, file));
  const image = cache.get(key, contentHash(bytes));
  if (!image) throw new Error(`${file} is not cached for the engine's pipeline yet: run npm run eval over ${values.pairs} first`);
  (image.faces.length === 0 ? missed : found).push({ file, bytes });
}
const step = Math.max(1, Math.floor(found.length / Number(values.sample)));
const sample = found.filter((_, i) => i % step === 0).slice(0, Number(values.sample));

const config = loadConfig();
const engine = await startEngine({ threads: 0, maxPixels: config.MAX_IMAGE_PIXELS });
const rows = [];
try {
  for (const setting of settings) {
    const count = async (images: { bytes: Buffer }[]) =>
      (await Promise.all(images.map(async (i) => centreFace(await engine.analyze(i.bytes, setting.options)) !== undefined))).filter(Boolean)
        .length;
    const row = {
      setting: setting.name,
      images: files.length,
      missedByEngine: missed.length,
      foundOfMissed: await count(missed),
      sample: sample.length,
      foundOfSample: await count(sample),
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
} finally {
  await engine.close();
}
if (values.json) process.stdout.write(`${JSON.stringify({ pipeline: `padding ${firstPass.detectionPadding}`, rows })}\n`);
else
  for (const r of rows)
    process.stdout.write(
      `${r.setting}: finds ${r.foundOfMissed} of the ${r.missedByEngine} missed and ${r.foundOfSample} of ${r.sample} found\n`,
    );
