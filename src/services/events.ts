/** Every event an endpoint can subscribe to; the type is derived from this list, so they cannot drift. */
export const eventTypes = ['check.flagged', 'check.completed', 'check.failed', 'batch.completed'] as const;
export type EventType = (typeof eventTypes)[number];

/**
 * What the service tells the outside world when a check or batch ends (COMMON.md contract):
 * src/services/webhooks implements it; `data` carries ids and the check's result, never image bytes.
 */
export interface EventPublisher {
  publish(event: { type: EventType; data: unknown }): Promise<void>;
}
