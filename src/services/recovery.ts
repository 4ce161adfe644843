import type { Queues } from '../queues/queues.js';
import type { Log } from '../runtime/log.js';
import type { Store } from '../store/index.js';

/**
 * Checks and reference photos whose queue job was lost (the process died between the database
 * write and the queue add, or Redis lost its data) are queued again: at a worker's start and then
 * every intervalMs while it runs. Queueing is idempotent (job ids), so a job still alive is not doubled.
 */
export async function startRecoverySweep(deps: {
  store: Pick<Store, 'checks' | 'referencePhotos'>;
  queues: Pick<Queues, 'requeueCheck' | 'enqueueEnrolment'>;
  model: string;
  intervalMs: number;
  log: Log;
}): Promise<{ stop(): void }> {
  const sweep = async () => {
    const photos = await deps.store.referencePhotos.needingEnrolment(deps.model);
    for (const photo of photos) await deps.queues.enqueueEnrolment(photo.id, photo.model);
    // A check younger than one interval may be on its way into the queue; it is looked at next time.
    const checks = await deps.store.checks.orphaned(deps.intervalMs);
    for (const id of checks) await deps.queues.requeueCheck(id);
    if (photos.length + checks.length > 0) deps.log('info', 'queued again', { referencePhotos: photos.length, checks: checks.length });
  };
  await sweep();
  const timer = setInterval(
    () => sweep().catch((error: Error) => deps.log('warn', 'could not look for checks and photos without a job', { error: error.message })),
    deps.intervalMs,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
