/**
 * Head-pose check on real portraits: the median yaw, pitch and noseDrop of lfw-view1 fold-0
 * images (mostly frontal press photos), from which geometry.frontalNoseDrop is set.
 *
 *   npx tsx src/evaluation/pose.ts [--pairs DIR/pairs.csv] [--count N]
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { headPose, noseDrop } from '../engine/geometry.js';
import { startEngine } from '../engine/pool.js';
import { readDataset } from './dataset.js';
import { defaultFacesDir } from './faces-dir.js';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: path.join(defaultFacesDir(), 'lfw-view1/pairs.csv') },
    count: { type: 'string', default: '400' },
  },
});

const dataset = await readDataset(values.pairs!, 0);
const files = [...new Set(dataset.pairs.flatMap((p) => [p.a, p.b]))].sort();
const count = Number(values.count);
// Spread over the alphabet, so no one person dominates.
const sample = files.filter((_, i) => i % Math.max(1, Math.floor(files.length / count)) === 0).slice(0, count);
const config = loadConfig();
const engine = await startEngine({ threads: 0, maxPixels: config.MAX_IMAGE_PIXELS });
const drops: number[] = [];
const yaws: number[] = [];
const pitches: number[] = [];
try {
  await Promise.all(
    sample.map(async (file) => {
      const analysis = await engine.analyze(await readFile(path.join(dataset.dir, file)));
      const face = [...analysis.faces].sort((a, b) => centre(a.box, analysis) - centre(b.box, analysis))[0];
      if (!face) return;
      drops.push(noseDrop(face.landmarks));
      const pose = headPose(face.landmarks);
      yaws.push(pose.yaw);
      pitches.push(pose.pitch);
    }),
  );
} finally {
  await engine.close();
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const quantile = (v: number[], q: number) => [...v].sort((a, b) => a - b)[Math.floor(q * (v.length - 1))];
process.stdout.write(
  `${JSON.stringify({
    images: drops.length,
    noseDrop: { median: median(drops), p05: quantile(drops, 0.05), p95: quantile(drops, 0.95) },
    yaw: { median: median(yaws), p05: quantile(yaws, 0.05), p95: quantile(yaws, 0.95) },
    pitch: { median: median(pitches), p05: quantile(pitches, 0.05), p95: quantile(pitches, 0.95) },
  })}\n`,
);

function centre(box: { x: number; y: number; width: number; height: number }, image: { width: number; height: number }): number {
  return Math.hypot(box.x + box.width / 2 - image.width / 2, box.y + box.height / 2 - image.height / 2);
}
