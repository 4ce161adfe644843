/**
 * The verification team hears about a flagged handout: real API, check worker and webhook worker
 * processes, a registry of real photos, a handout whose photo under one name shows someone else,
 * and a real receiver on loopback that verifies the signature with the endpoint's secret.
 */
import net from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { verify } from '../../src/services/webhooks/signing.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { draftPhotos, handout, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { type ChildService, createKey, startProcess, testEnvironment, waitForCheck } from '../helpers/service.js';
import { startTestReceiver, type TestReceiver } from '../helpers/webhook-receiver.js';

const webhookWorker = 'workers/webhooks.ts' as Parameters<typeof startProcess>[0];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('webhook alerts for a flagged handout, end to end', () => {
  let pool: pg.Pool;
  let processes: ChildService[] = [];
  let hooks: TestReceiver;
  let baseUrl: string;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    for (const role of ['admin', 'curator', 'submitter'] as const) keys[role] = await createKey(pool, role);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env = await testEnvironment({
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_BASE_MS: '250',
    });
    processes = [startProcess('src/api/main.ts', env), startProcess('workers/worker.ts', env), startProcess(webhookWorker, env)];
    await processes[0].waitFor(/API listening on port \d+/);
    await processes[1].waitFor(/worker ready/);
    await processes[2].waitFor(/webhook delivery ready/);
    hooks = await startTestReceiver([{ status: 200 }]);
    await pushRegistry(await lfwRegistryFolder(), new ApiClient(baseUrl, keys.curator), { wait: true });
  });

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await hooks?.close();
    await pool?.end();
  });

  it('sends exactly one check.flagged event, signed with the secret, naming the claimed person, whom the face shows instead, and the evidence', async () => {
    const registered = await fetch(`${baseUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        url: hooks.url,
        events: ['check.flagged', 'check.completed', 'check.failed', 'batch.completed'],
        description: 'verification team',
      }),
    });
    expect(registered.status).toBe(201);
    const endpoint = await registered.json();

    const image = await handout([
      lfwPhoto('colin-powell', draftPhotos['colin-powell']),
      lfwPhoto('tony-blair', draftPhotos['tony-blair']),
      lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']),
    ]);
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image)]), 'summit-handout.jpg');
    form.append('names', JSON.stringify(['Colin Powell', 'Tony Blair', 'George W Bush']));
    const submitted = await fetch(`${baseUrl}/v1/checks`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${keys.submitter}` },
    });
    expect(submitted.status).toBe(202);
    const { id: checkId } = await submitted.json();
    const check = await waitForCheck(baseUrl, keys.submitter, checkId);
    expect(check.result.faces.map((face: { verdict: string }) => face.verdict)).toEqual(['confirmed', 'confirmed', 'mismatch']);

    // check.completed is published after check.flagged: once both arrived, nothing else is due.
    const received = await hooks.waitFor(2, 60_000);
    const events = received.map((request) => ({ request, event: JSON.parse(request.body.toString()) }));
    expect(events.map(({ event }) => event.type).sort()).toEqual(['check.completed', 'check.flagged']);
    const flagged = events.filter(({ event }) => event.type === 'check.flagged');
    expect(flagged).toHaveLength(1);
    const [{ request, event }] = flagged;
    expect(verify(endpoint.secret, request.headers, request.body)).toEqual({ ok: true });
    expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), schemaVersion: 2, timestamp: expect.any(String) });
    expect(event.data.check).toEqual({
      id: checkId,
      batchId: null,
      file: 'summit-handout.jpg',
      url: `${baseUrl}/v1/checks/${checkId}`,
      reviewUrl: `${baseUrl}/review/checks/${checkId}`,
    });
    expect(event.data.faces).toHaveLength(1);
    const face = event.data.faces[0];
    expect(face).toMatchObject({
      // The third face, numbered from 1 as the reports show it.
      face: 3,
      verdict: 'mismatch',
      claimed: { personId: 'george-w-bush', name: 'George W Bush' },
      matchesInstead: { personId: 'vladimir-putin', name: 'Vladimir Putin' },
      evidenceUrl: `${baseUrl}/v1/checks/${checkId}/faces/3/evidence`,
      reviewUrl: `${baseUrl}/review/checks/${checkId}#face-3`,
    });
    expect(face.scores.claimed).toBe(check.result.faces[2].claimScore);
    expect(face.scores.bestMatch).toBe(check.result.faces[2].bestMatch.score);
    expect(face.scores.bestMatch).toBeGreaterThan(face.scores.claimed);

    // The links lead to the check and its evidence picture.
    const evidence = await fetch(face.evidenceUrl, { headers: { authorization: `Bearer ${keys.submitter}` } });
    expect(evidence.status).toBe(200);
    expect(evidence.headers.get('content-type')).toBe('image/png');

    // One event, one delivery, one successful attempt in the log.
    const { rows } = await pool.query(
      `select type, count(*)::int as count from webhook_events where type like 'check.%' group by type order by type`,
    );
    expect(rows).toEqual([
      { type: 'check.completed', count: 1 },
      { type: 'check.flagged', count: 1 },
    ]);
    const log = await (
      await fetch(`${baseUrl}/v1/webhooks/${endpoint.id}/deliveries`, { headers: { authorization: `Bearer ${keys.admin}` } })
    ).json();
    const flaggedDelivery = log.deliveries.find((delivery: { eventType: string }) => delivery.eventType === 'check.flagged');
    expect(flaggedDelivery).toMatchObject({ id: request.headers['webhook-id'], status: 'succeeded', attempts: 1, lastStatusCode: 200 });
  });
});
