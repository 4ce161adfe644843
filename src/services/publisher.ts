import type pg from 'pg';
import type { Config } from '../config.js';
import type { Log } from '../runtime/process.js';
import type { EventPublisher } from './events.js';
import { createWebhooks } from './webhooks/publisher.js';

/** The event publisher API and workers share: webhook deliveries queued for the delivery workers. */
export function createPublisher(deps: { config: Config; pool: pg.Pool; log: Log }): { publisher: EventPublisher; close(): Promise<void> } {
  const { publisher, close } = createWebhooks(deps);
  return { publisher, close };
}
