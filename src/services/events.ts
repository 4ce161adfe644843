import type { Log } from './process.js';

export type EventType = 'check.flagged' | 'check.completed' | 'check.failed' | 'batch.completed';

/** What the service tells the outside world; helper "webhooks" implements delivery (COMMON.md contract). */
export interface EventPublisher {
  publish(event: { type: EventType; data: unknown }): Promise<void>;
}

/** The publisher of a deployment without webhook delivery: events are only logged. */
export function loggingPublisher(log: Log): EventPublisher {
  return {
    async publish(event) {
      const { checkId, batchId } = (event.data ?? {}) as { checkId?: string; batchId?: string };
      log('info', `event ${event.type}`, { checkId, batchId });
    },
  };
}
