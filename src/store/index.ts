import type pg from 'pg';
import { ApiKeyRepository } from './api-keys.js';
import { AuditRepository } from './audit.js';
import { BatchRepository } from './batches.js';
import { CheckRepository } from './checks.js';
import { type Queryable, withTransaction } from './db.js';
import { PeopleRepository } from './people.js';
import { ReferencePhotoRepository, RegistryStateRepository } from './reference-photos.js';
import { ReviewSessionRepository } from './review-sessions.js';
import { UploadRequestRepository } from './upload-requests.js';
import { WebhookRepository } from './webhooks.js';

/** Every table's repository, all bound to one connection: the pool, or one transaction. */
export interface Repositories {
  people: PeopleRepository;
  referencePhotos: ReferencePhotoRepository;
  registryState: RegistryStateRepository;
  checks: CheckRepository;
  batches: BatchRepository;
  apiKeys: ApiKeyRepository;
  audit: AuditRepository;
  webhooks: WebhookRepository;
  uploadRequests: UploadRequestRepository;
  reviewSessions: ReviewSessionRepository;
}

export interface Store extends Repositories {
  /**
   * Runs work in one transaction: the repositories it is handed are bound to it, so every statement
   * made through them commits or rolls back together. Nothing outside them joins the transaction.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Resolves when PostgreSQL answers. */
  ping(): Promise<void>;
}

function repositoriesOn(db: Queryable): Repositories {
  return {
    people: new PeopleRepository(db),
    referencePhotos: new ReferencePhotoRepository(db),
    registryState: new RegistryStateRepository(db),
    checks: new CheckRepository(db),
    batches: new BatchRepository(db),
    apiKeys: new ApiKeyRepository(db),
    audit: new AuditRepository(db),
    webhooks: new WebhookRepository(db),
    uploadRequests: new UploadRequestRepository(db),
    reviewSessions: new ReviewSessionRepository(db),
  };
}

export function createStore(pool: pg.Pool): Store {
  return {
    ...repositoriesOn(pool),
    transaction: (work) => withTransaction(pool, (client) => work(repositoriesOn(client))),
    async ping() {
      await pool.query('select 1');
    },
  };
}
