/**
 * Does one client stall the others? Ten clients upload checks at once to a real API process
 * (PostgreSQL, Redis; no worker is needed to measure uploads), twice: all ten well behaved, then
 * with one of them sending checks with 100,000 names (refused) as fast as it can, four at a time.
 * Prints the well-behaved clients' upload latency (p50, p95) in both runs, what the heavy client
 * was answered, and the API process's peak resident memory (VmHWM) in each run.
 *
 *   npm run bench -- load
 * Uses the database photo_verify_bench (emptied first) and local Redis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeQueues } from '../src/queues/redis.js';
import { ApiKeyService } from '../src/services/keys.js';
import { ApiKeyRepository } from '../src/store/api-keys.js';
import { createPool, ensureDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/faces/lfw-10-people');
const clients = 10;
const uploadsPerClient = 30;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

interface LoadRun {
  p50: number;
  p95: number;
  uploads: number;
  goodStatuses: Record<number, number>;
  heavy: { requests: number; statuses: Record<number, number> } | null;
  peakRssMiB: number;
}

async function startApiProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const poll = setInterval(() => {
      // LOG_LEVEL warn hides the listening line: the API answers /healthz once it listens.
      fetch(`http://127.0.0.1:${env.PORT}/healthz`).then(
        (response) => {
          if (response.ok) {
            clearInterval(poll);
            resolve(`http://127.0.0.1:${env.PORT}`);
          }
        },
        () => undefined,
      );
    }, 200);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`the API exited (${code}): ${output}`));
    });
  });
  return { child, url };
}

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function run(env: Record<string, string>, keys: string[], images: Buffer[], heavy: boolean): Promise<LoadRun> {
  const api = await startApiProcess(env);
  try {
    const upload = async (key: string, body: FormData) => {
      const started = performance.now();
      const response = await fetch(`${api.url}/v1/checks`, { method: 'POST', body, headers: { authorization: `Bearer ${key}` } });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started };
    };
    const form = (image: Buffer, names: string) => {
      const body = new FormData();
      body.append('image', new Blob([new Uint8Array(image)]), 'draft.jpg');
      body.append('names', names);
      return body;
    };
    let goodDone = false;
    const goodStatuses: Record<number, number> = {};
    const latencies: number[] = [];
    const heavyStatuses: Record<number, number> = {};
    let heavyRequests = 0;
    const longNames = Array.from({ length: 100_000 }, (_, index) => `Name ${index}`).join('\n');
    const heavyClient = async () => {
      while (!goodDone) {
        heavyRequests++;
        const { status } = await upload(keys[0], form(images[0], longNames));
        heavyStatuses[status] = (heavyStatuses[status] ?? 0) + 1;
      }
    };
    const good = keys.slice(heavy ? 1 : 0);
    const heavyRunning = heavy ? Array.from({ length: 4 }, heavyClient) : [];
    await Promise.all(
      good.map(async (key, client) => {
        for (let index = 0; index < uploadsPerClient; index++) {
          const { status, ms } = await upload(key, form(images[(client + index) % images.length], 'Colin Powell'));
          goodStatuses[status] = (goodStatuses[status] ?? 0) + 1;
          latencies.push(ms);
        }
      }),
    );
    goodDone = true;
    await Promise.all(heavyRunning);
    return {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      uploads: latencies.length,
      goodStatuses,
      heavy: heavy ? { requests: heavyRequests, statuses: heavyStatuses } : null,
      peakRssMiB: await peakRss(api.child.pid!),
    };
  } finally {
    const exited = new Promise((resolve) => api.child.once('exit', resolve));
    process.kill(-api.child.pid!, 'SIGTERM');
    await exited;
  }
}

export async function loadBenchmark(): Promise<void> {
  const files = (await readdir(fixtures)).filter((name) => name.endsWith('.jpg')).sort();
  const images = await Promise.all(files.map((name) => readFile(path.join(fixtures, name))));
  const databaseUrl = 'postgres://postgres@127.0.0.1:5432/photo_verify_bench';
  const pool = createPool(databaseUrl, 2);
  await ensureDatabase(pool, databaseUrl);
  await migrate(pool);
  const keys: string[] = [];
  for (let index = 0; index < clients; index++)
    keys.push((await new ApiKeyService(new ApiKeyRepository(pool)).create('submitter', `load ${index}`)).key);
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `pv-load-${process.pid}`,
    UPLOAD_DIR: await mkdtemp(path.join(os.tmpdir(), 'pv-load-uploads-')),
    PORT: String(20_000 + (process.pid % 20_000)),
  };
  try {
    const calm = await run(env, keys, images, false);
    const loaded = await run(env, keys, images, true);
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    console.log(
      [
        `load (${clients} clients, ${uploadsPerClient} single-image uploads each, one API process, ${os.availableParallelism()} cores)`,
        `  ten well-behaved clients:            upload p50 ${ms(calm.p50)}, p95 ${ms(calm.p95)} (${calm.uploads} uploads, answers ${JSON.stringify(calm.goodStatuses)}); API peak RSS ${calm.peakRssMiB.toFixed(0)} MiB`,
        `  nine, beside one sending 100k names: upload p50 ${ms(loaded.p50)}, p95 ${ms(loaded.p95)} (${loaded.uploads} uploads, answers ${JSON.stringify(loaded.goodStatuses)}); API peak RSS ${loaded.peakRssMiB.toFixed(0)} MiB`,
        `  the heavy client:                    ${loaded.heavy!.requests} requests, answered ${JSON.stringify(loaded.heavy!.statuses)}`,
      ].join('\n'),
    );
  } finally {
    await removeQueues(env.REDIS_URL, env.QUEUE_PREFIX);
    await pool.query('delete from api_keys where name like $1', ['load %']).catch(() => undefined);
    await pool.end();
  }
}
