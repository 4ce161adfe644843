/** Entry of one inference thread: face-api runs here, never on an event loop that serves HTTP or renews job locks. */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../errors.js';
import { FacePipeline, type PipelineOptions } from './pipeline.js';
import type { ThreadInit, ThreadReply, ThreadRequest } from './pool.js';

const init = workerData as ThreadInit;
const port = parentPort!;

const ready = FacePipeline.create(init.backend, { maxPixels: init.maxPixels }, init.descriptor);

ready.then(
  (pipeline) =>
    port.postMessage({ kind: 'ready', backend: pipeline.backend, fallbackReason: pipeline.fallbackReason } satisfies ThreadReply),
  (error: unknown) => port.postMessage({ kind: 'failed', error: describe(error) } satisfies ThreadReply),
);

port.on('message', async (request: ThreadRequest) => {
  try {
    const pipeline = await ready;
    const analysis = await pipeline.analyze(Buffer.from(request.bytes), request.options as PipelineOptions);
    port.postMessage({ kind: 'result', id: request.id, analysis } satisfies ThreadReply);
  } catch (error) {
    port.postMessage({ kind: 'error', id: request.id, error: describe(error) } satisfies ThreadReply);
  }
});

function describe(error: unknown): { code: string; message: string } {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
