/**
 * PDF handouts through the service: real API and worker processes. A two-page handout uploaded to
 * POST /v1/checks becomes two checks with their page numbers; in a batch, a password-protected,
 * a damaged or a too long PDF is refused with its code and adds nothing, and the good files of
 * another request are still checked.
 */
import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { draftPhotos, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { damagedPdf, encryptedPdf, longPdf, type Portrait, pdfHandout } from '../helpers/pdf.js';
import { type ChildService, createKey, dropQueues, startProcess, testEnvironment, waitForCheck } from '../helpers/service.js';

const twoPages: Portrait[][] = [
  [
    { photo: lfwPhoto('colin-powell', draftPhotos['colin-powell']), caption: 'Colin Powell' },
    { photo: lfwPhoto('tony-blair', draftPhotos['tony-blair']), caption: 'Tony Blair' },
  ],
  [
    { photo: lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']), caption: 'Vladimir Putin' },
    { photo: lfwPhoto('george-w-bush', 7), caption: 'George W Bush' },
  ],
];

describe('PDF handouts through the service', () => {
  let pool: pg.Pool;
  let api: ChildService;
  let worker: ChildService;
  let baseUrl: string;
  let submitterKey: string;
  let env: Record<string, string>;
  let registry: string;

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    const curatorKey = await createKey(pool, 'curator');
    submitterKey = await createKey(pool, 'submitter');
    env = await testEnvironment({ MAX_PDF_PAGES: '10' });
    api = startProcess('src/api/main.ts', env);
    worker = startProcess('workers/worker.ts', env);
    const listening = await api.waitFor(/API listening on port \d+/);
    baseUrl = `http://127.0.0.1:${/port (\d+)/.exec(listening)![1]}`;
    await worker.waitFor(/worker ready/);
    registry = await lfwRegistryFolder();
    await pushRegistry(registry, new ApiClient(baseUrl, curatorKey), { wait: true });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    if (env) await dropQueues(env);
    if (registry) await rm(registry, { recursive: true, force: true });
    await pool?.end();
  });

  const upload = async (route: string, files: Array<[Buffer, string]>) => {
    const form = new FormData();
    for (const [bytes, name] of files) form.append('image', new Blob([new Uint8Array(bytes)]), name);
    const response = await fetch(`${baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${submitterKey}` },
      body: form,
    });
    return { status: response.status, body: await response.json() };
  };

  it('makes a check of each page of a two-page handout, with its page number', async () => {
    const { status, body } = await upload('/v1/checks', [[await pdfHandout(twoPages), 'handout.pdf']]);
    expect(status).toBe(202);
    expect(body.checks.map((check: { file: string; page: number }) => [check.file, check.page])).toEqual([
      ['handout.pdf, page 1', 1],
      ['handout.pdf, page 2', 2],
    ]);
    const pages = await Promise.all(body.checks.map((check: { id: string }) => waitForCheck(baseUrl, submitterKey, check.id)));
    const named = (page: { result: { faces: Array<{ bestMatch: { personId: string } | null }> } }) =>
      page.result.faces.map((face) => face.bestMatch?.personId);
    expect(pages.map((page) => [page.page, page.result.file, page.result.page])).toEqual([
      [1, 'handout.pdf, page 1', 1],
      [2, 'handout.pdf, page 2', 2],
    ]);
    expect(named(pages[0])).toEqual(['colin-powell', 'tony-blair']);
    expect(named(pages[1])).toEqual(['vladimir-putin', 'george-w-bush']);
  });

  it('refuses a password-protected, a damaged and a too long PDF with their codes; other uploads are still checked', async () => {
    const batch = await new ApiClient(baseUrl, submitterKey).json<{ id: string }>('POST', '/v1/batches', { name: 'pdf' });
    const refused = async (bytes: Buffer, code: string, status: number) => {
      const answer = await upload(`/v1/batches/${batch.id}/checks`, [
        [await pdfHandout([twoPages[0]]), 'good.pdf'],
        [bytes, 'bad.pdf'],
      ]);
      expect(answer).toMatchObject({ status, body: { error: { code } } });
    };
    await refused(await encryptedPdf(twoPages), 'PDF_ENCRYPTED', 422);
    await refused(damagedPdf(), 'PDF_CORRUPT', 422);
    await refused(await longPdf(11), 'PDF_TOO_MANY_PAGES', 413);
    const good = await upload(`/v1/batches/${batch.id}/checks`, [[await pdfHandout([twoPages[1]]), 'good.pdf']]);
    expect(good.status).toBe(202);
    expect(good.body.checks).toHaveLength(1);
    const done = await waitForCheck(baseUrl, submitterKey, good.body.checks[0].id);
    expect(done).toMatchObject({ status: 'done', page: 1, file: 'good.pdf, page 1' });
  });
});
