import type { Repositories } from '../store/index.js';

/** Every event an endpoint can subscribe to; the type is derived from this list, so they cannot drift. */
export const eventTypes = ['check.flagged', 'check.completed', 'check.failed', 'batch.completed', 'check.reviewed'] as const;
export type EventType = (typeof eventTypes)[number];

export interface ServiceEvent {
  type: EventType;
  data: unknown;
}

/**
 * What the service tells the outside world when a check or batch ends (COMMON.md contract):
 * src/services/webhooks implements it; `data` carries ids and the check's result, never image bytes.
 *
 * A transactional outbox: an event is recorded in the same transaction as the change it reports,
 * so a committed result always has its events and a rolled-back one has none; what is committed
 * is then relayed (queued for delivery). A relay lost to a crash is made good by the delivery
 * worker's sweep, and an event recorded twice (a job run again) is kept once: its id is derived
 * from what it reports.
 */
export interface EventPublisher {
  /** Writes the event in the caller's transaction; returns the deliveries to relay once it has committed. */
  record(tx: Repositories, event: ServiceEvent): Promise<string[]>;
  /** Queues the deliveries of committed events for the delivery workers. */
  relay(deliveryIds: string[]): Promise<void>;
}
