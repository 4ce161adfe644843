/**
 * A worker process: checks and enrolments from the queues, inference on the engine's threads.
 * Run as many as there are cores, on as many machines as needed; all state is in PostgreSQL,
 * Redis and the shared upload store. SIGTERM finishes the job in hand, then exits.
 */
import { loadConfig, pdfLimitsOf } from '../src/config.js';
import { startEngine } from '../src/engine/pool.js';
import { startHeartbeat } from '../src/queues/heartbeat.js';
import { createQueues, jobRetentionOf } from '../src/queues/queues.js';
import { createRedis, ensureRedis } from '../src/queues/redis.js';
import { startQueueWorkers } from '../src/queues/workers.js';
import { createLog } from '../src/runtime/log.js';
import { runMain, stopOnSignal } from '../src/runtime/main.js';
import { CheckRunner } from '../src/services/checking.js';
import { EnrolmentRunner } from '../src/services/enrolment.js';
import { EvidenceService } from '../src/services/evidence.js';
import { GalleryCache } from '../src/services/gallery.js';
import { startRecoverySweep } from '../src/services/recovery.js';
import { createWebhooks } from '../src/services/webhooks/publisher.js';
import { createPool, ensureDatabase } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { createUploadStore } from '../src/store/upload-files.js';

runMain('worker', async () => {
  const config = loadConfig();
  const log = createLog('worker', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, 4);
  await ensureDatabase(pool, config.DATABASE_URL);
  await ensureRedis(config.REDIS_URL);
  await migrate(pool);

  const engine = await startEngine({
    threads: config.ENGINE_THREADS,
    backend: config.TF_BACKEND,
    maxPixels: config.MAX_IMAGE_PIXELS,
    descriptor: config.DESCRIPTOR,
    log: (message) => log('info', message),
  });
  const store = createStore(pool);
  const uploads = createUploadStore(config.UPLOAD_DIR);
  const events = createWebhooks({ config, store, log });
  const gallery = new GalleryCache(store, engine.model, (loaded, version) =>
    log('info', 'registry loaded', { version, people: loaded.people.length, referencePhotos: loaded.references.length }),
  );
  // Reads the captions of checks that ask for it (a PDF page by default); its OCR threads start on first use.
  const captions = CheckRunner.captionReader(pdfLimitsOf(config), config.OCR_PAGE_TIMEOUT_MS);
  const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
  const queues = createQueues(
    connection,
    config.QUEUE_PREFIX,
    { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
    jobRetentionOf(config),
  );
  // Photos enrolled by another model (or never), and checks left without a job, are queued again, now and while it runs.
  const recovery = await startRecoverySweep({ store, queues, model: engine.model, intervalMs: config.RECOVERY_SWEEP_MS, log });

  const workers = startQueueWorkers(
    {
      checks: new CheckRunner(store, uploads, engine, gallery, events.publisher, new EvidenceService(store, uploads), captions),
      enrolment: new EnrolmentRunner(store, uploads, engine),
    },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_MS,
      maxStalledCount: config.WORKER_MAX_STALLED,
      registryWaitMs: config.REGISTRY_WAIT_MS,
    },
    log,
  );
  const redis = createRedis(config.REDIS_URL);
  const heartbeat = await startHeartbeat(
    redis,
    config.QUEUE_PREFIX,
    { model: engine.model, backend: engine.backend, threads: engine.threads },
    config.HEARTBEAT_TTL_S,
  );
  log('info', 'worker ready', { id: heartbeat.id, concurrency: config.WORKER_CONCURRENCY });

  stopOnSignal(log, 'finishing the job in hand', async () => {
    recovery.stop();
    await heartbeat.stop();
    await workers.close();
    await queues.close();
    await events.close();
    await captions.reader.close();
    await engine.close();
    redis.disconnect();
    await pool.end();
  });
});
