/**
 * The service's throughput and latency: checks per second through API, queue and worker processes
 * (as many workers as cores, one inference thread each), beside the engine's own throughput on the
 * same images in the same run; their ratio is the service's overhead. Latency is upload-to-result:
 * from the API storing the check to the worker storing its result (both PostgreSQL timestamps).
 *
 *   npm run bench              (all benchmarks)
 *   npx tsx bench/service.ts   (this one alone)
 * Uses the database photo_verify_bench (emptied first) and local Redis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApi } from '../src/api/server.js';
import { ApiClient } from '../src/cli/api-client.js';
import { pushRegistry } from '../src/cli/registry-push.js';
import { loadConfig } from '../src/config.js';
import { startEngine } from '../src/engine/pool.js';
import { removeQueues } from '../src/queues/redis.js';
import { ApiKeyService } from '../src/services/keys.js';
import { ApiKeyRepository } from '../src/store/api-keys.js';
import { createPool, ensureDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { emptyDatabase } from '../test/helpers/db.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/faces/lfw-10-people');
const registryPeople: Record<string, { name: string; file: string; references: number[] }> = {
  'colin-powell': { name: 'Colin Powell', file: 'Colin_Powell', references: [2, 6] },
  'tony-blair': { name: 'Tony Blair', file: 'Tony_Blair', references: [2, 9] },
  'george-w-bush': { name: 'George W Bush', file: 'George_W_Bush', references: [6, 10] },
  'vladimir-putin': { name: 'Vladimir Putin', file: 'Vladimir_Putin', references: [2, 10] },
};

export interface ServiceBenchResult {
  cores: number;
  checks: number;
  engineImagesPerSecond: number;
  serviceChecksPerSecond: number;
  /** Service throughput as a share of the engine's. */
  efficiency: number;
  burst: { p50: number; p95: number };
  single: { p50: number; p95: number };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export async function runServiceBench(options: { rounds?: number } = {}): Promise<ServiceBenchResult> {
  const cores = os.availableParallelism();
  const files = (await readdir(fixtures)).filter((name) => name.endsWith('.jpg')).sort();
  const images = await Promise.all(files.map((name) => readFile(path.join(fixtures, name))));
  const drafts = Array.from({ length: options.rounds ?? 2 }, () => images).flat();

  // 1. The engine alone, in this process: the ceiling for the service.
  const engine = await startEngine({ threads: cores, maxPixels: 60_000_000 });
  await engine.analyze(drafts[0]);
  const engineStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: cores * 2 }, async () => {
      while (next < drafts.length) await engine.analyze(drafts[next++]);
    }),
  );
  const engineImagesPerSecond = drafts.length / ((performance.now() - engineStart) / 1000);
  await engine.close();

  // 2. The service: API in this process, one worker process per core.
  const databaseUrl = 'postgres://postgres@127.0.0.1:5432/photo_verify_bench';
  const pool = createPool(databaseUrl, 2);
  await ensureDatabase(pool, databaseUrl);
  await migrate(pool);
  await emptyDatabase(pool);
  const key = (await new ApiKeyService(new ApiKeyRepository(pool)).create('admin', 'bench')).key;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `pv-bench-${process.pid}`,
    UPLOAD_DIR: await mkdtemp(path.join(os.tmpdir(), 'pv-bench-uploads-')),
    ENGINE_THREADS: '1',
    WORKER_CONCURRENCY: '1',
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const api = await startApi(loadConfig(env as NodeJS.ProcessEnv));
  const workers: ChildProcess[] = [];
  try {
    await Promise.all(Array.from({ length: cores }, () => startWorker(env, workers)));
    const client = new ApiClient(api.url, key);
    await pushRegistry(await registryFolder(), client, { wait: true });

    const submit = async (bytes: Buffer, index: number) =>
      (await client.upload<{ id: string }>('/v1/checks', { bytes, name: `draft-${index}.jpg` })).id;
    const waitAll = async (ids: string[]) => {
      for (;;) {
        const open = await pool.query<{ count: number }>(
          `select count(*)::int as count from checks where id = any($1::uuid[]) and status in ('queued', 'processing')`,
          [ids],
        );
        if (open.rows[0].count === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const latencies = async (ids: string[]) =>
      (
        await pool.query<{ seconds: number }>(
          `select extract(epoch from completed_at - created_at)::float8 as seconds from checks where id = any($1::uuid[])`,
          [ids],
        )
      ).rows.map((row) => row.seconds);

    // Warm-up: every worker loads the registry once.
    await waitAll(await Promise.all(Array.from({ length: cores }, (_, index) => submit(drafts[index], index))));

    // A burst: every draft at once; throughput from the first check stored to the last result.
    const burstIds: string[] = [];
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (cursor < drafts.length) {
          const index = cursor++;
          burstIds.push(await submit(drafts[index], index));
        }
      }),
    );
    await waitAll(burstIds);
    const span = await pool.query<{ seconds: number }>(
      `select extract(epoch from max(completed_at) - min(created_at))::float8 as seconds from checks where id = any($1::uuid[])`,
      [burstIds],
    );
    const serviceChecksPerSecond = burstIds.length / span.rows[0].seconds;
    const burst = await latencies(burstIds);

    // One at a time: the latency of a check on an idle service.
    const singleIds: string[] = [];
    for (let index = 0; index < 10; index++) {
      const id = await submit(images[index % images.length], index);
      await waitAll([id]);
      singleIds.push(id);
    }
    const single = await latencies(singleIds);
    const failed = await pool.query<{ count: number }>(`select count(*)::int as count from checks where status = 'failed'`);
    if (failed.rows[0].count > 0) throw new Error(`${failed.rows[0].count} check(s) failed during the benchmark`);

    return {
      cores,
      checks: burstIds.length,
      engineImagesPerSecond,
      serviceChecksPerSecond,
      efficiency: serviceChecksPerSecond / engineImagesPerSecond,
      burst: { p50: percentile(burst, 50), p95: percentile(burst, 95) },
      single: { p50: percentile(single, 50), p95: percentile(single, 95) },
    };
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(
      workers.map((worker) => new Promise((resolve) => (worker.exitCode === null ? worker.once('exit', resolve) : resolve(null)))),
    );
    await api.close();
    await removeQueues(env.REDIS_URL, env.QUEUE_PREFIX);
    await pool.end();
  }
}

