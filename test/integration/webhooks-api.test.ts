/**
 * The /v1/webhooks routes as an API user calls them, against the real API (in process), PostgreSQL,
 * Redis and the delivery worker, with a real receiver on loopback.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/api/routes/index.js';
import { type RunningApi, startApi } from '../../src/api/server.js';
import { createLog } from '../../src/runtime/log.js';
import { startWebhookDelivery } from '../../src/services/webhooks/delivery.js';
import { verify } from '../../src/services/webhooks/signing.js';
import { createStore } from '../../src/store/index.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { type Exchange, responseDrift } from '../helpers/openapi.js';
import { createKey, testConfig, testEnvironment } from '../helpers/service.js';
import { startTestReceiver, type TestReceiver } from '../helpers/webhook-receiver.js';

describe('the /v1/webhooks API', () => {
  let pool: pg.Pool;
  let api: RunningApi;
  let delivery: { close(): Promise<void> };
  let hooks: TestReceiver;
  const keys: Record<string, string> = {};
  /** Every answer these tests get, checked against the OpenAPI document at the end. */
  const exchanges: Exchange[] = [];

  const call = async (method: string, path: string, options: { key?: string; json?: unknown } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? keys.admin}` };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(api.url + path, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
    const text = await response.text();
    const answer = { status: response.status, body: text ? JSON.parse(text) : null };
    exchanges.push({ method, path, status: answer.status, contentType: response.headers.get('content-type'), body: answer.body });
    return answer;
  };

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    for (const role of ['admin', 'submitter', 'reviewer'] as const) keys[role] = await createKey(pool, role);
    const config = testConfig(
      await testEnvironment({
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_BACKOFF_BASE_MS: '250',
        WEBHOOK_MAX_ATTEMPTS: '2',
        WEBHOOK_TIMEOUT_MS: '1000',
      }),
    );
    api = await startApi(config);
    delivery = await startWebhookDelivery({
      config,
      store: createStore(pool),
      log: createLog('test', 'silent'),
      connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    });
    hooks = await startTestReceiver([{ status: 200 }]);
  });

  afterAll(async () => {
    await hooks?.close();
    await delivery?.close();
    await api?.close();
    await pool?.end();
  });

  it('registers an endpoint and shows its whsec_ secret once; listing and reading never show it', async () => {
    const created = await call('POST', '/v1/webhooks', {
      json: { url: hooks.url, events: ['check.flagged', 'batch.completed'], description: 'verification team' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: hooks.url,
      events: ['check.flagged', 'batch.completed'],
      description: 'verification team',
      enabled: true,
      disabledReason: null,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const read = await call('GET', `/v1/webhooks/${created.body.id}`, { key: keys.reviewer });
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    const listed = await call('GET', '/v1/webhooks');
    expect(listed.body.webhooks.map((endpoint: { id: string }) => endpoint.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
  });

  it('sends a test event that verifies with the secret, and logs the delivery with its attempt', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', { json: { url: hooks.url, events: ['check.flagged'] } });
    const sent = await call('POST', `/v1/webhooks/${endpoint.id}/test`, { key: keys.reviewer });
    expect(sent.status).toBe(202);
    const before = hooks.received.length;
    const received = await hooks.waitFor(before + 1);
    const request = received[before];
    expect(request.headers['webhook-id']).toBe(sent.body.deliveryId);
    expect(verify(endpoint.secret, request.headers, request.body)).toEqual({ ok: true });

    let log: Awaited<ReturnType<typeof call>> | undefined;
    for (let tries = 0; tries < 100; tries++) {
      log = await call('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { key: keys.reviewer });
      if (log.body.deliveries[0]?.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(log!.body.total).toBe(1);
    expect(log!.body.deliveries[0]).toMatchObject({
      id: sent.body.deliveryId,
      eventType: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
    });
    expect(log!.body.deliveries[0].attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, error: null, latencyMs: expect.any(Number), startedAt: expect.any(String) }),
    ]);
    const one = await call('GET', `/v1/webhooks/${endpoint.id}/deliveries/${sent.body.deliveryId}`, { key: keys.reviewer });
    expect(one.body.payload).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
  });

  it('disables and enables an endpoint, changes its events, and refuses event types it does not know', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', { json: { url: hooks.url, events: ['check.flagged'] } });
    expect((await call('PATCH', `/v1/webhooks/${endpoint.id}`, { json: { enabled: false } })).body.enabled).toBe(false);
    expect(await call('POST', `/v1/webhooks/${endpoint.id}/test`)).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    const enabled = await call('PATCH', `/v1/webhooks/${endpoint.id}`, {
      json: { enabled: true, events: ['check.failed', 'check.completed'] },
    });
    expect(enabled.body).toMatchObject({ enabled: true, events: ['check.failed', 'check.completed'] });
    expect(await call('PATCH', `/v1/webhooks/${endpoint.id}`, { json: { events: ['check.done'] } })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION' } },
    });
    expect(await call('POST', '/v1/webhooks', { json: { url: hooks.url, events: [] } })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION' } },
    });
    expect(await call('POST', '/v1/webhooks', { json: { url: 'ftp://example.org/', events: ['check.flagged'] } })).toMatchObject({
      status: 422,
      body: { error: { code: 'WEBHOOK_URL_REFUSED' } },
    });
  });

  it('rotates the secret: the new one is shown once and the old one still signs during the grace period', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', { json: { url: hooks.url, events: ['check.flagged'] } });
    const rotated = await call('POST', `/v1/webhooks/${endpoint.id}/rotate-secret`, { json: { gracePeriodSeconds: 600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(500_000);
    const before = hooks.received.length;
    await call('POST', `/v1/webhooks/${endpoint.id}/test`);
    const request = (await hooks.waitFor(before + 1))[before];
    expect(verify(endpoint.secret, request.headers, request.body).ok).toBe(true);
    expect(verify(rotated.body.secret, request.headers, request.body).ok).toBe(true);
  });

  it('redelivers a failed delivery on request, under the same webhook-id, and refuses to redeliver one that succeeded', async () => {
    const failing = await startTestReceiver([{ status: 503 }, { status: 503 }, { status: 200 }]);
    try {
      const { body: endpoint } = await call('POST', '/v1/webhooks', { json: { url: failing.url, events: ['check.flagged'] } });
      const { body: sent } = await call('POST', `/v1/webhooks/${endpoint.id}/test`);
      const ended = async (status: string) => {
        for (let tries = 0; tries < 200; tries++) {
          const one = await call('GET', `/v1/webhooks/${endpoint.id}/deliveries/${sent.deliveryId}`);
          if (one.body.status === status) return one.body;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`delivery ${sent.deliveryId} never became ${status}`);
      };
      expect(await ended('failed')).toMatchObject({ attempts: 2, lastStatusCode: 503 });
      expect((await call('GET', `/v1/webhooks/${endpoint.id}/deliveries?status=failed`, { key: keys.reviewer })).body.total).toBe(1);

      const redelivered = await call('POST', `/v1/webhooks/${endpoint.id}/deliveries/${sent.deliveryId}/redeliver`, { key: keys.reviewer });
      expect(redelivered).toMatchObject({ status: 202, body: { id: sent.deliveryId, status: 'pending' } });
      expect(await ended('succeeded')).toMatchObject({ attempts: 3, lastStatusCode: 200 });
      expect(failing.received.map((request) => request.headers['webhook-id'])).toEqual([sent.deliveryId, sent.deliveryId, sent.deliveryId]);
      expect(await call('POST', `/v1/webhooks/${endpoint.id}/deliveries/${sent.deliveryId}/redeliver`)).toMatchObject({
        status: 409,
        body: { error: { code: 'CONFLICT' } },
      });
    } finally {
      await failing.close();
    }
  });

  it('deletes an endpoint with its log; unknown ids are 404 and other roles are refused', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', { json: { url: hooks.url, events: ['check.flagged'] } });
    expect((await call('DELETE', `/v1/webhooks/${endpoint.id}`)).status).toBe(204);
    expect(await call('GET', `/v1/webhooks/${endpoint.id}`)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await call('GET', '/v1/webhooks/not-an-id/deliveries')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await call('POST', '/v1/webhooks', { key: keys.reviewer, json: { url: hooks.url, events: ['check.flagged'] } })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(await call('GET', '/v1/webhooks', { key: keys.submitter })).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
  });

  // Last: it looks at the answers of every test above.
  it('answered every request of these tests as the OpenAPI document says for its route and status', async () => {
    const document = await (await fetch(`${api.url}/openapi.json`)).json();
    expect(exchanges.length).toBeGreaterThan(20);
    expect(responseDrift(document, allRoutes, exchanges)).toEqual([]);
  });
});
