export type EventType = 'check.flagged' | 'check.completed' | 'check.failed' | 'batch.completed';

/**
 * What the service tells the outside world when a check or batch ends (COMMON.md contract):
 * src/webhooks implements it; `data` carries ids and the check's result, never image bytes.
 */
export interface EventPublisher {
  publish(event: { type: EventType; data: unknown }): Promise<void>;
}
