import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import type { Config } from '../../config.js';
import { backoffDelay, type RetryPolicy } from '../../domain/webhook-retry.js';
import { jobRetentionOf } from '../../queues/queues.js';
import { createDeliveryQueue, type DeliveryJob, webhookQueueName } from '../../queues/webhooks.js';
import type { Log } from '../../runtime/log.js';
import type { Store } from '../../store/index.js';
import { DeliveryProcessor } from './processor.js';
import { sendWebhook } from './sender.js';

export function retryPolicyOf(config: Pick<Config, 'WEBHOOK_BACKOFF_BASE_MS' | 'WEBHOOK_MAX_ATTEMPTS'>): RetryPolicy {
  return { baseMs: config.WEBHOOK_BACKOFF_BASE_MS, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS };
}

/** A failed attempt that will be retried after delayMs; BullMQ's backoff reads the delay from here. */
class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`the delivery will be retried in ${delayMs} ms`);
  }
}

/**
 * The BullMQ worker that delivers webhooks. A job whose worker dies mid-delivery keeps its lock
 * until it lapses, then another worker takes it up: the event is delivered at least once, and
 * always under the same webhook-id so the receiver can drop a duplicate.
 */
export async function startWebhookDelivery(deps: {
  config: Config;
  store: Pick<Store, 'webhooks'>;
  log: Log;
  connection: ConnectionOptions;
}): Promise<{ close(): Promise<void> }> {
  const { config, log } = deps;
  const policy = retryPolicyOf(config);
  const repository = deps.store.webhooks;
  const processor = new DeliveryProcessor(
    repository,
    sendWebhook,
    { policy, send: { timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE } },
    log,
  );
  const worker = new Worker<DeliveryJob>(
    webhookQueueName,
    async (job) => {
      const attempt = job.attemptsMade + 1;
      const result = await processor.attempt(job.data.deliveryId, { attempt, last: attempt >= (job.opts.attempts ?? 1) });
      if (result.outcome === 'retry') throw new RetryLater(result.delayMs);
      if (result.outcome === 'failed') throw new UnrecoverableError('the delivery failed; see its attempts in the delivery log');
    },
    {
      connection: deps.connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WEBHOOK_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_MS,
      maxStalledCount: config.WORKER_MAX_STALLED,
      settings: {
        backoffStrategy: (attemptsMade, _type, error) => (error instanceof RetryLater ? error.delayMs : backoffDelay(policy, attemptsMade)),
      },
    },
  );
  worker.on('error', (error) => log('warn', 'queue connection problem', { error: error.message }));
  // A job that ends without the processor deciding (stalled too often, an error on its last try)
  // must not leave its delivery pending forever: it is marked failed, ready for a redelivery.
  worker.on('failed', (job, error) => {
    if (!job || error instanceof UnrecoverableError) return;
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    repository.failDelivery(job.data.deliveryId, `the delivery job failed: ${error.message}`).catch(() => undefined);
  });

  const queue = createDeliveryQueue(deps.connection, config.QUEUE_PREFIX, policy.maxAttempts, jobRetentionOf(config));
  // Pending deliveries whose job never reached Redis are queued; one whose job failed without the
  // processor ending it (its workers were killed again and again) is marked failed.
  const sweep = async () => {
    for (const pending of await repository.pendingDeliveries()) {
      const reason = await queue.failedReason(pending.id, pending.generation);
      if (reason === null) await queue.enqueue(pending.id, pending.generation);
      else await repository.failDelivery(pending.id, `the delivery job failed: ${reason}`);
    }
  };
  await sweep();
  const timer = setInterval(
    () => sweep().catch((error: Error) => log('warn', 'could not re-queue pending webhook deliveries', { error: error.message })),
    config.WEBHOOK_SWEEP_MS,
  );
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
    },
  };
}
