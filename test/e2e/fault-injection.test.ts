import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { createPool, ensureDatabase } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { type LfwPersonId, lfwPeople, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { type OwnService, ownPostgres, ownRedis, sparePort } from '../helpers/own-services.js';
import { type ChildService, createKey, startProcess, testEnvironment } from '../helpers/service.js';
import { startTestReceiver, type TestReceiver } from '../helpers/webhook-receiver.js';

/** Photos of registry people that are not their reference photos, as drafts show them. */
const draftPhotos: Array<[LfwPersonId, number]> = [
  ['colin-powell', 1],
  ['colin-powell', 3],
  ['colin-powell', 5],
  ['colin-powell', 7],
  ['colin-powell', 9],
  ['george-w-bush', 1],
  ['george-w-bush', 2],
  ['george-w-bush', 3],
  ['tony-blair', 3],
  ['vladimir-putin', 3],
  ['vladimir-putin', 5],
];
const people = Object.keys(lfwPeople) as LfwPersonId[];
const checks = 100;

/**
 * The drill: 100 checks of real photos (every fourth under someone else's name, so flagged) with a
 * webhook endpoint, while the check worker is SIGKILLed three times, the webhook worker once, the
 * API once in the middle of the uploads (the client sends again with its idempotency keys), and
 * the test's own Redis and PostgreSQL are restarted once each. Afterwards nothing is lost or doubled.
 */
describe('a crash drill: workers, API, Redis and PostgreSQL fail during 100 checks, and no check or alert is lost or doubled', () => {
  let postgres: OwnService;
  let redis: OwnService;
  let pool: pg.Pool;
  let hooks: TestReceiver;
  let env: Record<string, string>;
  let base: string;
  const running: Record<'api' | 'worker' | 'webhooks', ChildService | null> = { api: null, worker: null, webhooks: null };

  const start = async (which: keyof typeof running) => {
    const entry = { api: 'src/api/main.ts', worker: 'workers/worker.ts', webhooks: 'workers/webhooks.ts' } as const;
    const child = startProcess(entry[which], env);
    running[which] = child;
    await child.waitFor({ api: /API listening on port/, worker: /worker ready/, webhooks: /webhook delivery ready/ }[which], 120_000);
  };
  const kill = async (which: keyof typeof running) => {
    await running[which]?.stop('SIGKILL');
    running[which] = null;
  };
  /** Checks of the batch that have ended; null while PostgreSQL is down. */
  const ended = async (batchId: string) =>
    pool
      .query<{ count: number }>(`select count(*)::int as count from checks where batch_id = $1 and status in ('done', 'failed')`, [batchId])
      .then((result) => result.rows[0].count)
      .catch(() => null);
  const whenEnded = async (batchId: string, count: number) => {
    for (;;) {
      if (((await ended(batchId)) ?? 0) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([ownPostgres(), ownRedis()]);
    pool = createPool(postgres.url, 4);
    pool.on('error', () => undefined);
    await ensureDatabase(pool, postgres.url);
    await migrate(pool);
    hooks = await startTestReceiver([{ status: 200 }]);
    const port = await sparePort();
    base = `http://127.0.0.1:${port}`;
    env = await testEnvironment({
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      PORT: String(port),
      PUBLIC_URL: base,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      // Short clocks, so that the drill takes a minute or two, not hours.
      WORKER_LOCK_MS: '3000',
      WORKER_STALLED_MS: '1000',
      WORKER_MAX_STALLED: '5',
      RECOVERY_SWEEP_MS: '2000',
      WEBHOOK_SWEEP_MS: '2000',
      WEBHOOK_BACKOFF_BASE_MS: '300',
      JOB_ATTEMPTS: '10',
      JOB_BACKOFF_MS: '300',
    });
    await Promise.all([start('api'), start('worker'), start('webhooks')]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(Object.values(running).map((child) => child?.stop('SIGKILL')));
    await hooks?.close();
    await pool?.end().catch(() => undefined);
    await Promise.all([postgres?.dispose(), redis?.dispose()]);
  });

  it('every check has exactly one result, every flagged check reaches the receiver under one webhook-id, batch.completed once', async () => {
    const admin = await createKey(pool, 'admin');
    const client = new ApiClient(base, admin, 12);
    await pushRegistry(await lfwRegistryFolder(), client, { wait: true });
    await client.json('POST', '/v1/webhooks', { url: hooks.url, events: ['check.flagged', 'batch.completed'] });
    const batch = await client.json<{ id: string }>('POST', '/v1/batches', { name: 'drill' });

    // The uploads go on in the background, four at a time, as `check --server` sends them.
    const images = await Promise.all(draftPhotos.map(([person, number]) => readFile(lfwPhoto(person, number))));
    const swapped = (index: number) => index % 4 === 3;
    let uploaded = 0;
    const uploads = (async () => {
      const queue = Array.from({ length: checks }, (_, index) => index);
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
            const [person] = draftPhotos[index % draftPhotos.length];
            const named = swapped(index) ? people[(people.indexOf(person) + 1) % people.length] : person;
            await client.upload(
              `/v1/batches/${batch.id}/checks`,
              { bytes: images[index % images.length], name: `draft-${index}.jpg` },
              {
                names: lfwPeople[named].name,
              },
            );
            uploaded++;
          }
        }),
      );
    })();

    const drill: string[] = [];
    const at = async (count: number, what: string, act: () => Promise<void>) => {
      await whenEnded(batch.id, count);
      drill.push(`${what} after ${(await ended(batch.id)) ?? '?'} checks ended, ${uploaded} uploaded`);
      await act();
    };
    while (uploaded < 30) await new Promise((resolve) => setTimeout(resolve, 5));
    drill.push(`API SIGKILLed with ${uploaded} of ${checks} uploaded`);
    await kill('api');
    await start('api');
    await at(5, 'check worker SIGKILLed (1)', async () => {
      await kill('worker');
      await start('worker');
    });
    await at(25, 'webhook worker SIGKILLed', async () => {
      await kill('webhooks');
      await start('webhooks');
    });
    await at(35, 'Redis restarted (every queue lost)', async () => {
      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await redis.start();
    });
    await at(45, 'check worker SIGKILLed (2)', async () => {
      await kill('worker');
      await start('worker');
    });
    await at(60, 'PostgreSQL restarted', async () => {
      await postgres.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await postgres.start();
    });
    await at(75, 'check worker SIGKILLed (3)', async () => {
      await kill('worker');
      await start('worker');
    });
    await uploads;
    await client.json('POST', `/v1/batches/${batch.id}/close`);
    await whenEnded(batch.id, checks);

    // Exactly one check per upload, one result each.
    const rows = (
      await pool.query<{ id: string; file: string; status: string; flagged: boolean; faces: number }>(
        `select c.id, c.file_name as file, c.status, c.flagged, (select count(*)::int from faces f where f.check_id = c.id) as faces
         from checks c where batch_id = $1`,
        [batch.id],
      )
    ).rows;
    expect(rows).toHaveLength(checks);
    expect(new Set(rows.map((row) => row.file)).size).toBe(checks);
    expect(rows.filter((row) => row.status !== 'done')).toEqual([]);
    expect(rows.filter((row) => row.faces !== 1)).toEqual([]);
    const flagged = rows.filter((row) => row.flagged).map((row) => row.id);
    expect(flagged.length).toBeGreaterThanOrEqual(checks / 4);

    // Every flagged check delivered, each under one webhook-id (repeats of that id allowed); batch.completed once.
    const deadline = Date.now() + 120_000;
    const idsByCheck = new Map<string, Set<string>>();
    const batchEvents = new Set<string>();
    const tally = () => {
      idsByCheck.clear();
      batchEvents.clear();
      for (const delivery of hooks.received) {
        const event = JSON.parse(delivery.body.toString()) as { id: string; type: string; data: { check?: { id: string } } };
        if (event.type === 'batch.completed') batchEvents.add(String(delivery.headers['webhook-id']));
        if (event.type !== 'check.flagged' || !event.data.check) continue;
        if (!idsByCheck.has(event.data.check.id)) idsByCheck.set(event.data.check.id, new Set());
        idsByCheck.get(event.data.check.id)!.add(String(delivery.headers['webhook-id']));
      }
    };
    for (tally(); Date.now() < deadline && (flagged.some((id) => !idsByCheck.has(id)) || batchEvents.size === 0); tally())
      await new Promise((resolve) => setTimeout(resolve, 250));
    const duplicates =
      hooks.received.length - [...new Set(hooks.received.map((delivery) => String(delivery.headers['webhook-id'])))].length;

    console.log(
      [
        'crash drill:',
        ...drill.map((line) => `  ${line}`),
        `  checks: ${rows.length} (distinct files ${new Set(rows.map((row) => row.file)).size}), done ${rows.filter((row) => row.status === 'done').length}, flagged ${flagged.length}`,
        `  flagged checks delivered: ${flagged.filter((id) => idsByCheck.has(id)).length} of ${flagged.length}; webhook deliveries received ${hooks.received.length}, repeats of an id already received ${duplicates}`,
        `  batch.completed deliveries (distinct webhook-ids): ${batchEvents.size}`,
      ].join('\n'),
    );
    expect(flagged.filter((id) => !idsByCheck.has(id))).toEqual([]);
    expect([...idsByCheck.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect([...idsByCheck.keys()].filter((id) => !flagged.includes(id))).toEqual([]);
    expect(batchEvents.size).toBe(1);
  }, 600_000);
});
