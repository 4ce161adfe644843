import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceResult } from '../../src/domain/results.js';
import { GalleryCache } from '../../src/services/gallery.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/migrate.js';
import { createUploadStore } from '../../src/store/upload-files.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { testEnvironment } from '../helpers/service.js';

const quality = { faceSize: 40, detectorScore: 0.99, sharpness: 80, yaw: 0, pitch: 0, roll: 0 };
const unit = (index: number) => Array.from({ length: 128 }, (_, i) => (i === index ? 1 : 0));
const face = (verdict: FaceResult['verdict']): FaceResult => ({
  box: { x: 1, y: 2, width: 30, height: 40 },
  verdict,
  claim: null,
  claimScore: null,
  claimReferencePhoto: null,
  bestMatch: null,
  nearest: null,
  runnerUp: null,
  reasons: [],
  quality,
});

describe('the PostgreSQL store', () => {
  let pool: pg.Pool;
  let store: Store;

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    store = createStore(pool);
  });
  afterAll(() => pool?.end());

  it('applies each migration once: migrating again changes nothing', async () => {
    expect(await migrate(pool)).toEqual([]);
    const { rows } = await pool.query<{ name: string }>('select name from schema_migrations order by name');
    expect(rows.map((row) => row.name)).toEqual(expect.arrayContaining(['0001_registry.sql', '0002_checks.sql', '0003_access.sql']));
  });

  it('writes a check result as a whole: the same result written twice leaves one set of faces', async () => {
    const check = await store.checks.insert({
      batchId: null,
      fileHash: 'a'.repeat(64),
      fileName: 'draft.jpg',
      format: 'jpeg',
      category: null,
      claims: [{ text: 'Tony Blair' }],
      submittedBy: null,
    });
    const outcome = { findings: [], faces: [face('mismatch'), face('confirmed')], flagged: true, model: 'test-model' };
    await store.transaction((tx) => tx.checks.saveOutcome(check.id, outcome));
    await store.transaction((tx) => tx.checks.saveOutcome(check.id, outcome));
    const stored = await store.checks.getWithResult(check.id);
    expect(stored).toMatchObject({ status: 'done', flagged: true, claims: [{ text: 'Tony Blair' }] });
    expect(stored!.faces.map((stored) => stored.verdict)).toEqual(['mismatch', 'confirmed']);
    expect(await store.checks.start(check.id)).toBeNull();
  });

  it('keeps the registry in memory per model and reloads it when the registry changes', async () => {
    const reloads: number[] = [];
    const cache = new GalleryCache(store, 'test-model', (_gallery, version) => reloads.push(version));
    await store.people.insert('nariman-dzhelyal', {
      name: 'Nariman Dzhelyal',
      aliases: [],
      category: null,
      region: null,
      status: null,
      notes: null,
    });
    await store.registryState.bump();
    expect((await cache.current()).references).toEqual([]);
    expect(await cache.current()).toBe(await cache.current());

    const { photo } = await store.referencePhotos.insertOnce({
      personId: 'nariman-dzhelyal',
      fileHash: 'b'.repeat(64),
      fileName: '1.jpg',
      format: 'jpeg',
      provenance: null,
      chosenBox: null,
    });
    await store.referencePhotos.activate(photo.id, {
      faceBox: { x: 0, y: 0, width: 10, height: 10 },
      descriptor: unit(3),
      model: 'test-model',
      quality,
      warnings: [],
    });
    await store.registryState.bump();
    const gallery = await cache.current();
    expect(gallery.people.map((person) => person.id)).toEqual(['nariman-dzhelyal']);
    expect(gallery.references).toEqual([{ personId: 'nariman-dzhelyal', referencePhoto: photo.id, descriptor: unit(3) }]);

    await store.referencePhotos.retire(photo.id);
    await store.registryState.bump();
    expect((await cache.current()).references).toEqual([]);
    expect(reloads).toHaveLength(3);
    expect(await new GalleryCache(store, 'another-model').current()).toMatchObject({ model: 'another-model', references: [] });
  });

  it('stores an uploaded file once, under its content hash, however often it is uploaded', async () => {
    const { UPLOAD_DIR } = await testEnvironment();
    const uploads = createUploadStore(UPLOAD_DIR);
    const bytes = Buffer.from('the same bytes twice');
    const first = await uploads.put(bytes);
    const second = await uploads.put(Buffer.from(bytes));
    expect(first).toEqual({ hash: second.hash, stored: true });
    expect(second.stored).toBe(false);
    expect(await readdir(path.join(UPLOAD_DIR, first.hash.slice(0, 2)))).toEqual([first.hash]);
    expect((await uploads.get(first.hash)).toString()).toBe('the same bytes twice');
    await expect(uploads.get('c'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
