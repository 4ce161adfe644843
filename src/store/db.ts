import pg from 'pg';
import { AppError, describeError, redactUrl } from '../errors.js';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** A pool on DATABASE_URL; numeric columns come back as numbers, not strings. */
export function createPool(databaseUrl: string, max = 10): pg.Pool {
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs work in a transaction of its own. Services use Store.transaction; this is the store's own. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs a repository's several statements as one: in a transaction of their own when the repository
 * is on the pool, as part of the caller's transaction when it is bound to one (Store.transaction).
 */
export function atomically<T>(db: Queryable, work: (db: Queryable) => Promise<T>): Promise<T> {
  return db instanceof pg.Pool ? withTransaction(db, work) : work(db);
}

/** Fails with one line saying what to start when PostgreSQL cannot be reached. */
export async function ensureDatabase(pool: pg.Pool, databaseUrl: string): Promise<void> {
  try {
    await pool.query('select 1');
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') {
      await createDatabase(databaseUrl);
      return;
    }
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${describeError(error)}): start PostgreSQL or set DATABASE_URL`,
    );
  }
}

/** A fresh server has no photo_verify database yet: create it through the maintenance database. */
async function createDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    // Another process starting at the same moment created it first.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}
