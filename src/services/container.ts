import { type Config, pdfLimitsOf } from '../config.js';
import { createQueues, jobRetentionOf } from '../queues/queues.js';
import { createRedis, ensureRedis } from '../queues/redis.js';
import type { Log } from '../runtime/log.js';
import { createPool, ensureDatabase } from '../store/db.js';
import { createStore } from '../store/index.js';
import { migrate } from '../store/migrate.js';
import { createUploadStore } from '../store/upload-files.js';
import { AuditService } from './audit.js';
import { BatchService } from './batches.js';
import { CheckService } from './checks.js';
import { EvidenceService } from './evidence.js';
import { HealthService } from './health.js';
import { ApiKeyService } from './keys.js';
import { createMetrics, type MetricsService } from './metrics.js';
import { RegistryService } from './registry.js';
import { ReviewSessionService } from './review-sessions.js';
import { createWebhooks } from './webhooks/publisher.js';
import type { WebhookService } from './webhooks/service.js';

/** Every use case the API offers, built on one pool, one set of queues and one webhook stack. */
export interface Services {
  config: Config;
  log: Log;
  registry: RegistryService;
  checks: CheckService;
  batches: BatchService;
  keys: ApiKeyService;
  evidence: EvidenceService;
  audit: AuditService;
  health: HealthService;
  /** Sign-in to the review desk. */
  reviewSessions: ReviewSessionService;
  metrics: MetricsService;
  /** Endpoint management; it shares its delivery queue with the publisher the batches publish through. */
  webhooks: WebhookService;
  /** Closes everything created here: queue listeners, queues (the webhook queue's Redis connection too), Redis, the pool. */
  close(): Promise<void>;
}

/**
 * The composition root of the API process: connects to PostgreSQL and Redis (one-line errors when
 * they are not running), migrates, and wires the services on the store, queues and upload store.
 */
export async function createServices(config: Config, log: Log): Promise<Services> {
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
  const webhooks = createWebhooks({ config, store, log });
  const metrics = createMetrics({ config, queues, checks: store.checks });
  const limits = { maxPixels: config.MAX_IMAGE_PIXELS };
  const checks = new CheckService(
    store,
    uploads,
    queues,
    {
      ...limits,
      maxClaims: config.MAX_CLAIMS_PER_CHECK,
      maxNameLength: config.MAX_NAME_LENGTH,
      pdf: pdfLimitsOf(config),
      pdfRenders: config.MAX_PDF_RENDERS,
    },
    webhooks.publisher,
  );
  return {
    config,
    log,
    registry: new RegistryService(store, uploads, queues, limits),
    checks,
    batches: new BatchService(store, webhooks.publisher),
    keys: new ApiKeyService(store.apiKeys),
    reviewSessions: new ReviewSessionService(store, new ApiKeyService(store.apiKeys), Math.round(config.REVIEW_SESSION_HOURS * 3600)),
    evidence: new EvidenceService(store, uploads, config.EVIDENCE_RENDERS_AT_ONCE),
    audit: new AuditService(store.audit),
    health: new HealthService(store, redis, config.QUEUE_PREFIX),
    metrics,
    webhooks: webhooks.service,
    async close() {
      await metrics.close();
      await queues.close();
      await webhooks.close();
      redis.disconnect();
      await pool.end();
    },
  };
}
