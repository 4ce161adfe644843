import { Job, type Queue, QueueEvents } from 'bullmq';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Queues } from '../queues/queues.js';
import type { CheckRepository } from '../store/checks.js';

/** The Prometheus text the API serves at /metrics. */
export interface MetricsService {
  contentType: string;
  text(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Prometheus metrics of the whole service as seen from the API: queue depth and job durations from
 * BullMQ (the workers' jobs, observed through queue events), check and verdict counts from PostgreSQL.
 */
export function createMetrics(deps: {
  config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>;
  queues: Pick<Queues, 'checks' | 'enrolment'>;
  checks: Pick<CheckRepository, 'statusCounts' | 'verdictCounts'>;
}): MetricsService {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'photo_verify_api_' });
  const queues: Array<Queue> = [deps.queues.checks, deps.queues.enrolment];

  new Gauge({
    name: 'photo_verify_queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
      }
    },
  });
  new Gauge({
    name: 'photo_verify_checks',
    help: 'Checks by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await deps.checks.statusCounts()) this.set({ status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'photo_verify_face_verdicts',
    help: 'Faces checked, by verdict',
    labelNames: ['verdict'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await deps.checks.verdictCounts()) this.set({ verdict: row.verdict }, row.count);
    },
  });
  const durations = new Histogram({
    name: 'photo_verify_job_duration_seconds',
    help: 'Time a worker spent on a job, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });

  const listeners = queues.map((queue) => {
    const events = new QueueEvents(queue.name, {
      connection: { url: deps.config.REDIS_URL, maxRetriesPerRequest: null },
      prefix: deps.config.QUEUE_PREFIX,
    });
    events.on('error', () => undefined);
    const observe =
      (outcome: string) =>
      async ({ jobId }: { jobId: string }) => {
        const job = await Job.fromId(queue, jobId).catch(() => undefined);
        if (job?.processedOn && job.finishedOn)
          durations.observe({ queue: queue.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
      };
    events.on('completed', observe('completed'));
    events.on('failed', observe('failed'));
    return events;
  });

  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    async close() {
      await Promise.all(listeners.map((events) => events.close()));
    },
  };
}
