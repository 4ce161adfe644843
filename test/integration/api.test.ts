import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/api/openapi.js';
import { allRoutes } from '../../src/api/routes/index.js';
import { type RunningApi, startApi } from '../../src/api/server.js';
import { createQueues, jobRetentionOf, type Queues } from '../../src/queues/queues.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { lfwPhoto } from '../helpers/fixtures.js';
import { type Exchange, requestAndResponseDrift, responseDrift } from '../helpers/openapi.js';
import { createKey, dropQueues, testConfig, testEnvironment } from '../helpers/service.js';

describe('the /v1 API against real PostgreSQL and Redis', () => {
  let pool: pg.Pool;
  let api: RunningApi;
  /** The API's queues as the workers see them, to look at the jobs it queued. */
  let queues: Queues;
  const keys: Record<string, string> = {};
  /** Every answer these tests get, checked against the OpenAPI document at the end. */
  const exchanges: Exchange[] = [];
  let env: Record<string, string>;

  const call = async (
    method: string,
    path: string,
    options: { key?: string | null; json?: unknown; form?: FormData; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = {};
    const key = options.key === undefined ? keys.admin : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | FormData | undefined = options.form;
    if (options.json !== undefined || options.raw !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.raw ?? JSON.stringify(options.json);
    }
    const response = await fetch(api.url + path, { method, headers, body });
    const text = await response.text();
    const answer = { status: response.status, body: text ? JSON.parse(text) : null };
    exchanges.push({ method, path, status: answer.status, contentType: response.headers.get('content-type'), body: answer.body });
    return answer;
  };
  const imageForm = (bytes: Buffer, fields: Record<string, string> = {}, name = 'draft.jpg') => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)]), name);
    for (const [field, value] of Object.entries(fields)) form.append(field, value);
    return form;
  };

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    for (const role of ['admin', 'curator', 'submitter', 'reviewer'] as const) keys[role] = await createKey(pool, role);
    env = await testEnvironment({ MAX_UPLOAD_BYTES: String(300 * 1024), MAX_IMAGE_PIXELS: '4000000', MAX_JSON_BYTES: '10000' });
    const config = testConfig(env);
    api = await startApi(config);
    queues = createQueues(
      { url: config.REDIS_URL, maxRetriesPerRequest: null },
      config.QUEUE_PREFIX,
      { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
      jobRetentionOf(config),
    );
  });
  afterAll(async () => {
    await api?.close();
    await queues?.close();
    if (env) await dropQueues(env);
    await pool?.end();
  });

  describe('API keys', () => {
    it('refuses a request without a key, or with an unknown one, with 401 UNAUTHORIZED', async () => {
      expect(await call('GET', '/v1/people', { key: null })).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      expect(await call('GET', '/v1/people', { key: 'pvk_not-a-key' })).toMatchObject({
        status: 401,
        body: { error: { code: 'UNAUTHORIZED' } },
      });
    });

    it("refuses what the key's role does not allow with 403 FORBIDDEN", async () => {
      expect(await call('POST', '/v1/people', { key: keys.submitter, json: { name: 'Someone' } })).toMatchObject({
        status: 403,
        body: { error: { code: 'FORBIDDEN' } },
      });
      expect(await call('POST', '/v1/checks', { key: keys.reviewer, form: imageForm(Buffer.from('x')) })).toMatchObject({
        status: 403,
        body: { error: { code: 'FORBIDDEN' } },
      });
    });

    it('lets health probes and the OpenAPI document through without a key', async () => {
      expect((await call('GET', '/healthz', { key: null })).status).toBe(200);
      expect((await call('GET', '/openapi.json', { key: null })).status).toBe(200);
      expect((await call('GET', '/metrics', { key: null })).status).toBe(401);
    });
  });

  describe('the registry', () => {
    it('creates, finds by alias or category, updates and deletes people, auditing every change', async () => {
      const created = await call('POST', '/v1/people', {
        key: keys.curator,
        json: {
          name: 'Enver Bekirov',
          aliases: ['Енвер Бекіров', 'Энвер Бекиров'],
          category: 'crimean-political-prisoner',
          region: 'Crimea',
        },
      });
      expect(created).toMatchObject({ status: 201, body: { id: 'enver-bekirov', name: 'Enver Bekirov' } });
      await call('POST', '/v1/people', { key: keys.curator, json: { name: 'Nariman Dzhelyal', category: 'crimean-political-prisoner' } });
      await call('POST', '/v1/people', { key: keys.curator, json: { name: 'Maksym Butkevych', category: 'prisoner-of-war' } });

      expect(await call('POST', '/v1/people', { key: keys.curator, json: { name: 'Enver Bekirov' } })).toMatchObject({
        status: 409,
        body: { error: { code: 'CONFLICT' } },
      });
      const byAlias = await call('GET', `/v1/people?search=${encodeURIComponent('Бекиров')}`, { key: keys.reviewer });
      expect(byAlias.body.people.map((person: { id: string }) => person.id)).toEqual(['enver-bekirov']);
      const byCategory = await call('GET', '/v1/people?category=crimean-political-prisoner', { key: keys.submitter });
      expect(byCategory.body).toMatchObject({ total: 2 });

      const updated = await call('PATCH', '/v1/people/enver-bekirov', { key: keys.curator, json: { status: 'imprisoned' } });
      expect(updated.body).toMatchObject({ status: 'imprisoned', region: 'Crimea', aliases: ['Енвер Бекіров', 'Энвер Бекиров'] });
      expect((await call('DELETE', '/v1/people/maksym-butkevych', { key: keys.curator })).status).toBe(204);
      expect(await call('GET', '/v1/people/maksym-butkevych')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

      const audit = await call('GET', '/v1/audit?subject=person:enver-bekirov', { key: keys.reviewer });
      expect(audit.body.entries.map((entry: { action: string }) => entry.action)).toEqual(['person.updated', 'person.created']);
      expect(audit.body.entries[0].details).toEqual({ changed: { status: 'imprisoned' }, previous: { status: null } });
    });

    it('stores a reference photo once however often it is sent, queues it for enrolment, and retires it', async () => {
      const photo = await readFile(lfwPhoto('colin-powell', 2));
      const first = await call('POST', '/v1/people/enver-bekirov/photos', {
        key: keys.curator,
        form: imageForm(photo, { provenance: 'court, 2019' }),
      });
      expect(first).toMatchObject({ status: 202, body: { status: 'pending', provenance: 'court, 2019', format: 'jpeg' } });
      const again = await call('POST', '/v1/people/enver-bekirov/photos', { key: keys.curator, form: imageForm(photo) });
      expect(again).toMatchObject({ status: 200, body: { id: first.body.id } });
      expect(await queues.enrolment.getJobCounts('waiting')).toEqual({ waiting: 1 });

      const retired = await call('POST', `/v1/people/enver-bekirov/photos/${first.body.id}/retire`, {
        key: keys.curator,
        json: { reason: 'shows someone else' },
      });
      expect(retired.body.status).toBe('retired');
      const listed = await call('GET', '/v1/people/enver-bekirov/photos', { key: keys.submitter });
      expect(listed.body.photos.map((listedPhoto: { status: string }) => listedPhoto.status)).toEqual(['retired']);
    });
  });

  describe('bad input: a clear 4xx with a code, and no other check lost', () => {
    let goodCheck: string;
    const jpeg = () => readFile(lfwPhoto('tony-blair', 3));

    beforeAll(async () => {
      const response = await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(await jpeg(), { names: 'Tony Blair' }) });
      expect(response.status).toBe(202);
      goodCheck = response.body.id;
    });

    it('a corrupt image: 422 IMAGE_CORRUPT', async () => {
      const bytes = await jpeg();
      expect(await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(bytes.subarray(0, bytes.length / 2)) })).toMatchObject(
        { status: 422, body: { error: { code: 'IMAGE_CORRUPT' } } },
      );
    });

    it('a file that is not an image, whatever its name: 415 IMAGE_UNSUPPORTED', async () => {
      // A ZIP archive named like a photo.
      const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('a handout.docx, not a photo')]);
      expect(await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(zip, {}, 'handout.jpg') })).toMatchObject({
        status: 415,
        body: { error: { code: 'IMAGE_UNSUPPORTED' } },
      });
    });

    it('a PDF that is only its first line, whatever its name: 422 PDF_CORRUPT (PDFs are taken, damaged ones are refused)', async () => {
      expect(
        await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(Buffer.from('%PDF-1.4 a handout'), {}, 'handout.jpg') }),
      ).toMatchObject({ status: 422, body: { error: { code: 'PDF_CORRUPT' } } });
    });

    it('an empty upload: 400 IMAGE_EMPTY; no file at all: 400 VALIDATION', async () => {
      expect(await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(Buffer.alloc(0)) })).toMatchObject({
        status: 400,
        body: { error: { code: 'IMAGE_EMPTY' } },
      });
      const form = new FormData();
      form.append('names', 'Tony Blair');
      expect(await call('POST', '/v1/checks', { key: keys.submitter, form })).toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION' } },
      });
    });

    it('a decompression bomb (a small file of too many pixels): 413 IMAGE_TOO_LARGE, refused before decoding', async () => {
      const bomb = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#000000' } })
        .png({ compressionLevel: 9 })
        .toBuffer();
      expect(bomb.length).toBeLessThan(300 * 1024);
      expect(await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(bomb, {}, 'bomb.png') })).toMatchObject({
        status: 413,
        body: { error: { code: 'IMAGE_TOO_LARGE' } },
      });
    });

    it('an upload over the size limit: 413 FILE_TOO_LARGE; so is an oversized JSON body', async () => {
      expect(await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(Buffer.alloc(400 * 1024, 1)) })).toMatchObject({
        status: 413,
        body: { error: { code: 'FILE_TOO_LARGE' } },
      });
      expect(await call('POST', '/v1/people', { key: keys.curator, json: { name: 'x'.repeat(20_000) } })).toMatchObject({
        status: 413,
        body: { error: { code: 'FILE_TOO_LARGE' } },
      });
    });

    it('malformed JSON or fields: 400 VALIDATION naming the problem', async () => {
      expect(await call('POST', '/v1/people', { key: keys.curator, raw: '{"name": ' })).toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION' } },
      });
      const missingName = await call('POST', '/v1/people', { key: keys.curator, json: { aliases: ['x'] } });
      expect(missingName).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
      expect(missingName.body.error.message).toMatch(/name/);
      expect(
        await call('POST', '/v1/checks', { key: keys.submitter, form: imageForm(await jpeg(), { claims: '[{"text": 3}]' }) }),
      ).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
    });

    it('an unknown id or route: 404 NOT_FOUND', async () => {
      expect(await call('GET', '/v1/checks/7d3c2b7e-3f5e-4c43-9d61-1df1c1a3b111')).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
      expect(await call('GET', '/v1/checks/not-an-id')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      expect(await call('GET', '/v1/batches/7d3c2b7e-3f5e-4c43-9d61-1df1c1a3b111')).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
      expect(await call('GET', '/v1/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    });

    it("records a reviewer's decision on the check and in the audit log; a submitter may not decide", async () => {
      expect(
        await call('POST', `/v1/checks/${goodCheck}/review`, { key: keys.submitter, json: { decision: 'photo_wrong' } }),
      ).toMatchObject({ status: 403 });
      const reviewed = await call('POST', `/v1/checks/${goodCheck}/review`, {
        key: keys.reviewer,
        json: { decision: 'needs_follow_up', note: 'ask the designer for the source' },
      });
      expect(reviewed).toMatchObject({
        status: 200,
        body: { review: { decision: 'needs_follow_up', note: 'ask the designer for the source' } },
      });
      const audit = await call('GET', `/v1/audit?subject=check:${goodCheck}`, { key: keys.reviewer });
      expect(audit.body.entries).toMatchObject([
        { action: 'check.reviewed', details: { decision: 'needs_follow_up', note: 'ask the designer for the source' } },
      ]);
      expect(audit.body.entries[0].actor).toEqual(expect.any(String));
    });

    it('after all of them the good check is still stored, still queued, and the API still answers', async () => {
      const check = await call('GET', `/v1/checks/${goodCheck}`, { key: keys.reviewer });
      expect(check.body).toMatchObject({
        status: 'queued',
        claims: [{ text: 'Tony Blair' }],
        result: null,
        review: { decision: 'needs_follow_up' },
      });
      expect(await queues.checks.getJob(goodCheck)).toMatchObject({ data: { checkId: goodCheck } });
      const { rows } = await pool.query<{ count: number }>('select count(*)::int as count from checks');
      expect(rows[0].count).toBe(1);
      expect((await call('GET', '/healthz', { key: null })).status).toBe(200);
    });
  });

  describe('batches', () => {
    it('takes several images at once and reports progress and summary', async () => {
      const batch = await call('POST', '/v1/batches', {
        key: keys.submitter,
        json: { name: 'press kit', category: 'crimean-political-prisoner' },
      });
      expect(batch).toMatchObject({ status: 201, body: { status: 'open', progress: { total: 0 } } });
      const form = imageForm(await readFile(lfwPhoto('colin-powell', 9)), {}, 'a.jpg');
      form.append('image', new Blob([new Uint8Array(await readFile(lfwPhoto('vladimir-putin', 3)))]), 'b.jpg');
      const added = await call('POST', `/v1/batches/${batch.body.id}/checks`, { key: keys.submitter, form });
      expect(added.status).toBe(202);
      expect(added.body.checks.map((check: { file: string }) => check.file)).toEqual(['a.jpg', 'b.jpg']);
      const closed = await call('POST', `/v1/batches/${batch.body.id}/close`, { key: keys.submitter });
      expect(closed.body).toMatchObject({ status: 'running', progress: { total: 2, queued: 2 }, summary: { images: 2, faces: 0 } });
      const listed = await call('GET', `/v1/checks?batch=${batch.body.id}`, { key: keys.reviewer });
      expect(listed.body.total).toBe(2);
      const late = await call('POST', `/v1/batches/${batch.body.id}/checks`, {
        key: keys.submitter,
        form: imageForm(await readFile(lfwPhoto('tony-blair', 3))),
      });
      expect(late).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    });
  });

  describe('operations', () => {
    it('is not ready without a worker that has its models loaded, and says so', async () => {
      const ready = await call('GET', '/readyz', { key: null });
      expect(ready.status).toBe(503);
      expect(ready.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(ready.body.checks).toMatchObject({ database: 'ok', redis: 'ok', models: 'no worker with models loaded' });
    });

    it('exposes Prometheus metrics: queue depth and check counts', async () => {
      const response = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${keys.reviewer}` } });
      const text = await response.text();
      exchanges.push({
        method: 'GET',
        path: '/metrics',
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: text,
      });
      expect(text).toMatch(/photo_verify_queue_jobs\{queue="checks",state="waiting"\} [1-9]/);
      expect(text).toMatch(/photo_verify_checks\{status="queued"\} [1-9]/);
      expect(text).toContain('# TYPE photo_verify_job_duration_seconds histogram');
    });

    it('describes every route it serves in /openapi.json, and nothing else', async () => {
      const document = (await call('GET', '/openapi.json', { key: null })).body;
      const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      const served = api.modules
        .flatMap((module) => routesOf(module.prefix, module.router))
        .map((route) => `${route.method.toUpperCase()} ${route.path}`)
        .sort();
      expect(served.length).toBeGreaterThan(20);
      expect(documented).toEqual(served);
    });

    it("documents each route's parameters, bodies and answers with the schemas the route validates with", async () => {
      const document = (await call('GET', '/openapi.json', { key: null })).body;
      expect(requestAndResponseDrift(document, allRoutes)).toEqual([]);
    });

    // Last: it looks at the answers of every test above.
    it('answered every request of these tests as the document says for its route and status', async () => {
      const document = (await call('GET', '/openapi.json', { key: null })).body;
      expect(exchanges.length).toBeGreaterThan(40);
      expect(new Set(exchanges.map((exchange) => exchange.status)).size).toBeGreaterThan(8);
      expect(responseDrift(document, allRoutes, exchanges)).toEqual([]);
    });
  });
});
