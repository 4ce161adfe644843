/**
 * A webhook delivery worker killed (SIGKILL) while a delivery is in flight does not lose the event:
 * another worker process takes the job up once its lock lapses and delivers it under the same
 * webhook-id; the delivery log shows the interrupted attempt.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../src/runtime/log.js';
import { createWebhooks, type Webhooks } from '../../src/services/webhooks/publisher.js';
import { verify } from '../../src/services/webhooks/signing.js';
import { createStore } from '../../src/store/index.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { type ChildService, startProcess, testConfig, testEnvironment } from '../helpers/service.js';
import { startTestReceiver, type TestReceiver } from '../helpers/webhook-receiver.js';

// startProcess names the service's entry points in its type; the webhook worker is one more.
const webhookWorker = 'workers/webhooks.ts' as Parameters<typeof startProcess>[0];

describe('a webhook worker killed mid-delivery', () => {
  let pool: pg.Pool;
  let env: Record<string, string>;
  let webhooks: Webhooks;
  let hooks: TestReceiver;
  const workers: ChildService[] = [];

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    env = await testEnvironment({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      // Long enough that the first attempt is surely still waiting when its worker is killed.
      WEBHOOK_TIMEOUT_MS: '60000',
      WEBHOOK_BACKOFF_BASE_MS: '250',
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_MS: '1000',
      LOG_LEVEL: 'info',
    });
    webhooks = createWebhooks({ config: testConfig(env), store: createStore(pool), log: createLog('test', 'silent') });
    hooks = await startTestReceiver(['hang', { status: 200 }]);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await hooks?.close();
    await webhooks?.close();
    await pool?.end();
  });

  it('does not lose the event: another worker delivers it, once more, under the same webhook-id', async () => {
    const first = startProcess(webhookWorker, env);
    workers.push(first);
    await first.waitFor(/webhook delivery ready/);

    const endpoint = await webhooks.service.create({ url: hooks.url, events: ['check.completed'] });
    const checkId = randomUUID();
    await webhooks.publisher.publish({
      type: 'check.completed',
      data: { checkId, batchId: null, result: { file: 'draft.jpg', findings: [], faces: [], flagged: false } },
    });

    const [interrupted] = await hooks.waitFor(1);
    expect(await first.stop('SIGKILL')).toBeNull();

    const second = startProcess(webhookWorker, env);
    workers.push(second);
    await second.waitFor(/webhook delivery ready/);
    const received = await hooks.waitFor(2, 60_000);
    await second.waitFor(/webhook delivered/);

    expect(received).toHaveLength(2);
    expect(received[1].headers['webhook-id']).toBe(interrupted.headers['webhook-id']);
    expect(received[1].body.equals(interrupted.body)).toBe(true);
    expect(verify(endpoint.secret, received[1].headers, received[1].body).ok).toBe(true);
    expect(JSON.parse(received[1].body.toString()).data.check.id).toBe(checkId);

    const { deliveries } = await webhooks.service.deliveries(endpoint.id, { limit: 10, offset: 0 });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ id: interrupted.headers['webhook-id'], status: 'succeeded', attempts: 2 });
    expect(deliveries[0].attemptLog.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.error])).toEqual([
      [1, null, 'the worker stopped during this attempt; it was tried again'],
      [2, 200, null],
    ]);
  });
});
