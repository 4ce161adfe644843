/**
 * Webhook delivery against real PostgreSQL, real Redis (BullMQ) and real HTTP receivers on loopback:
 * signatures, retries with one webhook-id, 410, timeouts, Retry-After, redirects, redelivery,
 * secret rotation and the private-address guard.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { ImageResult } from '../../src/domain/results.js';
import { createLog } from '../../src/runtime/log.js';
import { startWebhookDelivery } from '../../src/services/webhooks/delivery.js';
import { DeliveryProcessor } from '../../src/services/webhooks/processor.js';
import { createWebhooks, type Webhooks } from '../../src/services/webhooks/publisher.js';
import { sendWebhook } from '../../src/services/webhooks/sender.js';
import { WebhookService } from '../../src/services/webhooks/service.js';
import { verify } from '../../src/services/webhooks/signing.js';
import { createStore } from '../../src/store/index.js';
import type { WebhookRepository } from '../../src/store/webhooks.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { testConfig, testEnvironment } from '../helpers/service.js';
import { type Answer, startTestReceiver, type TestReceiver } from '../helpers/webhook-receiver.js';

let pool: pg.Pool;
let config: Config;
let webhooks: Webhooks;
let delivery: { close(): Promise<void> };
let repository: WebhookRepository;
const receivers: TestReceiver[] = [];
const log = createLog('test', 'silent');

beforeAll(async () => {
  pool = await testDatabase();
  await emptyDatabase(pool);
  config = testConfig(
    await testEnvironment({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_BASE_MS: '250',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_MAX_ATTEMPTS: '3',
      PUBLIC_URL: 'https://verify.example.org/',
    }),
  );
  const store = createStore(pool);
  webhooks = createWebhooks({ config, store, log });
  repository = store.webhooks;
  delivery = await startWebhookDelivery({ config, store, log, connection: { url: config.REDIS_URL, maxRetriesPerRequest: null } });
});

afterEach(async () => {
  // Each test's endpoints stop receiving, so that no test sees another's events.
  await pool.query('update webhook_endpoints set enabled = false');
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

afterAll(async () => {
  await delivery?.close();
  await webhooks?.close();
  await pool?.end();
});

async function receiver(answers: Answer[]): Promise<TestReceiver> {
  const started = await startTestReceiver(answers);
  receivers.push(started);
  return started;
}

function completedCheck(): { type: 'check.completed'; data: { checkId: string; batchId: null; result: ImageResult } } {
  return {
    type: 'check.completed',
    data: { checkId: randomUUID(), batchId: null, result: { file: 'draft.jpg', findings: [], faces: [], flagged: false } },
  };
}

/** Polls the delivery log until the endpoint's only delivery has ended. */
async function endedDelivery(endpointId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { deliveries } = await webhooks.service.deliveries(endpointId, { limit: 10, offset: 0 });
    if (deliveries.length === 1 && deliveries[0].status !== 'pending') return deliveries[0];
    if (Date.now() > deadline) throw new Error(`the delivery did not end: ${JSON.stringify(deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('webhook delivery', () => {
  it('a receiver that fails twice and then answers 200 gets three attempts with one webhook-id, each signed with the secret', async () => {
    const hooks = await receiver([{ status: 500 }, { status: 502 }, { status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    const event = completedCheck();
    await webhooks.publisher.publish(event);

    const received = await hooks.waitFor(3);
    const ended = await endedDelivery(endpoint.id);
    expect(ended.status).toBe('succeeded');
    expect(new Set(received.map((request) => request.headers['webhook-id']))).toEqual(new Set([ended.id]));
    expect(ended.id).toMatch(/^msg_[0-9a-f]{32}$/);
    for (const request of received) {
      expect(verify(endpoint.secret, request.headers, request.body)).toEqual({ ok: true });
      expect(request.headers['content-type']).toBe('application/json');
    }
    // The body is the same bytes every time, and it is the documented event.
    expect(new Set(received.map((request) => request.body.toString()))).toHaveProperty('size', 1);
    const payload = JSON.parse(received[0].body.toString());
    expect(payload).toMatchObject({
      type: 'check.completed',
      schemaVersion: 2,
      data: { check: { id: event.data.checkId, url: `https://verify.example.org/v1/checks/${event.data.checkId}` }, flagged: false },
    });
    expect(payload.id).toMatch(/^evt_/);
    expect(ended.attemptLog.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 502, 'HTTP 502'],
      [3, 200, null],
    ]);
    for (const attempt of ended.attemptLog) {
      expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
      expect(attempt.endedAt).not.toBeNull();
    }
    expect(ended.attemptLog[0].response).toBe('receiver says no');
  });

  it('410 Gone disables the endpoint, and later events are not sent to it', async () => {
    const hooks = await receiver([{ status: 410 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    await webhooks.publisher.publish(completedCheck());
    const ended = await endedDelivery(endpoint.id);
    expect(ended).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    const disabled = await webhooks.service.get(endpoint.id);
    expect(disabled.enabled).toBe(false);
    expect(disabled.disabledReason).toMatch(/^the receiver answered 410 Gone/);

    await webhooks.publisher.publish(completedCheck());
    const { total } = await webhooks.service.deliveries(endpoint.id, { limit: 10, offset: 0 });
    expect(total).toBe(1);
    expect(hooks.received).toHaveLength(1);
  });

  it('a receiver that hangs is timed out and the event retried', async () => {
    const hooks = await receiver(['hang', { status: 204 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    await webhooks.publisher.publish(completedCheck());
    const ended = await endedDelivery(endpoint.id);
    expect(ended.status).toBe('succeeded');
    expect(ended.attemptLog.map((attempt) => [attempt.statusCode, attempt.error])).toEqual([
      [null, 'no answer within 1000 ms'],
      [204, null],
    ]);
    expect(hooks.received[0].headers['webhook-id']).toBe(hooks.received[1].headers['webhook-id']);
  });

  it('times out a receiver that answers 200 but never finishes its body: success needs the whole answer in time', async () => {
    const trickle = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => response.write('.'), 100);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = trickle.address() as AddressInfo;
      const outcome = await sendWebhook(
        { url: `http://127.0.0.1:${port}/`, headers: {}, body: Buffer.from('{}') },
        { timeoutMs: 600, allowPrivate: true },
      );
      expect(outcome).toMatchObject({ ok: false, statusCode: null, error: 'no answer within 600 ms', refused: false });
    } finally {
      trickle.closeAllConnections();
      await new Promise((resolve) => trickle.close(resolve));
    }
  });

  it('honours Retry-After: the next attempt waits as long as the receiver asked', async () => {
    const hooks = await receiver([{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    await webhooks.publisher.publish(completedCheck());
    const ended = await endedDelivery(endpoint.id);
    expect(ended.status).toBe('succeeded');
    const [first, second] = hooks.received;
    // The backoff alone would retry after about 250 ms; Retry-After asked for 2 s.
    expect(second.at - first.at).toBeGreaterThanOrEqual(2_000);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const target = await receiver([{ status: 200 }]);
    const hooks = await receiver([{ status: 307, headers: { location: target.url } }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    await webhooks.publisher.publish(completedCheck());
    const ended = await endedDelivery(endpoint.id);
    expect(ended.status).toBe('failed');
    expect(ended.attemptLog).toHaveLength(3);
    expect(ended.attemptLog[0]).toMatchObject({ statusCode: 307, error: `redirect to ${target.url} not followed` });
    expect(target.received).toHaveLength(0);
  });

  it('marks a delivery failed after its last attempt, and a redelivery sends it again under the same webhook-id', async () => {
    const hooks = await receiver([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    await webhooks.publisher.publish(completedCheck());
    const failed = await endedDelivery(endpoint.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500 });

    await webhooks.service.redeliver(endpoint.id, failed.id);
    await hooks.waitFor(4);
    const redelivered = await endedDelivery(endpoint.id);
    expect(redelivered).toMatchObject({ id: failed.id, status: 'succeeded', attempts: 4, lastStatusCode: 200 });
    expect(hooks.received.map((request) => request.headers['webhook-id'])).toEqual([failed.id, failed.id, failed.id, failed.id]);
    await expect(webhooks.service.redeliver(endpoint.id, failed.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('signs with both secrets during a rotation, and with the new one alone after a rotation without grace', async () => {
    const hooks = await receiver([{ status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    const rotated = await webhooks.service.rotateSecret(endpoint.id, 3600);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    await webhooks.publisher.publish(completedCheck());
    const [during] = await hooks.waitFor(1);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(endpoint.secret, during.headers, during.body).ok).toBe(true);
    expect(verify(rotated.secret, during.headers, during.body).ok).toBe(true);

    const again = await webhooks.service.rotateSecret(endpoint.id, 0);
    expect(again.previousSecretExpiresAt).toBeNull();
    await webhooks.publisher.publish(completedCheck());
    const [, after] = await hooks.waitFor(2);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(again.secret, after.headers, after.body).ok).toBe(true);
    expect(verify(rotated.secret, after.headers, after.body).ok).toBe(false);
  });

  it('delivers an event only to enabled endpoints subscribed to its type, and the same event published twice once', async () => {
    const subscribed = await receiver([{ status: 200 }]);
    const other = await receiver([{ status: 200 }]);
    const paused = await receiver([{ status: 200 }]);
    const wanted = await webhooks.service.create({ url: subscribed.url, events: ['check.failed', 'check.completed'] });
    await webhooks.service.create({ url: other.url, events: ['batch.completed'] });
    const off = await webhooks.service.create({ url: paused.url, events: ['check.completed'] });
    await webhooks.service.update(off.id, { enabled: false });

    const event = completedCheck();
    await webhooks.publisher.publish(event);
    await webhooks.publisher.publish(event);
    await endedDelivery(wanted.id);
    // A later event, so that anything wrongly queued has had its chance to arrive.
    await webhooks.publisher.publish({
      type: 'check.failed',
      data: {
        checkId: randomUUID(),
        batchId: null,
        result: { file: 'x.jpg', findings: [], faces: [], flagged: true, error: { code: 'IMAGE_CORRUPT', message: 'truncated' } },
      },
    });
    const received = await subscribed.waitFor(2);
    expect(received.map((request) => JSON.parse(request.body.toString()).type)).toEqual(['check.completed', 'check.failed']);
    expect(JSON.parse(received[1].body.toString()).data.error).toEqual({ code: 'IMAGE_CORRUPT', message: 'truncated' });
    expect(other.received).toHaveLength(0);
    expect(paused.received).toHaveLength(0);
  });

  it('sends a delivery that was recorded but never queued (Redis was down) once a delivery worker starts', async () => {
    const hooks = await receiver([{ status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    const [deliveryId] = await repository.recordEvent(
      { id: `evt_${randomUUID().replaceAll('-', '')}`, type: 'check.completed', body: '{"type":"check.completed"}' },
      endpoint.id,
    );
    expect(hooks.received).toHaveLength(0);
    const another = await startWebhookDelivery({
      config,
      store: createStore(pool),
      log,
      connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    });
    try {
      const [request] = await hooks.waitFor(1);
      expect(request.headers['webhook-id']).toBe(deliveryId);
      expect((await endedDelivery(endpoint.id)).status).toBe('succeeded');
    } finally {
      await another.close();
    }
  });

  it('sends a test event to one endpoint on request', async () => {
    const hooks = await receiver([{ status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['batch.completed'], description: 'team inbox' });
    const { deliveryId } = await webhooks.service.sendTest(endpoint.id);
    const [request] = await hooks.waitFor(1);
    expect(request.headers['webhook-id']).toBe(deliveryId);
    expect(JSON.parse(request.body.toString())).toMatchObject({
      type: 'webhook.test',
      schemaVersion: 2,
      data: { endpointId: endpoint.id },
    });
    expect(verify(endpoint.secret, request.headers, request.body).ok).toBe(true);
  });
});

describe('private addresses', () => {
  const guarded = () => new WebhookService(repository, { enqueue: async () => undefined }, { allowPrivate: false });

  it.each([
    'http://127.0.0.1:9/hooks',
    'http://localhost:9/hooks',
    'http://[::1]:9/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.5/',
    'http://0.0.0.0/',
  ])('refuses to register %s unless WEBHOOK_ALLOW_PRIVATE is set', async (url) => {
    await expect(guarded().create({ url, events: ['check.flagged'] })).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
  });

  it('refuses other schemes and credentials in the URL whatever the setting', async () => {
    await expect(webhooks.service.create({ url: 'file:///etc/passwd', events: ['check.flagged'] })).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
    });
    await expect(webhooks.service.create({ url: 'http://user:pw@127.0.0.1/', events: ['check.flagged'] })).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
    });
    await expect(webhooks.service.create({ url: 'not a url', events: ['check.flagged'] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(webhooks.service.create({ url: 'http://127.0.0.1/', events: ['check.done'] })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('checks the address actually connected to: a host name resolving to loopback is refused at delivery time', async () => {
    const hooks = await receiver([{ status: 200 }]);
    const byName = hooks.url.replace('127.0.0.1', 'localhost');
    const body = Buffer.from('{}');
    const refused = await sendWebhook({ url: byName, headers: {}, body }, { timeoutMs: 1000, allowPrivate: false });
    expect(refused).toMatchObject({ ok: false, refused: true, statusCode: null });
    expect(refused.error).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    const literal = await sendWebhook({ url: hooks.url, headers: {}, body }, { timeoutMs: 1000, allowPrivate: false });
    expect(literal).toMatchObject({ ok: false, refused: true });
    expect(hooks.received).toHaveLength(0);

    const allowed = await sendWebhook({ url: hooks.url, headers: {}, body }, { timeoutMs: 1000, allowPrivate: true });
    expect(allowed).toMatchObject({ ok: true, statusCode: 200 });
    expect(hooks.received).toHaveLength(1);
  });

  it('an endpoint registered while private addresses were allowed fails without retries once they are not', async () => {
    const hooks = await receiver([{ status: 200 }]);
    const endpoint = await webhooks.service.create({ url: hooks.url.replace('127.0.0.1', 'localhost'), events: ['check.completed'] });
    await webhooks.service.update(endpoint.id, { enabled: false });
    const [deliveryId] = await repository.recordEvent({ id: `evt_${randomUUID()}`, type: 'check.completed', body: '{}' }, endpoint.id);
    await webhooks.service.update(endpoint.id, { enabled: true });
    const processor = new DeliveryProcessor(
      repository,
      sendWebhook,
      { policy: { baseMs: 250, maxAttempts: 3 }, send: { timeoutMs: 1000, allowPrivate: false } },
      log,
    );
    expect(await processor.attempt(deliveryId, { attempt: 1, last: false })).toEqual({ outcome: 'failed' });
    const ended = await webhooks.service.delivery(endpoint.id, deliveryId);
    expect(ended.status).toBe('failed');
    expect(ended.lastError).toMatch(/a loopback address; set WEBHOOK_ALLOW_PRIVATE=true to allow it/);
    expect(hooks.received).toHaveLength(0);
  });
});
