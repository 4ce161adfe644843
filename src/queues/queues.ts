import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import type { Config } from '../config.js';
import { contentHash } from '../domain/content-hash.js';

/** Job payloads carry ids only: the bytes are in the upload store, everything else in PostgreSQL. */
export interface CheckJob {
  checkId: string;
}

export interface EnrolmentJob {
  referencePhotoId: string;
}

export const queueNames = { checks: 'checks', enrolment: 'enrolment' } as const;

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** How long finished jobs stay in Redis, for every queue (config JOB_KEEP_S, JOB_KEEP_COUNT, FAILED_JOB_KEEP_S). */
export interface JobRetention {
  keepSeconds: number;
  keepCount: number;
  failedKeepSeconds: number;
}

export function jobRetentionOf(config: Pick<Config, 'JOB_KEEP_S' | 'JOB_KEEP_COUNT' | 'FAILED_JOB_KEEP_S'>): JobRetention {
  return { keepSeconds: config.JOB_KEEP_S, keepCount: config.JOB_KEEP_COUNT, failedKeepSeconds: config.FAILED_JOB_KEEP_S };
}

export function retentionOptions(retention: JobRetention): Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> {
  return {
    removeOnComplete: { age: retention.keepSeconds, count: retention.keepCount },
    removeOnFail: { age: retention.failedKeepSeconds },
  };
}

export function jobOptions(retry: RetryPolicy, retention: JobRetention): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    ...retentionOptions(retention),
  };
}

export interface Queues {
  checks: Queue<CheckJob>;
  enrolment: Queue<EnrolmentJob>;
  enqueueCheck(checkId: string): Promise<void>;
  /** For a check still open: queues it if it has no job, or retries its job if that failed. */
  requeueCheck(checkId: string): Promise<void>;
  /**
   * Queues a photo's enrolment once: a new photo by its id, a photo to re-embed by its id and the
   * model that described it, so N workers starting after a model change add one job per photo.
   */
  enqueueEnrolment(referencePhotoId: string, replacing?: string | null): Promise<void>;
  close(): Promise<void>;
}

/** BullMQ job ids may not hold ':'; a model id does, so it is named by a hash. */
export function enrolmentJobId(referencePhotoId: string, replacing: string | null): string {
  return replacing === null ? referencePhotoId : `${referencePhotoId}-re-${contentHash(Buffer.from(replacing)).slice(0, 16)}`;
}

export function createQueues(connection: ConnectionOptions, prefix: string, retry: RetryPolicy, retention: JobRetention): Queues {
  const checks = new Queue<CheckJob>(queueNames.checks, { connection, prefix });
  const enrolment = new Queue<EnrolmentJob>(queueNames.enrolment, { connection, prefix });
  checks.on('error', () => undefined);
  enrolment.on('error', () => undefined);
  const options = jobOptions(retry, retention);
  return {
    checks,
    enrolment,
    async enqueueCheck(checkId) {
      // The job id is the check id: queueing one check twice adds one job.
      await checks.add('check', { checkId }, { ...options, jobId: checkId });
    },
    async requeueCheck(checkId) {
      // A check still open whose job failed (its last try met PostgreSQL down, say) is tried again.
      const job = await checks.getJob(checkId);
      if (job && (await job.isFailed())) await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      else if (!job) await checks.add('check', { checkId }, { ...options, jobId: checkId });
    },
    async enqueueEnrolment(referencePhotoId, replacing = null) {
      await enrolment.add('enrol', { referencePhotoId }, { ...options, jobId: enrolmentJobId(referencePhotoId, replacing) });
    },
    async close() {
      await Promise.all([checks.close(), enrolment.close()]);
    },
  };
}
