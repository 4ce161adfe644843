import { type ConnectionOptions, Queue } from 'bullmq';
import { type JobRetention, retentionOptions } from './queues.js';

export const webhookQueueName = 'webhooks';
/** The custom backoff the delivery worker computes (retry.ts, Retry-After). */
export const webhookBackoffType = 'webhook';

/** A job names the delivery only; the body and the secret stay in PostgreSQL. */
export interface DeliveryJob {
  deliveryId: string;
}

export interface DeliveryQueue {
  /** Adding the same delivery and generation twice adds one job. */
  enqueue(deliveryId: string, generation: number): Promise<void>;
  /** Why the delivery's job failed for good, or null when it has not (or there is no job). */
  failedReason(deliveryId: string, generation: number): Promise<string | null>;
  close(): Promise<void>;
}

/** The job id: the delivery id, and after a redelivery its generation (the failed job is kept for a while). */
export function deliveryJobId(deliveryId: string, generation: number): string {
  return generation === 0 ? deliveryId : `${deliveryId}-g${generation}`;
}

/** The queue of deliveries; its Redis connection opens on the first delivery, so a process without webhooks never opens it. */
export function createDeliveryQueue(
  connection: ConnectionOptions,
  prefix: string,
  maxAttempts: number,
  retention: JobRetention,
): DeliveryQueue {
  let queue: Queue<DeliveryJob> | null = null;
  const open = () => {
    if (!queue) {
      queue = new Queue<DeliveryJob>(webhookQueueName, { connection, prefix });
      queue.on('error', () => undefined);
    }
    return queue;
  };
  return {
    async enqueue(deliveryId, generation) {
      await open().add(
        'deliver',
        { deliveryId },
        {
          jobId: deliveryJobId(deliveryId, generation),
          attempts: maxAttempts,
          backoff: { type: webhookBackoffType },
          ...retentionOptions(retention),
        },
      );
    },
    async failedReason(deliveryId, generation) {
      const job = await open().getJob(deliveryJobId(deliveryId, generation));
      if (!job || !(await job.isFailed())) return null;
      return job.failedReason || 'unknown reason';
    },
    async close() {
      await queue?.close();
      queue = null;
    },
  };
}
