import type pg from 'pg';
import type { Config } from '../config.js';
import { createWebhooks } from '../webhooks/publisher.js';
import type { EventPublisher } from './events.js';
import type { Log } from './process.js';

/** The event publisher API and workers share. */
export function createPublisher(deps: { config: Config; pool: pg.Pool; log: Log }): EventPublisher {
  return createWebhooks(deps).publisher;
}
