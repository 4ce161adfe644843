import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { createStore } from '../../src/store/index.js';
import { createUploadStore } from '../../src/store/upload-files.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { handout, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { type ChildService, createKey, dropQueues, startProcess, testConfig, testEnvironment, waitForCheck } from '../helpers/service.js';

/** Six portraits: enough work that the worker is still on it when the test acts. */
const sixPortraits = () =>
  handout(
    [2, 6, 9].flatMap((n) => [lfwPhoto('colin-powell', n), lfwPhoto('vladimir-putin', n === 9 ? 3 : n === 6 ? 10 : 2)]),
    1.5,
  );

describe('worker processes that die or are stopped lose no check', () => {
  let pool: pg.Pool;
  let api: RunningApi;
  let env: Record<string, string>;
  let key: string;
  const workers: ChildService[] = [];

  const submit = async (image: Buffer) => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image)]), 'six.jpg');
    const response = await fetch(`${api.url}/v1/checks`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(202);
    return (await response.json()).id as string;
  };
  const whenProcessing = async (checkId: string) => {
    for (;;) {
      const { rows } = await pool.query<{ status: string }>('select status from checks where id = $1', [checkId]);
      if (rows[0].status !== 'queued') return rows[0].status;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const startWorker = async () => {
    const worker = startProcess('workers/worker.ts', env);
    workers.push(worker);
    await worker.waitFor(/worker ready/);
    return worker;
  };

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    key = await createKey(pool, 'admin');
    // Short locks, so that a killed worker's job is noticed within seconds rather than the default 30.
    env = await testEnvironment({ WORKER_LOCK_MS: '2000', WORKER_STALLED_MS: '1000', RECOVERY_SWEEP_MS: '1000' });
    api = await startApi(testConfig(env));
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await api?.close();
    if (env) await dropQueues(env);
    await pool?.end();
  });

  it('a check held by a worker killed with SIGKILL is taken up by another worker and has its result once', async () => {
    const first = await startWorker();
    await pushRegistry(await lfwRegistryFolder(), new ApiClient(api.url, key), { wait: true });
    const checkId = await submit(await sixPortraits());

    expect(await whenProcessing(checkId)).toBe('processing');
    await first.stop('SIGKILL');
    const held = await pool.query(
      'select status, attempts, (select count(*)::int from faces where check_id = $1) as faces from checks where id = $1',
      [checkId],
    );
    expect(held.rows[0]).toEqual({ status: 'processing', attempts: 1, faces: 0 });

    const second = await startWorker();
    const check = await waitForCheck(api.url, key, checkId);
    expect(check.status).toBe('done');
    expect(check.attempts).toBe(2);
    // The six portraits' faces (and the half face of someone behind one of them, at its edge, small):
    // each stored once.
    expect(check.result.faces.filter((face: { box: { width: number } }) => face.box.width >= 100)).toHaveLength(6);
    const stored = await pool.query('select count(*)::int as count from faces where check_id = $1', [checkId]);
    expect(stored.rows[0].count).toBe(check.result.faces.length);
    // The worker logs once the job is over (after the evidence is drawn and the events relayed), a moment after the result is stored.
    await second.waitFor(new RegExp(`(${checkId}.*"check done"|"check done".*${checkId})`));
    expect(
      second
        .output()
        .split('\n')
        .filter((line) => line.includes('"check done"') && line.includes(checkId)),
    ).toHaveLength(1);
    expect(first.output()).not.toContain('"check done"');
  });

  it('SIGTERM lets the worker finish the check in hand before it exits', async () => {
    const worker = workers[workers.length - 1];
    const checkId = await submit(
      await handout([lfwPhoto('tony-blair', 3), lfwPhoto('george-w-bush', 6), lfwPhoto('colin-powell', 9)], 1.5),
    );
    expect(await whenProcessing(checkId)).toBe('processing');
    expect(await worker.stop('SIGTERM')).toBe(0);
    const { rows } = await pool.query('select status, attempts from checks where id = $1', [checkId]);
    expect(rows[0]).toEqual({ status: 'done', attempts: 1 });
  });

  it('a check that stops its worker every time it is taken up ends failed with the reason, instead of staying open', async () => {
    const checkId = await submit(await sixPortraits());
    for (let attempt = 1; attempt <= 3; attempt++) {
      const worker = await startWorker();
      // Killed while it holds the check, as if this image crashed it.
      for (;;) {
        const { rows } = await pool.query<{ attempts: number }>('select attempts from checks where id = $1', [checkId]);
        if (rows[0].attempts === attempt) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await worker.stop('SIGKILL');
    }
    await startWorker();
    const check = await waitForCheck(api.url, key, checkId);
    expect(check.status).toBe('failed');
    expect(check.result.error.code).toBe('INTERNAL');
    expect(check.result.error.message).toMatch(/its worker stopped while working on it 3 times/);
    const { rows } = await pool.query('select count(*)::int as count from faces where check_id = $1', [checkId]);
    expect(rows[0].count).toBe(0);
  });

  it('a check whose queue job never reached Redis (the API died between the two) is taken up while the worker runs', async () => {
    await startWorker();
    // What the API leaves behind when it dies after writing the check and before queueing it: the row alone.
    const image = await sixPortraits();
    const { hash } = await createUploadStore(env.UPLOAD_DIR).put(image);
    const store = createStore(pool);
    const check = await store.checks.insert({
      batchId: null,
      fileHash: hash,
      fileName: 'lost-job.jpg',
      format: 'jpeg',
      category: null,
      claims: [],
      submittedBy: null,
    });
    const done = await waitForCheck(api.url, key, check.id);
    expect(done.status).toBe('done');
    expect(done.result.faces.length).toBeGreaterThan(0);
  });
});
