import { type ConnectionOptions, DelayedError, Job, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { AppError } from '../errors.js';
import type { Log } from '../runtime/log.js';
import { PermanentFailure, RegistryNotReady } from './outcomes.js';
import { type CheckJob, type EnrolmentJob, queueNames } from './queues.js';

/** What the check queue's worker calls: services/checking.ts's CheckRunner. */
export interface CheckJobRunner {
  /** False when the check had already ended. */
  run(checkId: string): Promise<boolean>;
  giveUp(checkId: string, cause: unknown): Promise<void>;
}

/** What the enrolment queue's worker calls: services/enrolment.ts's EnrolmentRunner. */
export interface EnrolmentJobRunner {
  run(referencePhotoId: string): Promise<string>;
  giveUp(referencePhotoId: string, reason: string): Promise<void>;
}

export interface WorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** A job whose lock is not renewed for this long (a killed worker) is taken up by another worker. */
  lockDuration: number;
  stalledInterval: number;
  /** A job whose worker died this many times is failed. */
  maxStalledCount: number;
  /** How long a check waits before looking again while the registry is being re-embedded. */
  registryWaitMs: number;
}

/**
 * BullMQ workers for checks and enrolments. The processors only await: inference runs on the engine's
 * threads, so this event loop stays free to renew job locks. Permanent failures are not retried.
 */
export function startQueueWorkers(
  runners: { checks: CheckJobRunner; enrolment: EnrolmentJobRunner },
  settings: WorkerSettings,
  log: Log,
): { close(): Promise<void> } {
  const options = {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDuration,
    stalledInterval: settings.stalledInterval,
    maxStalledCount: settings.maxStalledCount,
  };
  const checks = new Worker<CheckJob>(
    queueNames.checks,
    async (job, token) => {
      const started = Date.now();
      try {
        const ran = await runners.checks.run(job.data.checkId);
        log('info', ran ? 'check done' : 'check had already ended', {
          checkId: job.data.checkId,
          ms: Date.now() - started,
          attempt: job.attemptsMade + 1,
        });
      } catch (error) {
        if (error instanceof RegistryNotReady) {
          log('info', 'check waits for the registry to be re-embedded', { checkId: job.data.checkId, stale: error.stale });
          await job.moveToDelayed(Date.now() + settings.registryWaitMs, token);
          throw new DelayedError();
        }
        await onFailure(job, error, (cause) => runners.checks.giveUp(job.data.checkId, cause));
      }
    },
    options,
  );
  const enrolment = new Worker<EnrolmentJob>(
    queueNames.enrolment,
    async (job) => {
      try {
        const outcome = await runners.enrolment.run(job.data.referencePhotoId);
        log('info', `reference photo ${outcome}`, { referencePhotoId: job.data.referencePhotoId });
      } catch (error) {
        await onFailure(job, error, (cause) =>
          runners.enrolment.giveUp(
            job.data.referencePhotoId,
            `enrolment failed after ${job.attemptsMade + 1} attempts: ${(cause as Error).message}`,
          ),
        );
      }
    },
    options,
  );

  const onFailure = async (job: Job, error: unknown, giveUp: (cause: unknown) => Promise<void>): Promise<never> => {
    if (error instanceof PermanentFailure) {
      log('warn', 'job failed for good', { queue: job.queueName, jobId: job.id, code: error.cause.code, reason: error.message });
      throw new UnrecoverableError(error.message);
    }
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    log(last ? 'error' : 'warn', last ? 'job failed after its last attempt' : 'job failed; it will be retried', {
      queue: job.queueName,
      jobId: job.id,
      attempt: job.attemptsMade + 1,
      error: (error as Error).message,
    });
    if (last) await giveUp(error).catch(() => undefined);
    throw error;
  };

  // A job whose worker died too often (maxStalledCount) is failed by BullMQ without its processor:
  // end the check or photo with the reason, or it would stay open for ever.
  const stalledOut = (name: string, onFailed: (job: Job, reason: string) => Promise<void>) => {
    const events = new QueueEvents(name, { connection: settings.connection, prefix: settings.prefix });
    events.on('error', () => undefined);
    events.on('failed', ({ jobId, failedReason }) => {
      if (!/more than allowable limit/.test(failedReason)) return;
      void Job.fromId(name === queueNames.checks ? checks : enrolment, jobId)
        .then(
          (job) => job && onFailed(job, `its worker stopped while working on it ${options.maxStalledCount + 1} times (${failedReason})`),
        )
        .catch((error: Error) => log('warn', 'could not end a stalled job', { queue: name, jobId, error: error.message }));
    });
    return events;
  };
  const listeners = [
    stalledOut(queueNames.checks, (job, reason) =>
      runners.checks.giveUp(job.data.checkId, new AppError('INTERNAL', `the check failed: ${reason}`)),
    ),
    stalledOut(queueNames.enrolment, (job, reason) => runners.enrolment.giveUp(job.data.referencePhotoId, `enrolment failed: ${reason}`)),
  ];

  for (const worker of [checks, enrolment])
    worker.on('error', (error) => log('warn', 'queue connection problem', { error: error.message }));
  return {
    /** Finishes the jobs in hand, takes no new ones. */
    async close() {
      await Promise.all([checks.close(), enrolment.close(), ...listeners.map((events) => events.close())]);
    },
  };
}
