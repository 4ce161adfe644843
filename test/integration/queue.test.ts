import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Box } from '../../src/domain/types.js';
import { type FaceEngine, startEngine } from '../../src/engine/pool.js';
import { createQueues, jobRetentionOf, type Queues } from '../../src/queues/queues.js';
import { startQueueWorkers } from '../../src/queues/workers.js';
import { createLog } from '../../src/runtime/log.js';
import { CheckRunner } from '../../src/services/checking.js';
import { EnrolmentRunner } from '../../src/services/enrolment.js';
import type { EventPublisher } from '../../src/services/events.js';
import { GalleryCache } from '../../src/services/gallery.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createUploadStore, type UploadStore } from '../../src/store/upload-files.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { lfwPhoto } from '../helpers/fixtures.js';
import { dropQueues, testEnvironment } from '../helpers/service.js';

/** Records what the service publishes, as the webhooks module would receive it. */
// biome-ignore lint/suspicious/noExplicitAny: event data as published; each test reads the fields it asserts
type RecordedEvent = { type: string; data: any };
function recordingPublisher(): EventPublisher & { events: RecordedEvent[] } {
  const events: RecordedEvent[] = [];
  return {
    events,
    async record(_tx, event) {
      events.push(event);
      return [];
    },
    async relay() {},
  };
}

