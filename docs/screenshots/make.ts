/**
 * `npm run screenshots`: remakes the README's pictures of the review desk (inbox, a check) and of
 * the offline HTML report, from the shipped examples, with the real service and engine:
 * the API in this process, one worker process, PostgreSQL (database photo_verify_screens, emptied
 * first) and local Redis; Chromium at /usr/bin/chromium. Writes docs/screenshots/*.png.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startApi } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/api-client.js';
import { readClaimsManifest } from '../../src/cli/claims-manifest.js';
import { pushRegistry } from '../../src/cli/registry-push.js';
import { loadConfig } from '../../src/config.js';
import { removeQueues } from '../../src/queues/redis.js';
import { ApiKeyService } from '../../src/services/keys.js';
import { ApiKeyRepository } from '../../src/store/api-keys.js';
import { createPool, ensureDatabase } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { emptyDatabase } from '../../test/helpers/db.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = path.join(root, 'docs/screenshots');
const examples = path.join(root, 'examples');

async function main(): Promise<void> {
  const databaseUrl = 'postgres://postgres@127.0.0.1:5432/photo_verify_screens';
  const pool = createPool(databaseUrl, 2);
  await ensureDatabase(pool, databaseUrl);
  await migrate(pool);
  await emptyDatabase(pool);
  const keys = new ApiKeyService(new ApiKeyRepository(pool));
  const admin = (await keys.create('admin', 'screenshots')).key;
  const reviewer = (await keys.create('reviewer', 'Olena (verification team)')).key;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `pv-screens-${process.pid}`,
    UPLOAD_DIR: await mkdtemp(path.join(os.tmpdir(), 'pv-screens-')),
    ENGINE_THREADS: '1',
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const api = await startApi(loadConfig(env as NodeJS.ProcessEnv));
  let worker: ChildProcess | null = null;
  try {
    worker = spawn(process.execPath, ['--import', 'tsx', 'workers/worker.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      worker!.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker ready')) resolve();
      });
      worker!.once('exit', (code) => reject(new Error(`the worker exited (${code}): ${output}`)));
    });
    const client = new ApiClient(api.url, admin);
    await pushRegistry(path.join(examples, 'registry'), client, { wait: true });
    const manifest = await readClaimsManifest(path.join(examples, 'claims.csv'));
    const ids: string[] = [];
    for (const [file, request] of manifest.requests) {
      const { id } = await client.upload<{ id: string }>(
        '/v1/checks',
        { bytes: await readFile(file), name: path.basename(file) },
        { claims: JSON.stringify(request.claims), ...(request.category ? { category: request.category } : {}) },
      );
      ids.push(id);
    }
    for (const id of ids) {
      for (let status = ''; status !== 'done' && status !== 'failed'; ) {
        status = (await client.json<{ status: string }>('GET', `/v1/checks/${id}`)).status;
        if (status !== 'done' && status !== 'failed') await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    // The offline report of the same examples, as `photo-verify check` writes it.
    const reportFile = path.join(env.UPLOAD_DIR, 'report.html');
    await promisify(execFile)(
      process.execPath,
      [
        'bin/photo-verify.mjs',
        'check',
        '--registry',
        'examples/registry',
        '--claims',
        'examples/claims.csv',
        '--threads',
        '1',
        '--html',
        reportFile,
      ],
      { cwd: root },
    ).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error; // 1: something is flagged, as in the examples
    });

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })).newPage();
      await page.goto(`${api.url}/review/login`);
      await page.getByLabel('API key').fill(reviewer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${api.url}/review`);
      await page.screenshot({ path: path.join(out, 'review-inbox.png') });
      // The leaflet whose two photos are swapped: the case the product exists for.
      await page.getByRole('link', { name: 'leaflet-swap.jpg' }).click();
      await page.waitForLoadState('load');
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.screenshot({ path: path.join(out, 'review-check.png') });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`file://${reportFile}`);
      await page.waitForLoadState('load');
      await page.screenshot({ path: path.join(out, 'offline-report.png') });
    } finally {
      await browser.close();
    }
    console.log(
      `wrote ${['review-inbox.png', 'review-check.png', 'offline-report.png'].map((name) => path.join('docs/screenshots', name)).join(', ')}`,
    );
  } finally {
    worker?.kill('SIGTERM');
    await api.close();
    await removeQueues(env.REDIS_URL, env.QUEUE_PREFIX);
    await pool.end();
  }
}

await main();
