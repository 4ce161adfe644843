/**
 * The second descriptor network: `fr_feature.onnx` (a 512-d MobileFaceNet, models/README.md) on
 * onnxruntime-node. A session is created inside each inference thread, never on an event loop
 * that serves HTTP; one intra-op thread, since the pool already runs one thread per core.
 */

import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors.js';
import { alignedSize, toNchw } from './alignment.js';

type Ort = typeof import('onnxruntime-node');

export const frFeatureFile = 'fr_feature.onnx';

export class FrFeatureNet {
  private constructor(
    private readonly ort: Ort,
    private readonly session: import('onnxruntime-node').InferenceSession,
  ) {}

  static async load(dir: string): Promise<FrFeatureNet> {
    let ort: Ort;
    try {
      ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
    } catch (error) {
      throw new AppError(
        'ENGINE_UNAVAILABLE',
        `onnxruntime-node is not usable here: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
    const session = await ort.InferenceSession.create(path.join(dir, frFeatureFile), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
    return new FrFeatureNet(ort, session);
  }

  /** The raw 512-d output for one 112x112 aligned RGB crop (the graph takes a batch of one). */
  async embed(crop: Uint8Array): Promise<Float32Array> {
    const input = new this.ort.Tensor('float32', toNchw(crop), [1, 3, alignedSize, alignedSize]);
    const result = await this.session.run({ input });
    return result.output.data as Float32Array;
  }
}