describe('queues and workers on real Redis, PostgreSQL and the face engine', () => {
  let pool: pg.Pool;
  let store: Store;
  let engine: FaceEngine;
  let uploads: UploadStore;
  let queues: Queues;
  let workers: { close(): Promise<void> };
  const publisher = recordingPublisher();
  /** Fails the next read of the upload store once, like a network share that drops a request. */
  let failNextRead = false;
  /** Uploads whose every read fails, like a file on a share that has gone. */
  const unreadable = new Set<string>();
  let env: Record<string, string>;

  const newCheck = async (bytes: Buffer, claims: string[]) => {
    const { hash } = await uploads.put(bytes);
    const check = await store.checks.insert({
      batchId: null,
      fileHash: hash,
      fileName: 'draft.jpg',
      format: 'jpeg',
      category: null,
      claims: claims.map((text) => ({ text })),
      submittedBy: null,
    });
    await queues.enqueueCheck(check.id);
    return check.id;
  };
  const ended = async (checkId: string) => {
    for (;;) {
      const check = await store.checks.getWithResult(checkId);
      if (check && (check.status === 'done' || check.status === 'failed')) return check;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** Stores a reference photo of a person and queues its enrolment; returns the photo's id. */
  const queueReference = async (personId: string, bytes: Buffer, fileName: string | null = null, chosenBox: Box | null = null) => {
    const { hash } = await uploads.put(bytes);
    const { photo } = await store.referencePhotos.insertOnce({
      personId,
      fileHash: hash,
      fileName,
      format: 'jpeg',
      provenance: null,
      chosenBox,
    });
    await queues.enqueueEnrolment(photo.id);
    return photo.id;
  };
  /** The reference photo once the worker has enrolled or rejected it. */
  const enrolled = async (id: string) => {
    for (;;) {
      const photo = (await store.referencePhotos.get(id))!;
      if (photo.status !== 'pending') return photo;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const enrol = async (personId: string, name: string, photos: string[]) => {
    await store.people.insert(personId, { name, aliases: [], category: null, region: null, status: null, notes: null });
    await store.registryState.bump();
    const ids = [];
    for (const photo of photos) ids.push(await queueReference(personId, await readFile(photo)));
    for (const id of ids) await enrolled(id);
  };

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    store = createStore(pool);
    env = await testEnvironment();
    const real = createUploadStore(env.UPLOAD_DIR);
    uploads = {
      put: (bytes) => real.put(bytes),
      get: (hash) => {
        if (unreadable.has(hash)) return Promise.reject(Object.assign(new Error('read EIO'), { code: 'EIO' }));
        if (failNextRead) {
          failNextRead = false;
          return Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        }
        return real.get(hash);
      },
    };
    engine = await startEngine({ threads: 1, maxPixels: 60_000_000 });
    queues = createQueues(
      { url: env.REDIS_URL, maxRetriesPerRequest: null },
      env.QUEUE_PREFIX,
      { attempts: 3, backoffMs: 100 },
      jobRetentionOf(loadConfig({})),
    );
    workers = startQueueWorkers(
      {
        checks: new CheckRunner(store, uploads, engine, new GalleryCache(store, engine.model), publisher),
        enrolment: new EnrolmentRunner(store, uploads, engine),
      },
      {
        connection: { url: env.REDIS_URL, maxRetriesPerRequest: null },
        prefix: env.QUEUE_PREFIX,
        concurrency: 1,
        lockDuration: 30_000,
        stalledInterval: 30_000,
        maxStalledCount: 2,
        registryWaitMs: 200,
      },
      createLog('worker', 'silent'),
    );
  });
  afterAll(async () => {
    await workers?.close();
    await queues?.close();
    await engine?.close();
    if (env) await dropQueues(env);
    await pool?.end();
  });

  it('enrols good reference photos and rejects one with no face, giving the reason', async () => {
    await enrol('tony-blair', 'Tony Blair', [lfwPhoto('tony-blair', 2), lfwPhoto('tony-blair', 9)]);
    const photos = await store.referencePhotos.listForPerson('tony-blair');
    expect(photos.map((photo) => [photo.status, photo.model])).toEqual([
      ['active', engine.model],
      ['active', engine.model],
    ]);

    const blank = await (await import('sharp'))
      .default({ create: { width: 300, height: 300, channels: 3, background: '#8080a0' } })
      .jpeg()
      .toBuffer();
    await enrol('nobody', 'Nobody', []);
    const id = await queueReference('nobody', blank, 'blank.jpg');
    expect(await enrolled(id)).toMatchObject({
      status: 'rejected',
      rejectionReason: 'no face was found in the photo',
    });
  });

  it("rejects a photo of two people as a reference unless the curator chooses the person's face with a box", async () => {
    const couple = await readFile(new URL('../fixtures/faces/deepface/couple.jpg', import.meta.url));
    await enrol('the-woman', 'The woman on the right', []);
    await enrol('the-woman-boxed', 'The woman, boxed', []);
    const unboxed = await queueReference('the-woman', couple, 'couple.jpg');
    const boxed = await queueReference('the-woman-boxed', couple, 'couple.jpg', { x: 1350, y: 300, width: 650, height: 800 });

    expect(await enrolled(unboxed)).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringMatching(/2 faces .*choose the person's face with a box/),
    });
    const chosen = await enrolled(boxed);
    expect(chosen!.status).toBe('active');
    expect(chosen!.faceBox!.x).toBeGreaterThan(1300);
  });

  it('enrols the face at the centre of a photo framed on the person, though a sharper face as large is cut by its edge, and tells the curator to check it', async () => {
    // LFW's Maria_Luisa_Mendonca_0001 (150 x 150): her face at x 57-104, a young man's at 114-150.
    const photo = await readFile(new URL('../fixtures/faces/lfw-view1/Maria_Luisa_Mendonca_0001.jpg', import.meta.url));
    await enrol('maria-luisa-mendonca', 'Maria Luisa Mendonca', []);
    const stored = await enrolled(await queueReference('maria-luisa-mendonca', photo, 'Maria_Luisa_Mendonca_0001.jpg'));
    expect(stored.status).toBe('active');
    expect(stored.faceBox!.x).toBeLessThan(80);
    expect(stored.enrolmentWarnings).toContainEqual(expect.stringMatching(/2 faces .* nearest the centre .* check that it is them/));
  });

  it('checks a photo against the registry the worker holds in memory, and sees people added since', async () => {
    const before = await ended(await newCheck(await readFile(lfwPhoto('colin-powell', 9)), ['Colin Powell']));
    expect(before.findings?.map((finding) => finding.code)).toContain('unknown_claim');

    await enrol('colin-powell', 'Colin Powell', [lfwPhoto('colin-powell', 2), lfwPhoto('colin-powell', 6)]);
    const after = await ended(await newCheck(await readFile(lfwPhoto('colin-powell', 9)), ['Colin Powell']));
    expect(after.faces.map((face) => [face.verdict, face.claim?.personId])).toEqual([['confirmed', 'colin-powell']]);
    expect(publisher.events.filter((event) => event.data.checkId === after.id).map((event) => event.type)).toEqual(['check.completed']);
  });

  it('fails a check with a damaged image at once, keeps the reason on the check, and publishes check.failed', async () => {
    const photo = await readFile(lfwPhoto('tony-blair', 3));
    const checkId = await newCheck(photo.subarray(0, Math.floor(photo.length * 0.6)), []);
    const check = await ended(checkId);
    expect(check).toMatchObject({ status: 'failed', errorCode: 'IMAGE_CORRUPT', attempts: 1 });
    expect(check.errorMessage).toMatch(/cannot be decoded/);
    const job = await queues.checks.getJob(checkId);
    expect(job?.attemptsMade).toBe(1);
    expect(publisher.events.find((event) => event.data.checkId === checkId)).toMatchObject({
      type: 'check.failed',
      data: { result: { error: { code: 'IMAGE_CORRUPT' } } },
    });
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    failNextRead = true;
    const check = await ended(await newCheck(await readFile(lfwPhoto('tony-blair', 3)), ['Tony Blair']));
    expect(check).toMatchObject({ status: 'done', attempts: 2 });
    expect(check.faces.map((face) => face.verdict)).toEqual(['confirmed']);
  });

  it('a check waits while a reference photo awaits re-embedding by a new model; a photo that cannot be re-embedded is rejected with the reason, and the check goes on', async () => {
    const { rows } = await pool.query<{ id: string; fileHash: string }>(
      "select id, file_hash as \"fileHash\" from reference_photos where person_id = 'colin-powell' and status = 'active' order by created_at limit 1",
    );
    const [photo] = rows;
    // As an older engine left it; and its file cannot be read any more, on every try.
    await pool.query("update reference_photos set model = 'face-api-0.0.0/older-engine' where id = $1", [photo.id]);
    unreadable.add(photo.fileHash);
    try {
      const checkId = await newCheck(await readFile(lfwPhoto('colin-powell', 9)), ['Colin Powell']);
      // Queued for re-embedding as a worker of the new model does: by the photo and the model it replaces.
      await queues.enqueueEnrolment(photo.id, 'face-api-0.0.0/older-engine');
      const check = await ended(checkId);
      const rejected = await store.referencePhotos.get(photo.id);
      expect(rejected).toMatchObject({ status: 'rejected' });
      expect(rejected!.rejectionReason).toMatch(/could not be re-embedded by face-api-.*after 3 attempts: read EIO/);
      // The check was judged only once the registry was whole again, against Powell's other photo.
      expect(Date.parse(check.startedAt!)).toBeGreaterThanOrEqual(Date.parse(rejected!.updatedAt));
      expect(check.attempts).toBe(1);
      expect(check.faces.map((face) => [face.verdict, face.claimReferencePhoto === photo.id])).toEqual([['confirmed', false]]);
    } finally {
      unreadable.clear();
    }
  });

  it('a check job delivered again leaves one result', async () => {
    const checkId = await newCheck(await readFile(lfwPhoto('vladimir-putin', 3)), []);
    const first = await ended(checkId);
    // As if the worker died after writing the result but before the queue heard of it.
    await pool.query(`update checks set status = 'processing' where id = $1`, [checkId]);
    await queues.checks.add('check', { checkId });
    while ((await store.checks.get(checkId))!.status !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await store.checks.getWithResult(checkId);
    expect(again!.faces).toEqual(first.faces);
    expect(again!.attempts).toBe(2);
    const { rows } = await pool.query('select count(*)::int as count from faces where check_id = $1', [checkId]);
    expect(rows[0].count).toBe(first.faces.length);
  });
});
