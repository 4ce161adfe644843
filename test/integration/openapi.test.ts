/**
 * The OpenAPI document against the route declarations and against real answers: the document's
 * request and answer schemas must be z.toJSONSchema of the schemas the routes validate with and
 * declare, and answers from a running API on real PostgreSQL and Redis must parse with the schema
 * documented for their status. The API tests (api.test.ts, webhooks-api.test.ts) check their own
 * answers the same way; this file covers the routes they do not reach, and shows that drift fails.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../src/api/openapi.js';
import type { Route } from '../../src/api/route.js';
import { allRoutes } from '../../src/api/routes/index.js';
import { type RunningApi, startApi } from '../../src/api/server.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { lfwPhoto } from '../helpers/fixtures.js';
import { type Exchange, requestAndResponseDrift, responseDrift, routeFor } from '../helpers/openapi.js';
import { createKey, dropQueues, testConfig, testEnvironment } from '../helpers/service.js';

type Document = Parameters<typeof requestAndResponseDrift>[0];
const documentOf = (routes: readonly Route[]) => openApiDocument(routes, '1') as unknown as Document;
const copy = <T>(value: T): T => structuredClone(value);

/** The routes with one of them changed. */
function changed(method: string, path: string, change: (route: Route) => Route): Route[] {
  const target = routeFor(allRoutes, method, path)!;
  expect(target, `${method} ${path} is declared`).toBeDefined();
  return allRoutes.map((route) => (route === target ? change(route) : route));
}

