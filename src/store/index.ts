import type pg from 'pg';
import { ApiKeyRepository } from './api-keys.js';
import { AuditRepository } from './audit.js';
import { BatchRepository } from './batches.js';
import { CheckRepository } from './checks.js';
import { PeopleRepository } from './people.js';
import { ReferencePhotoRepository, RegistryStateRepository } from './reference-photos.js';

/** Every repository on one pool; the pool is kept for transactions that span several. */
export interface Store {
  pool: pg.Pool;
  people: PeopleRepository;
  referencePhotos: ReferencePhotoRepository;
  registryState: RegistryStateRepository;
  checks: CheckRepository;
  batches: BatchRepository;
  apiKeys: ApiKeyRepository;
  audit: AuditRepository;
}

export function createStore(pool: pg.Pool): Store {
  return {
    pool,
    people: new PeopleRepository(pool),
    referencePhotos: new ReferencePhotoRepository(pool),
    registryState: new RegistryStateRepository(pool),
    checks: new CheckRepository(pool),
    batches: new BatchRepository(pool),
    apiKeys: new ApiKeyRepository(pool),
    audit: new AuditRepository(pool),
  };
}
