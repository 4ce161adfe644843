import { z } from 'zod';
import { descriptorModes } from './domain/descriptor-modes.js';

/**
 * The one place that reads process.env. Every problem is reported at once; the result is frozen.
 * Limits and their reasons live here; verdict thresholds live in src/domain/thresholds.ts.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/photo_verify'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Shared store of uploads, addressed by content hash (a volume in compose). */
  UPLOAD_DIR: z.string().default('var/uploads'),
  /** 25 MiB: a print-quality A4 handout as JPEG/PNG stays well below it. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  /** 60 megapixels: above any camera in use; a decompression bomb is refused before decoding. */
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(60_000_000),
  /** Pages one PDF may have; each page is a check. */
  MAX_PDF_PAGES: z.coerce.number().int().positive().default(50),
  /** Resolution PDF pages are rendered at: a 70 px portrait of a page laid out at 72 dpi becomes about 195 px. */
  PDF_DPI: z.coerce.number().int().min(72).max(600).default(200),
  /** How long one PDF page may take to open and draw before the document is refused (PDF_TIMEOUT). */
  PDF_PAGE_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** How long reading one page's captions by OCR may take; past it the page is checked without names, and says why. */
  OCR_PAGE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** PDFs the API renders at once (each on a thread of its own); more uploads of PDFs wait their turn. */
  MAX_PDF_RENDERS: z.coerce.number().int().positive().default(2),
  /** Inference threads in one process; 0 means one per core. */
  ENGINE_THREADS: z.coerce.number().int().min(0).default(0),
  /** auto: tfjs-node where it is installed, else wasm. cpu is never chosen silently. */
  TF_BACKEND: z.enum(['auto', 'tensorflow', 'wasm']).default('auto'),
  /**
   * Which descriptors describe a face: face-api's 128-d alone, or fused with fr_feature's 512-d
   * (docs/engine.md). A change re-embeds the registry, since the model id changes.
   */
  DESCRIPTOR: z.enum(descriptorModes).default('face-api'),
  /** Worker processes' concurrency: jobs in flight per process. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(1),
  QUEUE_PREFIX: z.string().default('photo-verify'),
  /** Tries per job before it fails for good; transient errors (a database restart) are retried. */
  JOB_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /** First retry delay; doubled on each retry, with jitter so that retries do not arrive together. */
  JOB_BACKOFF_MS: z.coerce.number().int().positive().default(2_000),
  /** A job whose worker stops renewing its lock for this long (a killed process) is given to another worker. */
  WORKER_LOCK_MS: z.coerce.number().int().positive().default(30_000),
  /** How often workers look for such stalled jobs. */
  WORKER_STALLED_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * A job whose worker died this many times is failed (its check ends with the reason); one more
   * than that many tries are made. Two: a poison image cannot kill workers for ever.
   */
  WORKER_MAX_STALLED: z.coerce.number().int().min(0).default(2),
  /** How often a worker looks for checks and reference photos whose queue job was lost, and queues them again. */
  RECOVERY_SWEEP_MS: z.coerce.number().int().positive().default(60_000),
  /** How long a check waits before looking again while the registry is being re-embedded. */
  REGISTRY_WAIT_MS: z.coerce.number().int().positive().default(2_000),
  /** A worker's heartbeat lapses after this long without renewal; /health counts live workers by it. */
  HEARTBEAT_TTL_S: z.coerce.number().int().positive().default(15),
  /** Finished jobs are kept this long in Redis (and at most JOB_KEEP_COUNT of them), failed ones FAILED_JOB_KEEP_S. */
  JOB_KEEP_S: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  JOB_KEEP_COUNT: z.coerce.number().int().positive().default(10_000),
  FAILED_JOB_KEEP_S: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** Names (claims) one check may carry: a printed page holds a few dozen portraits; more is a mistake or an attack. */
  MAX_CLAIMS_PER_CHECK: z.coerce.number().int().positive().default(500),
  /** Characters in one name or claim: the longest real names with patronymics are under 100. */
  MAX_NAME_LENGTH: z.coerce.number().int().positive().default(200),
  /**
   * Bytes in one upload request (a batch of images), refused from its Content-Length before it is
   * read; each file is further bounded by MAX_UPLOAD_BYTES and a request by 20 images.
   */
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /**
   * Uploads the API reads at once (each file spooled to disk, then read whole once, up to
   * MAX_UPLOAD_BYTES), in all and per API key. Beyond the per-key limit: 503 SERVICE_UNAVAILABLE
   * with Retry-After at once; beyond the total, an upload waits its turn up to 10 s, then 503.
   */
  MAX_UPLOADS_IN_FLIGHT: z.coerce.number().int().positive().default(16),
  MAX_UPLOADS_PER_KEY: z.coerce.number().int().positive().default(4),
  /** How long an upload waits for one of the MAX_UPLOADS_IN_FLIGHT slots before it is answered 503. */
  UPLOAD_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * A multipart text field (names, claims with boxes): 500 names of 200 characters with their
   * boxes fit in 256 KiB; a longer field is refused while it streams, before it is parsed.
   */
  MAX_FIELD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Evidence images one API process draws at once (each decodes a draft of up to MAX_IMAGE_PIXELS); beyond, 503. */
  EVIDENCE_RENDERS_AT_ONCE: z.coerce.number().int().positive().default(2),
  /** How long a review desk session lasts: a working day. */
  REVIEW_SESSION_HOURS: z.coerce.number().positive().default(12),
  /** JSON request bodies: claims and registry fields are small; 1 MiB leaves room for long lists. */
  MAX_JSON_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  WEBHOOK_ALLOW_PRIVATE: booleanString,
  /** A delivery attempt that has not answered by then is a failure and is retried. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The wait before a failed delivery's first retry; it doubles with each retry (src/domain/webhook-retry.ts). One minute spreads 14 attempts over about a day. */
  WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().positive().default(60_000),
  /** Delivery attempts in all before a delivery is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(14),
  /** Deliveries in flight per webhook worker: they wait on the network, not the CPU. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().default(16),
  /** How often pending deliveries are checked against their jobs (a job lost before it reached Redis is queued again). */
  WEBHOOK_SWEEP_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** Base URL the service is reached at, used for links in webhook events. */
  PUBLIC_URL: z.string().default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = Readonly<z.infer<typeof schema>>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}

/** The PDF rendering limits of this configuration. */
export function pdfLimitsOf(config: Config) {
  return {
    maxPages: config.MAX_PDF_PAGES,
    maxPixels: config.MAX_IMAGE_PIXELS,
    dpi: config.PDF_DPI,
    minDpi: 72,
    pageTimeoutMs: config.PDF_PAGE_TIMEOUT_MS,
  };
}