/** For `npm run bench`: runs and prints. */
export async function serviceBenchmark(): Promise<void> {
  console.log(formatServiceBench(await runServiceBench()));
}

export function formatServiceBench(result: ServiceBenchResult): string {
  const s = (value: number) => `${value.toFixed(2)} s`;
  return [
    `service (${result.cores} worker processes x 1 thread, ${result.checks} single-portrait checks in a burst)`,
    `  engine alone, ${result.cores} threads:      ${result.engineImagesPerSecond.toFixed(2)} images/s`,
    `  API + queue + workers:        ${result.serviceChecksPerSecond.toFixed(2)} checks/s (${(result.efficiency * 100).toFixed(0)}% of the engine)`,
    `  upload-to-result, burst:      p50 ${s(result.burst.p50)}, p95 ${s(result.burst.p95)}`,
    `  upload-to-result, one by one: p50 ${s(result.single.p50)}, p95 ${s(result.single.p95)}`,
  ].join('\n');
}

async function startWorker(env: Record<string, string>, workers: ChildProcess[]): Promise<void> {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'workers/worker.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(worker);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    worker.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`a worker exited (${code}) before it was ready:\n${output}`)));
  });
}

async function registryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'pv-bench-registry-'));
  for (const [id, person] of Object.entries(registryPeople)) {
    await mkdir(path.join(folder, id));
    await writeFile(path.join(folder, id, 'person.json'), JSON.stringify({ name: person.name }));
    for (const number of person.references) {
      await cp(path.join(fixtures, `${person.file}_${String(number).padStart(4, '0')}.jpg`), path.join(folder, id, `${number}.jpg`));
    }
  }
  return folder;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  serviceBenchmark().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
