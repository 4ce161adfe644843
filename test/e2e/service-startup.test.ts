import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { createKey, dropQueues, startProcess, testEnvironment } from '../helpers/service.js';

/** Ports nothing listens on, as when PostgreSQL or Redis has not been started. */
const closedRedis = 'redis://127.0.0.1:6391';
const closedPostgres = 'postgres://postgres@127.0.0.1:5491/photo_verify';

describe('starting the API or a worker without the services they need', () => {
  it('the API stops with one line saying to start Redis, not a stack trace', async () => {
    const api = startProcess('src/api/main.ts', await testEnvironment({ REDIS_URL: closedRedis }));
    expect(await new Promise((resolve) => api.child.once('exit', resolve))).toBe(1);
    const lines = api.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^photo-verify api: cannot reach Redis at redis:\/\/127\.0\.0\.1:6391 \(ECONNREFUSED\): start Redis or set REDIS_URL$/,
    );
  });

  it('a worker stops with one line saying to start PostgreSQL', async () => {
    const worker = startProcess('workers/worker.ts', await testEnvironment({ DATABASE_URL: closedPostgres }));
    expect(await new Promise((resolve) => worker.child.once('exit', resolve))).toBe(1);
    const lines = worker.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^photo-verify worker: cannot reach PostgreSQL at .*5491.* \(ECONNREFUSED\): start PostgreSQL or set DATABASE_URL$/,
    );
  });

  it('a bad setting is named in one message with every problem', async () => {
    const api = startProcess('src/api/main.ts', await testEnvironment({ PORT: 'eighty', MAX_UPLOAD_BYTES: '-1' }));
    expect(await new Promise((resolve) => api.child.once('exit', resolve))).toBe(1);
    expect(api.output()).toMatch(/^photo-verify api: invalid configuration:\n {2}PORT: .+\n {2}MAX_UPLOAD_BYTES: .+\n$/);
  });
});

describe('a running API, as an operator reads its log', () => {
  it('logs one line per request with method, path and status, never the API key, and tells browsers not to sniff', async () => {
    const pool = await testDatabase();
    const key = await createKey(pool, 'admin');
    await pool.end();
    const env = await testEnvironment({ PORT: '0' });
    const api = startProcess('src/api/main.ts', env);
    try {
      const listening = await api.waitFor(/API listening on port \d+/);
      const port = /port (\d+)/.exec(listening)![1];
      const response = await fetch(`http://127.0.0.1:${port}/v1/people?limit=1`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const line = await api.waitFor(/GET \/v1\/people\?limit=1 200/);
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({ level: 'info', component: 'api', res: { statusCode: 200 } });
      expect(api.output()).not.toContain(key);
    } finally {
      await api.stop();
      await dropQueues(env);
    }
  });
});