describe('the OpenAPI document, generated from the route declarations', () => {
  it('describes every route with the schemas it validates with and answers with', () => {
    expect(allRoutes.length).toBeGreaterThan(25);
    expect(requestAndResponseDrift(documentOf(allRoutes), allRoutes)).toEqual([]);
  });

  it('documents every multipart upload with its image field, and every route with an answer', () => {
    const document = documentOf(allRoutes);
    for (const route of allRoutes.filter((declared) => declared.body?.upload)) {
      const operation = document.paths[route.path.replace(/:(\w+)/g, '{$1}')][route.method] as {
        requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
      };
      expect(Object.keys(operation.requestBody.content)).toEqual(['multipart/form-data']);
      expect(operation.requestBody.content['multipart/form-data'].schema.properties.image).toMatchObject({ type: expect.any(String) });
    }
    expect(allRoutes.filter((route) => !Object.keys(route.responses).some((status) => Number(status) < 300))).toEqual([]);
  });

  describe('fails when the document and the routes drift apart', () => {
    const documented = documentOf(allRoutes);

    it('a route validating a body the document does not show', () => {
      const routes = changed('POST', '/v1/people', (route) => ({
        ...route,
        body: { ...route.body!, schema: (route.body!.schema as z.ZodObject).extend({ nickname: z.string() }) },
      }));
      expect(requestAndResponseDrift(documented, routes)).toEqual([expect.stringMatching(/^POST \/v1\/people JSON request body: /)]);
    });

    it('a query parameter added, or its limits changed', () => {
      const added = changed('GET', '/v1/checks', (route) => ({ ...route, query: route.query!.extend({ file: z.string().optional() }) }));
      expect(requestAndResponseDrift(documented, added)).toEqual([expect.stringMatching(/^GET \/v1\/checks query parameters: /)]);
      const limits = changed('GET', '/v1/people', (route) => ({
        ...route,
        query: route.query!.extend({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      }));
      expect(requestAndResponseDrift(documented, limits)).toEqual([expect.stringMatching(/^GET \/v1\/people query parameter limit: /)]);
    });

    it('a path parameter the schema does not declare', () => {
      const routes = changed('GET', '/v1/people/x', (route) => ({ ...route, params: z.object({ id: z.string() }) }));
      expect(requestAndResponseDrift(documented, routes).length).toBeGreaterThan(0);
    });

    it('a multipart field added to the upload', () => {
      const routes = changed('POST', '/v1/checks', (route) => ({
        ...route,
        body: { ...route.body!, schema: (route.body!.schema as z.ZodObject).extend({ region: z.string().optional() }) },
      }));
      expect(requestAndResponseDrift(documented, routes)).toEqual([expect.stringMatching(/^POST \/v1\/checks multipart fields: /)]);
    });

    it('an answer schema or status changed', () => {
      const schema = changed('GET', '/v1/batches/x', (route) => ({
        ...route,
        responses: { 200: { ...route.responses[200], schema: z.strictObject({ id: z.string() }) } },
      }));
      expect(requestAndResponseDrift(documented, schema)).toEqual([
        expect.stringMatching(/^GET \/v1\/batches\/:batchId 200 answer schema: /),
      ]);
      const status = changed('DELETE', '/v1/people/x', (route) => ({ ...route, responses: { 200: { description: 'Deleted' } } }));
      expect(requestAndResponseDrift(documented, status)).toEqual([
        expect.stringMatching(/^DELETE \/v1\/people\/:personId answer statuses: /),
      ]);
    });

    it('a document edited by hand', () => {
      const edited = copy(documented);
      (edited.paths['/v1/audit'].get.parameters as Array<{ name: string }>).pop();
      (edited.components.schemas.Error as { required: string[] }).required = [];
      const problems = requestAndResponseDrift(edited, allRoutes);
      expect(problems).toEqual([
        expect.stringMatching(/^components\.schemas\.Error: /),
        expect.stringMatching(/^GET \/v1\/audit query parameters: /),
      ]);
    });

    it('an answer that does not match its documented schema, or a status the document does not list', () => {
      const person = {
        id: 'enver-bekirov',
        name: 'Enver Bekirov',
        aliases: [],
        category: null,
        region: null,
        status: null,
        notes: null,
        createdAt: '2026-01-01T00:00:00+00:00',
        updatedAt: '2026-01-01T00:00:00+00:00',
      };
      const answer = (status: number, body: unknown, path = '/v1/people/enver-bekirov'): Exchange => ({
        method: 'GET',
        path,
        status,
        contentType: 'application/json; charset=utf-8',
        body,
      });
      expect(
        responseDrift(documented, allRoutes, [answer(200, person), answer(404, { error: { code: 'NOT_FOUND', message: 'no' } })]),
      ).toEqual([]);
      const { notes: _notes, ...withoutNotes } = person;
      expect(responseDrift(documented, allRoutes, [answer(200, withoutNotes)])).toEqual([expect.stringMatching(/notes/)]);
      expect(responseDrift(documented, allRoutes, [answer(200, { ...person, nickname: 'x' })])).toEqual([
        expect.stringMatching(/nickname/),
      ]);
      expect(responseDrift(documented, allRoutes, [answer(201, person)])).toEqual([expect.stringMatching(/lists no such answer/)]);
      expect(responseDrift(documented, allRoutes, [answer(404, { error: { code: 'GONE', message: 'no' } })])).toEqual([
        expect.stringMatching(/error\.code/),
      ]);
      expect(responseDrift(documented, allRoutes, [{ ...answer(200, 'x', '/metrics'), contentType: 'application/json' }])).toEqual([
        expect.stringMatching(/answered application\/json, documented text\/plain/),
      ]);
    });
  });

  describe('answers of a running API on PostgreSQL and Redis, for the routes the API tests do not reach', () => {
    let pool: pg.Pool;
    let api: RunningApi;
    let env: Record<string, string>;
    const keys: Record<string, string> = {};
    const exchanges: Exchange[] = [];

    const call = async (method: string, path: string, options: { key?: string; json?: unknown; form?: FormData } = {}) => {
      const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? keys.admin}` };
      if (options.json !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(api.url + path, {
        method,
        headers,
        body: options.form ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
      });
      const contentType = response.headers.get('content-type');
      const bytes = Buffer.from(await response.arrayBuffer());
      const body = contentType?.startsWith('application/json')
        ? JSON.parse(bytes.toString())
        : bytes.length
          ? bytes.toString('latin1')
          : null;
      exchanges.push({ method, path, status: response.status, contentType, body });
      return { status: response.status, body, contentType };
    };

    beforeAll(async () => {
      pool = await testDatabase();
      await emptyDatabase(pool);
      for (const role of ['admin', 'curator', 'reviewer'] as const) keys[role] = await createKey(pool, role);
      env = await testEnvironment();
      api = await startApi(testConfig(env));
    });
    afterAll(async () => {
      await api?.close();
      if (env) await dropQueues(env);
      await pool?.end();
    });

    it('answers as documented', async () => {
      await call('POST', '/v1/people', {
        key: keys.curator,
        json: { name: 'Enver Bekirov', aliases: ['Енвер Бекіров'], notes: 'court 2019' },
      });
      expect((await call('GET', '/v1/people/enver-bekirov')).status).toBe(200);
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(await readFile(lfwPhoto('colin-powell', 2)))]), 'court.jpg');
      form.append('box', JSON.stringify({ x: 10, y: 10, width: 100, height: 100 }));
      const photo = await call('POST', '/v1/people/enver-bekirov/photos?wait=0', { key: keys.curator, form });
      expect(photo.status).toBe(202);
      expect((await call('GET', `/v1/people/enver-bekirov/photos/${photo.body.id}`)).status).toBe(200);
      const image = await call('GET', `/v1/people/enver-bekirov/photos/${photo.body.id}/image`);
      expect(image).toMatchObject({ status: 200, contentType: 'image/jpeg' });
      expect((await call('GET', `/v1/people/enver-bekirov/photos/${photo.body.id}/image?x=1`, { key: 'pvk_unknown' })).status).toBe(401);
      expect((await call('GET', '/v1/registry', { key: keys.reviewer })).body).toMatchObject({
        people: 1,
        referencePhotos: { pending: 1 },
      });

      const draft = new FormData();
      draft.append('image', new Blob([new Uint8Array(await readFile(lfwPhoto('tony-blair', 3)))]), 'draft.jpg');
      draft.append('names', 'Tony Blair');
      const check = await call('POST', '/v1/checks', { form: draft });
      expect(check.status).toBe(202);
      expect((await call('GET', `/v1/checks/${check.body.id}/faces/1/evidence?format=jpeg`)).status).toBe(409);
      expect((await call('GET', `/v1/checks/${check.body.id}/faces/x/evidence`)).status).toBe(400);
      // Faces are counted from 1: there is no face 0.
      expect((await call('GET', `/v1/checks/${check.body.id}/faces/0/evidence`)).status).toBe(400);
      expect((await call('GET', '/v1/checks?flagged=maybe')).status).toBe(400);
      expect((await call('GET', '/v1/audit?subject=person:enver-bekirov&limit=2', { key: keys.reviewer })).body.entries).toHaveLength(2);
      expect((await call('POST', '/v1/batches', { json: { name: 'kit', colour: 'red' } })).status).toBe(400);

      const document = (await call('GET', '/openapi.json')).body;
      expect(requestAndResponseDrift(document, allRoutes)).toEqual([]);
      expect(responseDrift(document, allRoutes, exchanges)).toEqual([]);
    });
  });
});
