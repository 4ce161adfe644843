import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/api/routes/index.js';
import { ApiClient } from '../../src/cli/api-client.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { emptyDatabase, testDatabase, testDatabaseUrl } from '../helpers/db.js';
import { draftPhotos, handout, lfwPhoto, lfwRegistryFolder } from '../helpers/fixtures.js';
import { type Exchange, responseDrift } from '../helpers/openapi.js';
import { type ChildService, createKey, dropQueues, repoRoot, startProcess, testEnvironment, waitForCheck } from '../helpers/service.js';

/** The command-line tool as a user runs it; resolves with its exit code and output whatever the code. */
async function photoVerify(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/photo-verify.mjs', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the service end to end: real API and worker processes, real photos', () => {
  let pool: pg.Pool;
  let api: ChildService;
  let worker: ChildService;
  let baseUrl: string;
  let curatorKey: string;
  let submitterKey: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    pool = await testDatabase();
    await emptyDatabase(pool);
    curatorKey = await createKey(pool, 'curator');
    submitterKey = await createKey(pool, 'submitter');
    env = await testEnvironment();
    api = startProcess('src/api/main.ts', env);
    worker = startProcess('workers/worker.ts', env);
    const listening = await api.waitFor(/API listening on port \d+/);
    baseUrl = `http://127.0.0.1:${/port (\d+)/.exec(listening)![1]}`;
    await worker.waitFor(/worker ready/);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    if (env) await dropQueues(env);
    await pool?.end();
  });

  /** A handout of Powell, Blair and Putin, with Putin's photo above the name George W Bush. */
  async function submitSummitHandout(fileName: string): Promise<string> {
    const image = await handout([
      lfwPhoto('colin-powell', draftPhotos['colin-powell']),
      lfwPhoto('tony-blair', draftPhotos['tony-blair']),
      lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']),
    ]);
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image)]), fileName);
    form.append('names', JSON.stringify(['Colin Powell', 'Tony Blair', 'George W Bush']));
    const submitted = await fetch(`${baseUrl}/v1/checks`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${submitterKey}` },
    });
    expect(submitted.status).toBe(202);
    return (await submitted.json()).id;
  }

  it('is ready once a worker has its models loaded', async () => {
    const response = await fetch(`${baseUrl}/readyz`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.checks).toMatchObject({ database: 'ok', redis: 'ok' });
    expect(body.checks.models).toMatch(/loaded by 1 worker/);
  });

  it('imports a registry folder of real photos, and pushing it again changes nothing', async () => {
    const folder = await lfwRegistryFolder();
    const client = new ApiClient(baseUrl, curatorKey);
    const first = await pushRegistry(folder, client, { wait: true });
    expect(first).toMatchObject({
      peopleCreated: 4,
      peopleUpdated: 0,
      photosUploaded: 8,
      photosUnchanged: 0,
      rejected: [],
      peopleWithoutPhotos: [],
    });
    const again = await pushRegistry(folder, client, { wait: true });
    expect(again).toMatchObject({
      peopleCreated: 0,
      peopleUpdated: 0,
      photosUploaded: 0,
      photosUnchanged: 8,
      rejected: [],
      peopleWithoutPhotos: [],
    });
    const { rows } = await pool.query<{ status: string; count: number }>(
      'select status, count(*)::int as count from reference_photos group by status',
    );
    expect(rows).toEqual([{ status: 'active', count: 8 }]);
  });

  it('with ?wait, a reference photo without a face is refused in the answer with the reason', async () => {
    const form = new FormData();
    const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#7a8899' } })
      .jpeg()
      .toBuffer();
    form.append('image', new Blob([new Uint8Array(blank)]), 'wall.jpg');
    const refused = await fetch(`${baseUrl}/v1/people/tony-blair/photos?wait=30`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${curatorKey}` },
    });
    expect(refused.status).toBe(422);
    const body = await refused.json();
    expect(body.error).toMatchObject({ code: 'REFERENCE_PHOTO_REJECTED', message: 'no face was found in the photo' });
    expect(body.error.details.referencePhoto).toMatchObject({ status: 'rejected', fileName: 'wall.jpg' });

    const good = new FormData();
    good.append('image', new Blob([new Uint8Array(await readFile(lfwPhoto('tony-blair', 3)))]), 'blair-3.jpg');
    const enrolled = await fetch(`${baseUrl}/v1/people/tony-blair/photos?wait=30`, {
      method: 'POST',
      body: good,
      headers: { authorization: `Bearer ${curatorKey}` },
    });
    expect(enrolled.status).toBe(201);
    expect(await enrolled.json()).toMatchObject({ status: 'active', faceBox: expect.any(Object) });
    // Retired again, so that the handout below is compared with the pushed registry only.
    const { id } = await (await fetch(`${baseUrl}/v1/people/tony-blair/photos`, { headers: { authorization: `Bearer ${curatorKey}` } }))
      .json()
      .then((listed) => listed.photos.find((photo: { fileName: string }) => photo.fileName === 'blair-3.jpg'));
    expect(
      (
        await fetch(`${baseUrl}/v1/people/tony-blair/photos/${id}/retire`, {
          method: 'POST',
          headers: { authorization: `Bearer ${curatorKey}` },
        })
      ).status,
    ).toBe(200);
  });

  it('flags a handout whose photo under one name shows someone else, naming whom it shows, and confirms the others', async () => {
    const id = await submitSummitHandout('summit-handout.jpg');

    const check = await waitForCheck(baseUrl, submitterKey, id);
    expect(check.status).toBe('done');
    expect(check.result.file).toBe('summit-handout.jpg');
    expect(check.result.flagged).toBe(true);
    const faces = check.result.faces;
    expect(faces.map((face: { claim: { personId: string } }) => face.claim.personId)).toEqual([
      'colin-powell',
      'tony-blair',
      'george-w-bush',
    ]);
    expect(faces.map((face: { verdict: string }) => face.verdict)).toEqual(['confirmed', 'confirmed', 'mismatch']);
    expect(faces[2].bestMatch).toMatchObject({ personId: 'vladimir-putin', name: 'Vladimir Putin' });

    // The verification team finds it among the flagged checks, with the evidence picture.
    const flagged = await (
      await fetch(`${baseUrl}/v1/checks?flagged=true`, { headers: { authorization: `Bearer ${submitterKey}` } })
    ).json();
    expect(flagged.checks.map((listed: { id: string }) => listed.id)).toContain(id);
    // Faces are numbered from 1 as every report counts them: the swap is face 3.
    expect(check.evidence.map((evidence: { face: number }) => evidence.face)).toEqual([3]);
    const evidence = await fetch(`${baseUrl}/v1/checks/${id}/faces/3/evidence`, { headers: { authorization: `Bearer ${submitterKey}` } });
    expect(evidence.status).toBe(200);
    expect(evidence.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await evidence.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Drawn once, by the worker that judged the check: the API served the stored picture.
    const { rows: stored } = await pool.query<{ hash: string | null }>(
      'select evidence_hash as hash from faces where check_id = $1 and position = 2',
      [id],
    );
    expect(stored[0].hash).toBe(createHash('sha256').update(png).digest('hex'));

    // Operations see it too: the job's duration (reported by the queue's events, shortly after the
    // result is stored) and the verdicts counted in the metrics.
    const scrape = () =>
      fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${submitterKey}` } }).then((response) => response.text());
    let metrics = await scrape();
    for (let tries = 0; tries < 50 && !metrics.includes('photo_verify_job_duration_seconds_count{queue="checks"'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await scrape();
    }
    expect(metrics).toMatch(/photo_verify_face_verdicts\{verdict="mismatch"\} 1\n/);
    expect(metrics).toMatch(/photo_verify_job_duration_seconds_count\{queue="checks",outcome="completed"\} [1-9]/);
  });

  it("after the engine's model changes, a restarted worker re-embeds the registry, and a check submitted meanwhile waits for all of it", async () => {
    const { rows: before } = await pool.query<{ model: string }>("select distinct model from reference_photos where status = 'active'");
    expect(before).toHaveLength(1);
    const model = before[0].model;
    await worker.stop();
    // The registry as an older engine left it: every active photo embedded by another model.
    await pool.query(
      "update reference_photos set model = 'face-api-0.0.0/older-engine', descriptor = array_fill(0::real, array[128]) where status = 'active'",
    );

    const id = await submitSummitHandout('summit-handout-again.jpg');

    worker = startProcess('workers/worker.ts', env);
    await worker.waitFor(/worker ready/);
    const check = await waitForCheck(baseUrl, submitterKey, id);
    expect(check.status).toBe('done');
    expect(check.model).toBe(model);
    expect(check.result.faces.map((face: { verdict: string }) => face.verdict)).toEqual(['confirmed', 'confirmed', 'mismatch']);
    expect(check.result.faces[2].bestMatch).toMatchObject({ personId: 'vladimir-putin' });
    const { rows: after } = await pool.query<{ model: string; zero: boolean }>(
      "select model, descriptor = array_fill(0::real, array[128]) as zero from reference_photos where status = 'active'",
    );
    expect(after).toHaveLength(8);
    expect(after.every((row) => row.model === model && !row.zero)).toBe(true);
  });

  it('`photo-verify keys create --role ROLE` prints a working key, alone, on standard output', async () => {
    const created = await photoVerify(['keys', 'create', '--role', 'reviewer'], { DATABASE_URL: testDatabaseUrl });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^pvk_[A-Za-z0-9_-]{43}\n$/);
    const response = await fetch(`${baseUrl}/v1/checks`, { headers: { authorization: `Bearer ${created.stdout.trim()}` } });
    expect(response.status).toBe(200);
  });

  it('`photo-verify check --server` uploads a folder as a batch and writes the same report and exit code as offline', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pv-drafts-'));
    await writeFile(
      path.join(folder, 'handout.jpg'),
      await handout([
        lfwPhoto('colin-powell', draftPhotos['colin-powell']),
        lfwPhoto('tony-blair', draftPhotos['tony-blair']),
        lfwPhoto('vladimir-putin', draftPhotos['vladimir-putin']),
      ]),
    );
    await writeFile(path.join(folder, 'notes.jpg'), 'not a photo at all');
    await writeFile(path.join(folder, 'claims.csv'), 'file,names\nhandout.jpg,Colin Powell;Tony Blair;George W Bush\n');
    const reportFile = path.join(folder, 'out', 'report.json');
    const htmlFile = path.join(folder, 'out', 'report.html');

    const run = await photoVerify([
      'check',
      '--server',
      baseUrl,
      '--api-key',
      submitterKey,
      '--claims',
      path.join(folder, 'claims.csv'),
      '--json',
      reportFile,
      '--html',
      htmlFile,
      folder,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/mismatch/);
    // The flagged handout's page on the review desk, where the team decides.
    expect(run.stdout).toMatch(new RegExp(`handout\\.jpg: ${baseUrl}/review/checks/[0-9a-f-]{36}`));
    const report = JSON.parse(await readFile(reportFile, 'utf8'));
    expect(report.summary).toEqual({ images: 2, faces: 3, flagged: 2, errors: 1 });
    const [handoutResult, notes] = report.images;
    expect(handoutResult.file).toMatch(/handout\.jpg$/);
    expect(handoutResult.faces.map((face: { verdict: string }) => face.verdict)).toEqual(['confirmed', 'confirmed', 'mismatch']);
    expect(notes.error.code).toBe('IMAGE_UNSUPPORTED');
    expect(report.model).toMatch(/face-api/);
    // The registry summary is the service's: its counts, and null (not a made-up 0) for what it does not report.
    expect(report.registry).toMatchObject({
      source: 'service',
      referencePhotos: { skippedCount: expect.any(Number), pending: 0, computed: null, fromCache: null, skipped: null, weak: null },
    });
    expect(report.registry.referencePhotos.used).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/registry of server http:\S+: \d+ people; reference photos: \d+ in use, \d+ rejected, 0 not yet enrolled/);
    // The HTML report shows every picture, the service's reference photos among them, named person/file rather than by id.
    const html = await readFile(htmlFile, 'utf8');
    expect(html).toMatch(
      /handout\.jpg, face 3<\/a>: <span class="verdict tone-alert">✗ mismatch<\/span> captioned George W Bush, shows Vladimir Putin/,
    );
    expect(html).not.toContain('picture unavailable');
    expect(html.match(/<img [^>]*alt="reference photo of George W Bush"/g)?.length).toBeGreaterThanOrEqual(1);
    expect(html).toMatch(/vladimir-putin\/[^<]+\.jpg/);
    expect(html).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    // The batch it uploaded is complete, with the flagged check in its summary.
    const { rows } = await pool.query<{ id: string; completed: boolean }>(
      'select id, completed_at is not null as completed from batches order by created_at desc limit 1',
    );
    expect(rows[0].completed).toBe(true);
    const batch = await (
      await fetch(`${baseUrl}/v1/batches/${rows[0].id}`, { headers: { authorization: `Bearer ${submitterKey}` } })
    ).json();
    expect(batch).toMatchObject({
      status: 'completed',
      progress: { total: 1, done: 1 },
      summary: { images: 1, faces: 3, flagged: 1, verdicts: { confirmed: 2, mismatch: 1 } },
    });
  });

  // Last: the checks above are done, with faces, verdicts and evidence the engine really produced.
  it('answers with finished checks, their evidence and batches as the OpenAPI document says', async () => {
    const exchanges: Exchange[] = [];
    const get = async (path: string) => {
      const response = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${submitterKey}` } });
      const contentType = response.headers.get('content-type');
      const bytes = Buffer.from(await response.arrayBuffer());
      const body = contentType?.startsWith('application/json') ? JSON.parse(bytes.toString()) : bytes.length ? '(bytes)' : null;
      exchanges.push({ method: 'GET', path, status: response.status, contentType, body });
      return body;
    };
    const listed = await get('/v1/checks?limit=500');
    const checks = [];
    for (const { id } of listed.checks) checks.push(await get(`/v1/checks/${id}`));
    const done = checks.filter((check) => check.status === 'done');
    expect(done.some((check) => check.result.faces.length > 0 && check.evidence.length > 0)).toBe(true);
    for (const check of done) for (const { face } of check.evidence) await get(`/v1/checks/${check.id}/faces/${face}/evidence`);
    for (const batchId of new Set(checks.map((check) => check.batchId).filter(Boolean))) await get(`/v1/batches/${batchId}`);
    await get('/v1/registry');
    await get('/readyz');
    const document = await (await fetch(`${baseUrl}/openapi.json`)).json();
    expect(responseDrift(document, allRoutes, exchanges)).toEqual([]);
  });
});
