import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import type { Config } from '../config.js';

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
  enqueueEnrolment(referencePhotoId: string): Promise<void>;
  close(): Promise<void>;
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
    async enqueueEnrolment(referencePhotoId) {
      await enrolment.add('enrol', { referencePhotoId }, options);
    },
    async close() {
      await Promise.all([checks.close(), enrolment.close()]);
    },
  };
}
