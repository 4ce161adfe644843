import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaceEngine, startEngine } from '../../src/engine/pool.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/faces/${name}`, import.meta.url));

describe('face engine on real photos', () => {
  let engine: FaceEngine;
  beforeAll(async () => {
    engine = await startEngine({ threads: 1, maxPixels: 60_000_000 });
  });
  afterAll(() => engine?.close());

  it('runs on a native or wasm backend, never the slow cpu one', () => {
    expect(['tensorflow', 'wasm']).toContain(engine.backend);
  });

  it('finds the one face of a portrait and describes it with a unit-length 128-d embedding', async () => {
    const analysis = await engine.analyze(await fixture('lfw-10-people/Colin_Powell_0001.jpg'));
    expect(analysis.format).toBe('jpeg');
    expect(analysis.faces).toHaveLength(1);
    const [face] = analysis.faces;
    expect(face.descriptor).toHaveLength(128);
    expect(Math.hypot(...face.descriptor)).toBeCloseTo(1, 5);
    expect(face.landmarks).toHaveLength(68);
    expect(face.quality.detectorScore).toBeGreaterThan(0.8);
  });

  it('runs the models in its worker threads: face-api and TensorFlow.js are never loaded on the calling thread', async () => {
    await engine.analyze(await fixture('lfw-10-people/Colin_Powell_0002.jpg'));
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((file) => /@vladmandic[\\/]face-api|@tensorflow/.test(file))).toEqual([]);
  });

  it('refuses a file that is not an image with a clear error', async () => {
    await expect(engine.analyze(Buffer.from('%PDF-1.4 not an image'))).rejects.toMatchObject({ code: 'IMAGE_UNSUPPORTED' });
  });
});
