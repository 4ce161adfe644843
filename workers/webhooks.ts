/**
 * A webhook delivery process: takes deliveries from the queue and sends them, signed, to the
 * endpoints. Light on CPU; run one or two beside the check workers. SIGTERM finishes the
 * deliveries in hand, then exits.
 */
import { loadConfig } from '../src/config.js';
import { ensureRedis } from '../src/queues/redis.js';
import { createLog, runMain } from '../src/runtime/process.js';
import { startWebhookDelivery } from '../src/services/webhooks/delivery.js';
import { createPool, ensureDatabase } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';

runMain('webhooks worker', async () => {
  const config = loadConfig();
  const log = createLog('webhooks', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, 4);
  await ensureDatabase(pool, config.DATABASE_URL);
  await ensureRedis(config.REDIS_URL);
  await migrate(pool);
  const delivery = await startWebhookDelivery({
    config,
    store: createStore(pool),
    log,
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
  });
  log('info', 'webhook delivery ready', { pid: process.pid });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: finishing the deliveries in hand`);
    delivery
      .close()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        (error: Error) => {
          log('error', 'shutdown failed', { error: error.message });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
});
