import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Queues } from '../queues/queues.js';
import type { Log } from '../runtime/log.js';
import type { BatchService } from '../services/batches.js';
import type { CheckService } from '../services/checks.js';
import type { EventPublisher } from '../services/events.js';
import type { EvidenceService } from '../services/evidence.js';
import type { ApiKeyService } from '../services/keys.js';
import type { RegistryService } from '../services/registry.js';
import type { Store } from '../store/index.js';
import type { UploadStore } from '../store/upload-files.js';
import type { Paths } from './openapi.js';

/** What route modules receive: services for logic, the rest for health and for other modules to build on. */
export interface ApiContext {
  config: Config;
  store: Store;
  uploads: UploadStore;
  queues: Queues;
  redis: Redis;
  publisher: EventPublisher;
  log: Log;
  registry: RegistryService;
  checks: CheckService;
  batches: BatchService;
  keys: ApiKeyService;
  evidence: EvidenceService;
}

/** A group of routes with their OpenAPI description; mounted under its prefix behind the API-key check. */
export interface RouteModule {
  prefix: string;
  router: Router;
  paths: Paths;
}
