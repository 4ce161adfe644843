import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { createQueues, jobRetentionOf } from '../queues/queues.js';
import { createRedis, ensureRedis } from '../queues/redis.js';
import { createLog } from '../runtime/log.js';
import { BatchService } from '../services/batches.js';
import { CheckService } from '../services/checks.js';
import { EvidenceService } from '../services/evidence.js';
import { ApiKeyService } from '../services/keys.js';
import { RegistryService } from '../services/registry.js';
import { createWebhooks } from '../services/webhooks/publisher.js';
import { createPool, ensureDatabase } from '../store/db.js';
import { createStore } from '../store/index.js';
import { migrate } from '../store/migrate.js';
import { createUploadStore } from '../store/upload-files.js';
import { createApi } from './app.js';
import type { ApiContext, RouteModule } from './context.js';

export interface RunningApi {
  url: string;
  server: Server;
  context: ApiContext;
  modules: RouteModule[];
  close(): Promise<void>;
}

/** Connects to PostgreSQL and Redis (one-line errors when they are not running), migrates, and listens. */
export async function startApi(config: Config): Promise<RunningApi> {
  const log = createLog('api', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL);
  try {
    await ensureDatabase(pool, config.DATABASE_URL);
    await ensureRedis(config.REDIS_URL);
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const store = createStore(pool);
  const uploads = createUploadStore(config.UPLOAD_DIR);
  const redis = createRedis(config.REDIS_URL);
  const queues = createQueues(
    { url: config.REDIS_URL, maxRetriesPerRequest: null },
    config.QUEUE_PREFIX,
    { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
    jobRetentionOf(config),
  );
  const events = createWebhooks({ config, store, log });
  const publisher = events.publisher;
  const limits = { maxPixels: config.MAX_IMAGE_PIXELS };
  const checks = new CheckService(store, uploads, queues, limits);
  const context: ApiContext = {
    config,
    store,
    uploads,
    queues,
    redis,
    publisher,
    log,
    registry: new RegistryService(store, uploads, queues, limits),
    checks,
    batches: new BatchService(store, publisher),
    keys: new ApiKeyService(store.apiKeys),
    evidence: new EvidenceService(store, uploads, checks),
  };
  const api = createApi(context);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = api.app.listen(config.PORT, () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  log('info', `API listening on port ${port}`);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    context,
    modules: api.modules,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await api.close();
      await queues.close();
      await events.close();
      redis.disconnect();
      await pool.end();
    },
  };
}
