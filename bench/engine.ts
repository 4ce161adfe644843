/**
 * Face engine benchmark: images per second and milliseconds per stage on one thread and on one
 * thread per core, the engine's pipeline with face-api's descriptor alone and fused with
 * fr_feature's, beside face-api's plain pipeline, on the same real photos in the same run, and the
 * process's peak resident memory.
 */

import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { defaultPipelineOptions, type PipelineOptions, plainPipelineOptions, type StageTimings } from '../src/engine/pipeline.js';
import { startEngine } from '../src/engine/pool.js';
import { defaultFacesDir } from '../src/evaluation/faces-dir.js';

/** ~40 photos of mixed sizes: small LFW crops, 250-px portraits, and large photos of several people. */
const selection: { folder: string; count: number }[] = [
  { folder: 'lfw-view1', count: 10 },
  { folder: 'lfw-10-people', count: 10 },
  { folder: 'deepface', count: 10 },
  { folder: 'face_recognition', count: 4 },
  { folder: 'face-api.js', count: 4 },
  { folder: 'opencv4nodejs', count: 2 },
];

async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(jpe?g|png|webp)$/i.test(entry.name)) out.push(path.join(entry.parentPath, entry.name));
  }
  return out.sort();
}

async function pickImages(facesDir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const picked: { file: string; bytes: Buffer }[] = [];
  for (const { folder, count } of selection) {
    const all = await listImages(path.join(facesDir, folder));
    const step = Math.max(1, Math.floor(all.length / count));
    for (let i = 0; i < count && i * step < all.length; i++) {
      const file = all[i * step];
      picked.push({ file: path.relative(facesDir, file), bytes: await readFile(file) });
    }
  }
  return picked;
}

interface Run {
  pipeline: string;
  threads: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** Mean milliseconds per image and stage, as measured inside the inference threads. */
  stages: Partial<Record<keyof StageTimings, number>>;
  peakRssMb: number;
  /** Images where the first detection pass found no face, so the retries ran (engine only). */
  retried?: number;
}

/** Samples the process's resident memory (the worker threads included) while a run lasts. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
    },
  };
}

async function measure(name: string, options: PipelineOptions, threads: number, images: { bytes: Buffer }[]): Promise<Run> {
  const config = loadConfig();
  const sampler = rssSampler();
  const engine = await startEngine({ threads, maxPixels: config.MAX_IMAGE_PIXELS, backend: config.TF_BACKEND, options });
  try {
    // Warm-up: the first inference on each thread compiles the wasm kernels.
    await Promise.all(Array.from({ length: threads }, () => engine.analyze(images[0].bytes)));
    const started = performance.now();
    const results = await Promise.all(images.map((image) => engine.analyze(image.bytes)));
    const seconds = (performance.now() - started) / 1000;
    const stages: Run['stages'] = {};
    for (const key of ['decode', 'detect', 'landmarks', 'descriptor', 'total'] as const) {
      const values = results.map((r) => r.timings[key]).filter((v): v is number => v !== undefined);
      if (values.length === results.length) stages[key] = values.reduce((a, b) => a + b, 0) / values.length;
    }
    const retried = options.plain ? undefined : results.filter((r) => (r.detectionPass ?? 0) > 0 || r.faces.length === 0).length;
    return {
      pipeline: name,
      threads,
      images: images.length,
      seconds,
      imagesPerSecond: images.length / seconds,
      stages,
      peakRssMb: sampler.stop(),
      retried,
    };
  } finally {
    await engine.close();
    sampler.stop();
  }
}

export async function engineBenchmark(facesDir = defaultFacesDir()): Promise<void> {
  const images = await pickImages(facesDir);
  const cores = os.availableParallelism();
  const sizes = await imageSizes(images);
  console.log(
    `face engine: ${images.length} photos from ${facesDir} (${sizes}), ${cores} core(s), load average ${os
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  const runs: Run[] = [];
  for (const threads of [...new Set([1, cores])]) {
    const pipelines = [
      ['engine', defaultPipelineOptions],
      ['engine fused', { ...defaultPipelineOptions, descriptor: 'fused' }],
      ['face-api plain', plainPipelineOptions],
    ] as const;
    for (const [name, options] of pipelines) {
      const run = await measure(name, options, threads, images);
      runs.push(run);
      const ms = (v?: number) => (v === undefined ? '     -' : v.toFixed(0).padStart(6));
      console.log(
        `  ${name.padEnd(15)} ${String(threads).padStart(2)} thread(s): ${run.imagesPerSecond.toFixed(2).padStart(6)} images/s ` +
          `| ms/image decode ${ms(run.stages.decode)} detect ${ms(run.stages.detect)} landmarks ${ms(run.stages.landmarks)} ` +
          `descriptor ${ms(run.stages.descriptor)} total ${ms(run.stages.total)} | peak RSS ${run.peakRssMb.toFixed(0)} MB` +
          (run.retried === undefined ? '' : ` | detection retried on ${run.retried}`),
      );
    }
    const engine = runs.find((r) => r.threads === threads && r.pipeline === 'engine')!;
    const plain = runs.find((r) => r.threads === threads && r.pipeline === 'face-api plain')!;
    const fused = runs.find((r) => r.threads === threads && r.pipeline === 'engine fused')!;
    console.log(`  engine / plain throughput on ${threads} thread(s): ${(engine.imagesPerSecond / plain.imagesPerSecond).toFixed(2)}x`);
    console.log(
      `  engine fused / engine throughput on ${threads} thread(s): ${(fused.imagesPerSecond / engine.imagesPerSecond).toFixed(2)}x, peak RSS ${fused.peakRssMb.toFixed(0)} MB vs ${engine.peakRssMb.toFixed(0)} MB`,
    );
  }
  console.log(`  peak RSS of the whole benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

async function imageSizes(images: { bytes: Buffer }[]): Promise<string> {
  const { default: sharp } = await import('sharp');
  const pixels: number[] = [];
  for (const image of images) {
    const m = await sharp(image.bytes).metadata();
    pixels.push((m.width ?? 0) * (m.height ?? 0));
  }
  pixels.sort((a, b) => a - b);
  return `${(pixels[0] / 1e6).toFixed(3)} to ${(pixels[pixels.length - 1] / 1e6).toFixed(1)} megapixels, median ${(pixels[Math.floor(pixels.length / 2)] / 1e6).toFixed(2)}`;
}
