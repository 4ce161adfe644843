import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../domain/content-hash.js';
import type { ImageAnalysis } from '../domain/types.js';
import { DescriptorCache } from './cache.js';

const analysis = (model: string, x: number): ImageAnalysis => ({
  width: 250,
  height: 250,
  format: 'jpeg',
  model,
  faces: [
    {
      box: { x, y: 1, width: 2, height: 3 },
      landmarks: [],
      quality: { faceSize: 40, detectorScore: 0.9, sharpness: 50, yaw: 0, pitch: 0, roll: 0 },
      descriptor: [1, 0],
    },
  ],
});

describe('descriptor cache', () => {
  it('gives back an analysis only for the same content and the same model, across runs', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'pv-cache-')), 'cache.json');
    const photo = contentHash(Buffer.from('photo bytes'));
    const first = await DescriptorCache.open(file);
    first.set(photo, analysis('model-a', 7));
    await first.save('model-a');

    const second = await DescriptorCache.open(file);
    expect(second.get('model-a', photo)).toEqual(analysis('model-a', 7));
    expect(second.get('model-b', photo)).toBeUndefined();
    expect(second.get('model-a', contentHash(Buffer.from('another photo')))).toBeUndefined();
  });

  it('drops entries of photos no longer in the registry and starts empty from a damaged file', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'pv-cache-')), 'cache.json');
    const cache = await DescriptorCache.open(file);
    cache.set('kept', analysis('model-a', 1));
    cache.set('removed', analysis('model-a', 2));
    await cache.save('model-a');
    const next = await DescriptorCache.open(file);
    next.get('model-a', 'kept');
    await next.save('model-a');
    const third = await DescriptorCache.open(file);
    expect(third.get('model-a', 'removed')).toBeUndefined();
    expect(third.get('model-a', 'kept')).toBeDefined();

    await writeFile(file, '{ not json');
    expect((await DescriptorCache.open(file)).get('model-a', 'kept')).toBeUndefined();
  });
});
