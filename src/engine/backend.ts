import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors.js';

const require = createRequire(import.meta.url);

export type BackendName = 'tensorflow' | 'wasm';
export type BackendPreference = 'auto' | BackendName;
export type FaceApi = typeof import('@vladmandic/face-api');

/** The parts of TensorFlow.js face-api's bundled typings leave out. */
interface TfControl {
  ready(): Promise<void>;
  getBackend(): string;
  setBackend(name: string): Promise<boolean>;
}

const control = (faceapi: FaceApi) => faceapi.tf as unknown as TfControl;

export interface TfRuntime {
  faceapi: FaceApi;
  backend: BackendName;
  /** Why the preferred backend was not used, when it was not. */
  fallbackReason?: string;
}

/**
 * Starts TensorFlow.js for face-api: the native tfjs-node where it installed (an optional
 * dependency: its install downloads libtensorflow), else the wasm backend, whose .wasm files are
 * read from node_modules. The pure-JS cpu backend is ~15x slower and is never chosen.
 */
export async function startBackend(preference: BackendPreference): Promise<TfRuntime> {
  let fallbackReason: string | undefined;
  if (preference !== 'wasm') {
    try {
      const faceapi = require('@vladmandic/face-api/dist/face-api.node.js') as FaceApi;
      await control(faceapi).ready();
      if (control(faceapi).getBackend() === 'tensorflow') return { faceapi, backend: 'tensorflow' };
      fallbackReason = `tfjs-node started backend ${control(faceapi).getBackend()}`;
    } catch (error) {
      fallbackReason = `@tensorflow/tfjs-node is not usable here (${firstLine(error)})`;
    }
    if (preference === 'tensorflow') throw new AppError('ENGINE_UNAVAILABLE', fallbackReason);
  }
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    // A plain path prefix makes Emscripten read the file from disk; never a CDN.
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    await control(faceapi).setBackend('wasm');
    await control(faceapi).ready();
    const backend = control(faceapi).getBackend();
    if (backend !== 'wasm') throw new Error(`TensorFlow.js started backend "${backend}" instead of wasm`);
    return { faceapi, backend: 'wasm', fallbackReason };
  } catch (error) {
    throw new AppError('ENGINE_UNAVAILABLE', `no TensorFlow.js backend could start: ${fallbackReason ?? ''} wasm: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}
