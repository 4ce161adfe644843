import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';

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

export function jobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export interface Queues {
  checks: Queue<CheckJob>;
  enrolment: Queue<EnrolmentJob>;
  enqueueCheck(checkId: string): Promise<void>;
  enqueueEnrolment(referencePhotoId: string): Promise<void>;
  close(): Promise<void>;
}

export function createQueues(connection: ConnectionOptions, prefix: string, retry: RetryPolicy): Queues {
  const checks = new Queue<CheckJob>(queueNames.checks, { connection, prefix });
  const enrolment = new Queue<EnrolmentJob>(queueNames.enrolment, { connection, prefix });
  checks.on('error', () => undefined);
  enrolment.on('error', () => undefined);
  const options = jobOptions(retry);
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
