import type { Config } from '../../config.js';
import { jobRetentionOf } from '../../queues/queues.js';
import { createDeliveryQueue, type DeliveryQueue } from '../../queues/webhooks.js';
import type { Log } from '../../runtime/log.js';
import type { Repositories, Store } from '../../store/index.js';
import type { WebhookRepository } from '../../store/webhooks.js';
import type { EventPublisher, ServiceEvent } from '../events.js';
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

  async record(tx: Pick<Repositories, 'webhooks'>, event: ServiceEvent): Promise<string[]> {
    const payload = buildEvent(event, this.publicUrl);
    const deliveries = await tx.webhooks.recordEvent({ id: payload.id, type: payload.type, body: JSON.stringify(payload) });
    this.log('info', `event ${payload.type}`, { eventId: payload.id, deliveries: deliveries.length });
    return deliveries;
  }

  async relay(deliveryIds: string[]): Promise<void> {
    for (const deliveryId of deliveryIds) {
      await this.queue
        .enqueue(deliveryId, 0)
        .catch((error: Error) =>
          this.log('warn', 'webhook delivery not queued yet; the delivery worker will queue it', { deliveryId, error: error.message }),
        );
    }
  }

  /** Records the event on its own (nothing else to commit with it) and relays it. */
  async publish(event: ServiceEvent): Promise<void> {
    await this.relay(await this.record({ webhooks: this.repository }, event));
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
