/**
 * A webhook delivery process: takes deliveries from the queue and sends them, signed, to the
 * endpoints. Light on CPU; run one or two beside the check workers. SIGTERM finishes the
 * deliveries in hand, then exits.
 */
import { loadConfig } from '../src/config.js';
import { ensureRedis } from '../src/queues/redis.js';
import { createLog } from '../src/runtime/log.js';
import { runMain, stopOnSignal } from '../src/runtime/main.js';
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

  stopOnSignal(log, 'finishing the deliveries in hand', async () => {
    await delivery.close();
    await pool.end();
  });
});
