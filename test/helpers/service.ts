import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { type Config, loadConfig } from '../../src/config.js';
import { removeQueues } from '../../src/queues/redis.js';
import { ApiKeyService } from '../../src/services/keys.js';
import { ApiKeyRepository, type Role } from '../../src/store/api-keys.js';
import { testDatabaseUrl } from './db.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Settings for one test file: its own queue prefix and upload directory, the shared test database. */
export async function testEnvironment(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    DATABASE_URL: testDatabaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `pv-test-${randomUUID().slice(0, 8)}`,
    UPLOAD_DIR: await mkdtemp(path.join(os.tmpdir(), 'pv-uploads-')),
    ENGINE_THREADS: '1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    JOB_BACKOFF_MS: '200',
    ...overrides,
  };
}

/** Removes a test's queues from Redis. */
export function dropQueues(env: Record<string, string>): Promise<void> {
  return removeQueues(env.REDIS_URL, env.QUEUE_PREFIX);
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig(env as NodeJS.ProcessEnv);
}

export async function createKey(pool: pg.Pool, role: Role): Promise<string> {
  return (await new ApiKeyService(new ApiKeyRepository(pool)).create(role, `test ${role}`)).key;
}

export interface ChildService {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line of the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `npm start` or `npm run worker` the way an operator does: a real process, through tsx. */
export function startProcess(
  entry: 'src/api/main.ts' | 'workers/worker.ts' | 'workers/webhooks.ts',
  env: Record<string, string>,
): ChildService {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    // Info level: the tests wait for the processes' start-up lines.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) {
      const match = output.split('\n').find((line) => waiter.pattern.test(line));
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 90_000) {
      const match = output.split('\n').find((line) => pattern.test(line));
      if (match) return Promise.resolve(match);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${output}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before ${pattern}:\n${output}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Polls until the check has ended (done or failed). */
// biome-ignore lint/suspicious/noExplicitAny: the check's JSON as the API answers it; each test reads the fields it asserts
export async function waitForCheck(baseUrl: string, key: string, checkId: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/checks/${checkId}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.json();
    if (body.status === 'done' || body.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`check ${checkId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
