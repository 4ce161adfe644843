import type { Config } from '../../config.js';
import { jobRetentionOf } from '../../queues/queues.js';
import { createDeliveryQueue, type DeliveryQueue } from '../../queues/webhooks.js';
import type { Log } from '../../runtime/log.js';
import type { Store } from '../../store/index.js';
import type { WebhookRepository } from '../../store/webhooks.js';
import type { EventPublisher } from '../events.js';
import { buildEvent } from './events.js';
import { WebhookService } from './service.js';

/**
 * Publishes an event to every endpoint subscribed to its type: the event and its deliveries are
 * written to PostgreSQL first (so nothing is lost if Redis is down: the delivery worker re-queues
 * pending deliveries), then one job per delivery is queued.
 */
export class WebhookPublisher implements EventPublisher {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly queue: DeliveryQueue,
    private readonly publicUrl: string,
    private readonly log: Log,
  ) {}

  async publish(event: Parameters<EventPublisher['publish']>[0]): Promise<void> {
    const payload = buildEvent(event, this.publicUrl);
    const deliveries = await this.repository.recordEvent({ id: payload.id, type: payload.type, body: JSON.stringify(payload) });
    for (const deliveryId of deliveries) {
      await this.queue
        .enqueue(deliveryId, 0)
        .catch((error: Error) =>
          this.log('warn', 'webhook delivery not queued yet; the delivery worker will queue it', { deliveryId, error: error.message }),
        );
    }
    this.log('info', `event ${payload.type}`, { eventId: payload.id, deliveries: deliveries.length });
  }
}

export interface Webhooks {
  publisher: WebhookPublisher;
  service: WebhookService;
  close(): Promise<void>;
}

/** The webhooks of one process: publisher and endpoint management sharing one delivery queue. */
export function createWebhooks(deps: { config: Config; store: Pick<Store, 'webhooks'>; log: Log }): Webhooks {
  const { config } = deps;
  const repository = deps.store.webhooks;
  const queue = createDeliveryQueue(
    { url: config.REDIS_URL, maxRetriesPerRequest: null },
    config.QUEUE_PREFIX,
    config.WEBHOOK_MAX_ATTEMPTS,
    jobRetentionOf(config),
  );
  return {
    publisher: new WebhookPublisher(repository, queue, config.PUBLIC_URL, deps.log),
    service: new WebhookService(repository, queue, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE }),
    close: () => queue.close(),
  };
}
