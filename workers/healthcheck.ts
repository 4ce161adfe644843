/**
 * A container health check for a worker: healthy while a worker process on this host keeps its
 * heartbeat in Redis (written only once its models are loaded). Exits 0 or 1.
 */
import os from 'node:os';
import { loadConfig } from '../src/config.js';
import { liveWorkers } from '../src/queues/heartbeat.js';
import { createRedis } from '../src/queues/redis.js';

const config = loadConfig();
const redis = createRedis(config.REDIS_URL);
const timer = setTimeout(() => process.exit(1), 5_000);
liveWorkers(redis, config.QUEUE_PREFIX).then(
  (workers) => {
    clearTimeout(timer);
    redis.disconnect();
    process.exit(workers.some((worker) => worker.id.startsWith(`${os.hostname()}-`)) ? 0 : 1);
  },
  () => process.exit(1),
);
