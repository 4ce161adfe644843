import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { lfwPhoto } from '../helpers/fixtures.js';
import { type ChildService, createKey, dropQueues, startProcess, testEnvironment, waitForCheck } from '../helpers/service.js';

/**
 * The bad-input corpus: every kind of input an attacker or a broken client sends, against a
 * running API and worker on real PostgreSQL and Redis. Each is answered with a coded 4xx (never a
 * 500), and afterwards a good check still completes.
 */
describe('bad input is refused with a coded error, and the service goes on working', () => {
  let pool: pg.Pool;
  let api: ChildService;
  let worker: ChildService;
  let base: string;
  let env: Record<string, string>;
  const keys: Record<'admin' | 'submitter' | 'reviewer' | 'curator', string> = { admin: '', submitter: '', reviewer: '', curator: '' };
  let photo: Buffer;
  let checkId: string;
  let batchId: string;

  type Answer = { status: number; code: string | undefined; retryAfter: string | null; body: Record<string, unknown> };
  const send = async (
    method: string,
    path: string,
    init: { key?: keyof typeof keys; json?: unknown; raw?: string; form?: FormData; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${keys[init.key ?? 'admin']}`, ...init.headers };
    let body: string | FormData | undefined = init.form;
    if (init.json !== undefined) body = JSON.stringify(init.json);
    if (init.raw !== undefined) body = init.raw;
    if (init.json !== undefined || init.raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(base + path, { method, headers, body });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    return {
      status: response.status,
      code: (parsed.error as { code?: string } | undefined)?.code,
      retryAfter: response.headers.get('retry-after'),
      body: parsed,
    };
  };
  const upload = (
    fields: Record<string, string | string[]>,
    files: Array<{ bytes: Buffer; name: string }> = [{ bytes: photo, name: 'photo.jpg' }],
  ) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) form.append(name, item);
    for (const file of files) form.append('image', new Blob([new Uint8Array(file.bytes)]), file.name);
    return form;
  };

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    for (const role of Object.keys(keys) as Array<keyof typeof keys>) keys[role] = await createKey(pool, role);
    env = await testEnvironment({ MAX_REQUEST_BYTES: String(2 * 1024 * 1024) });
    api = startProcess('src/api/main.ts', env);
    worker = startProcess('workers/worker.ts', env);
    base = `http://127.0.0.1:${/port (\d+)/.exec(await api.waitFor(/API listening on port \d+/))![1]}`;
    await worker.waitFor(/worker ready/);
    photo = await readFile(lfwPhoto('colin-powell', 9));
    const check = await send('POST', '/v1/checks', { key: 'submitter', form: upload({}) });
    checkId = check.body.id as string;
    batchId = (await send('POST', '/v1/batches', { key: 'submitter', json: { name: 'corpus' } })).body.id as string;
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    if (env) await dropQueues(env);
    await pool?.end();
  });

  const nul = 'a\u0000b';
  const textCases: Array<[string, () => Promise<Answer>]> = [
    ['a NUL in a search', () => send('GET', '/v1/people?search=%00')],
    ['a NUL in a person id in the path', () => send('GET', '/v1/people/%00')],
    ['a NUL in a check id in the path', () => send('GET', '/v1/checks/%00')],
    ["a NUL in a person's name", () => send('POST', '/v1/people', { key: 'curator', json: { name: nul } })],
    ["a NUL in a person's notes", () => send('POST', '/v1/people', { key: 'curator', json: { name: 'Enver Bekirov', notes: nul } })],
    ['a NUL in an alias', () => send('POST', '/v1/people', { key: 'curator', json: { name: 'Enver Bekirov', aliases: [nul] } })],
    ["a NUL in a batch's name", () => send('POST', '/v1/batches', { key: 'submitter', json: { name: nul } })],
    [
      "a NUL in a webhook's description",
      () => send('POST', '/v1/webhooks', { json: { url: 'https://example.org/hook', description: nul, events: ['check.flagged'] } }),
    ],
    [
      'a NUL in a review note',
      () => send('POST', `/v1/checks/${checkId}/review`, { key: 'reviewer', json: { decision: 'photo_correct', note: nul } }),
    ],
    [
      "a NUL in a check's names",
      () => send('POST', '/v1/checks', { key: 'submitter', form: upload({ names: JSON.stringify(['Colin Powell', nul]) }) }),
    ],
    ["a NUL in a check's category", () => send('POST', '/v1/checks', { key: 'submitter', form: upload({ category: nul }) })],
    ['a lone surrogate in JSON', () => send('POST', '/v1/people', { key: 'curator', raw: '{"name":"Enver \\ud800 Bekirov"}' })],
  ];
  it.each(textCases)('%s: 400 VALIDATION naming the field', async (_name, request) => {
    const answer = await request();
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION' });
    expect(String((answer.body.error as { message: string }).message)).toMatch(/NUL|surrogate/);
  });

  it("a NUL in an uploaded file's name: 400 VALIDATION (the multipart header itself is refused)", async () => {
    const answer = await send('POST', '/v1/checks', { key: 'submitter', form: upload({}, [{ bytes: photo, name: 'a\u0000.jpg' }]) });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION' });
  });

  it('5,000 names in one check: 400 VALIDATION, the limit of names named', async () => {
    const names = Array.from({ length: 5_000 }, (_, index) => `Name ${index}`).join('\n');
    const answer = await send('POST', '/v1/checks', { key: 'submitter', form: upload({ names }) });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION' });
    expect(String((answer.body.error as { message: string }).message)).toMatch(/at most 500 names/);
  });

  it('100,000 names (1 MiB) in one check: 400 VALIDATION, refused while the field streams in', async () => {
    const names = Array.from({ length: 100_000 }, (_, index) => `Name ${index}`).join('\n');
    const answer = await send('POST', '/v1/checks', { key: 'submitter', form: upload({ names }) });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION' });
    expect(String((answer.body.error as { message: string }).message)).toMatch(/longer than 256 KiB/);
  });

  it('a name of 1,000 characters: 400 VALIDATION', async () => {
    const answer = await send('POST', '/v1/checks', { key: 'submitter', form: upload({ names: 'x'.repeat(1000) }) });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION' });
  });

  it('a batch upload larger than the request limit: 413 FILE_TOO_LARGE before it is read', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    const answer = await send('POST', `/v1/batches/${batchId}/checks`, {
      key: 'submitter',
      form: upload({}, [{ bytes: big, name: 'big.jpg' }]),
    });
    expect(answer).toMatchObject({ status: 413, code: 'FILE_TOO_LARGE' });
  });

  it('21 images in one batch request: 400 VALIDATION', async () => {
    const files = Array.from({ length: 21 }, (_, index) => ({ bytes: Buffer.from('tiny'), name: `f${index}.jpg` }));
    const answer = await send('POST', `/v1/batches/${batchId}/checks`, { key: 'submitter', form: upload({}, files) });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION' });
  });

  const polyglots: Array<[string, Buffer, number, string]> = [
    [
      'an SVG carrying a script',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      415,
      'IMAGE_UNSUPPORTED',
    ],
    [
      'an HTML page named .jpg',
      Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'),
      415,
      'IMAGE_UNSUPPORTED',
    ],
    [
      'a JPEG header followed by a script',
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('<script>alert(1)</script>')]),
      422,
      'IMAGE_CORRUPT',
    ],
    ['an empty file', Buffer.alloc(0), 400, 'IMAGE_EMPTY'],
  ];
  it.each(polyglots)('%s: %i %s', async (_name, bytes, status, code) => {
    const answer = await send('POST', '/v1/checks', { key: 'submitter', form: upload({}, [{ bytes, name: 'photo.jpg' }]) });
    expect(answer).toMatchObject({ status, code });
  });

  it('a batch upload with one bad image among good ones adds none of them (all or none)', async () => {
    const answer = await send('POST', `/v1/batches/${batchId}/checks`, {
      key: 'submitter',
      form: upload({}, [
        { bytes: photo, name: 'good.jpg' },
        { bytes: Buffer.from('not an image'), name: 'bad.jpg' },
      ]),
    });
    expect(answer).toMatchObject({ status: 415, code: 'IMAGE_UNSUPPORTED' });
    const { rows } = await pool.query('select count(*)::int as count from checks where batch_id = $1', [batchId]);
    expect(rows[0].count).toBe(0);
  });

  it('an upload sent again with the same Idempotency-Key returns the same check; the key with another image is a 409', async () => {
    const headers = { 'idempotency-key': 'corpus-upload-1' };
    const first = await send('POST', '/v1/checks', { key: 'submitter', form: upload({ names: 'Colin Powell' }), headers });
    const again = await send('POST', '/v1/checks', { key: 'submitter', form: upload({ names: 'Colin Powell' }), headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const other = await send('POST', '/v1/checks', {
      key: 'submitter',
      form: upload({ names: 'Colin Powell' }, [{ bytes: await readFile(lfwPhoto('tony-blair', 3)), name: 'other.jpg' }]),
      headers,
    });
    expect(other).toMatchObject({ status: 409, code: 'CONFLICT' });
    const bad = await send('POST', '/v1/checks', { key: 'submitter', form: upload({}), headers: { 'idempotency-key': 'has space' } });
    expect(bad).toMatchObject({ status: 400, code: 'VALIDATION' });
  });

  it('after all of it, a good check still completes with its verdict', async () => {
    const answer = await send('POST', '/v1/checks', { key: 'submitter', form: upload({ names: 'Colin Powell' }) });
    expect(answer.status).toBe(202);
    const done = await waitForCheck(base, keys.submitter, answer.body.id as string);
    expect(done.status).toBe('done');
    expect(done.result.faces).toHaveLength(1);
    expect(api.output()).not.toMatch(/"level":"error"/);
  });
});
