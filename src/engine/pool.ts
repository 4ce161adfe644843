import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DescriptorMode } from '../domain/descriptor-modes.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { BackendPreference } from './backend.js';
import { defaultPipelineOptions, modelId, type PipelineOptions, type TimedAnalysis } from './pipeline.js';

export interface ThreadInit {
  backend: BackendPreference;
  maxPixels: number;
  /** The engine's descriptor mode: its networks load before the thread reports ready. */
  descriptor?: DescriptorMode;
}

export interface ThreadRequest {
  id: number;
  bytes: ArrayBuffer;
  options: PipelineOptions;
}

export type ThreadReply =
  | { kind: 'ready'; backend: string; fallbackReason?: string }
  | { kind: 'failed'; error: { code: string; message: string } }
  | { kind: 'result'; id: number; analysis: TimedAnalysis }
  | { kind: 'error'; id: number; error: { code: string; message: string } };

/** The face engine as the rest of the product sees it: bytes in, faces with descriptors out. */
export interface FaceEngine {
  /** Identifies the pipeline that made the descriptors; stored with every embedding. */
  readonly model: string;
  readonly backend: string;
  readonly threads: number;
  analyze(bytes: Buffer, options?: PipelineOptions): Promise<TimedAnalysis>;
  close(): Promise<void>;
}

export interface EngineSettings {
  /** 0: one thread per core. */
  threads?: number;
  backend?: BackendPreference;
  maxPixels: number;
  options?: PipelineOptions;
  /** Overrides the options' descriptor mode (config DESCRIPTOR, --descriptor). */
  descriptor?: DescriptorMode;
  log?: (message: string) => void;
}

interface Task {
  id: number;
  bytes: ArrayBuffer;
  options: PipelineOptions;
  resolve: (analysis: TimedAnalysis) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

const threadUrl = new URL(import.meta.url.endsWith('.ts') ? './thread-from-source.mjs' : './thread.js', import.meta.url);

/** The pipeline an engine started with these settings runs: its options, the descriptor mode overriding theirs. */
export function engineOptions(settings: Pick<EngineSettings, 'options' | 'descriptor'>): PipelineOptions {
  const base = settings.options ?? defaultPipelineOptions;
  return settings.descriptor ? { ...base, descriptor: settings.descriptor } : base;
}

/** Starts a pool of inference threads and waits until each has verified and loaded the models. */
export async function startEngine(settings: EngineSettings): Promise<FaceEngine> {
  const count = settings.threads && settings.threads > 0 ? settings.threads : os.availableParallelism();
  const options = engineOptions(settings);
  const init: ThreadInit = { backend: settings.backend ?? 'auto', maxPixels: settings.maxPixels, descriptor: options.descriptor };
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 1;
  let closing = false;
  let backend = '';

  const spawn = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(threadUrl, { workerData: init });
      const slot: Slot = { worker };
      worker.once('message', (reply: ThreadReply) => {
        if (reply.kind === 'failed') {
          void worker.terminate();
          reject(new AppError(reply.error.code as ErrorCode, reply.error.message));
          return;
        }
        if (reply.kind !== 'ready') return;
        backend = reply.backend;
        worker.on('message', (message: ThreadReply) => settle(slot, message));
        resolve(slot);
      });
      worker.on('error', (error) => {
        slot.task?.reject(new AppError('INTERNAL', `inference thread crashed: ${error.message}`));
        slot.task = undefined;
        reject(error);
      });
      worker.on('exit', () => {
        const index = slots.indexOf(slot);
        if (index >= 0) slots.splice(index, 1);
        if (!closing && index >= 0)
          void spawn().then((replacement) => {
            slots.push(replacement);
            dispatch();
          });
      });
    });

  const settle = (slot: Slot, reply: ThreadReply) => {
    const task = slot.task;
    if (!task || (reply.kind !== 'result' && reply.kind !== 'error') || reply.id !== task.id) return;
    slot.task = undefined;
    if (reply.kind === 'result') task.resolve(reply.analysis);
    else task.reject(new AppError(reply.error.code as ErrorCode, reply.error.message));
    dispatch();
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.task) continue;
      const task = queue.shift();
      if (!task) return;
      slot.task = task;
      slot.worker.postMessage({ id: task.id, bytes: task.bytes, options: task.options } satisfies ThreadRequest, [task.bytes]);
    }
  };

  try {
    slots.push(...(await Promise.all(Array.from({ length: count }, spawn))));
  } catch (error) {
    closing = true;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    throw error;
  }
  settings.log?.(`face engine: ${count} thread(s) on TensorFlow.js backend "${backend}", model ${modelId(options)}`);

  return {
    model: modelId(options),
    backend,
    threads: count,
    analyze(bytes, taskOptions = options) {
      if (closing) return Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'the face engine is shutting down'));
      // Copy into a buffer of our own so it can be transferred without detaching the caller's.
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, bytes: copy.buffer, options: taskOptions, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closing = true;
      for (const task of queue.splice(0)) task.reject(new AppError('SERVICE_UNAVAILABLE', 'the face engine is shutting down'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
