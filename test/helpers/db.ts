import type pg from 'pg';
import { createPool, ensureDatabase } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';

/**
 * The database every test tier shares; files run one at a time (vitest.config.ts). Two test runs
 * at once (several people on one machine) each set TEST_DATABASE_URL to a database of their own.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/photo_verify_test';

/** Creates photo_verify_test if needed and applies every migration; the caller ends the pool. */
export async function testDatabase(): Promise<pg.Pool> {
  const pool = createPool(testDatabaseUrl, 5);
  await ensureDatabase(pool, testDatabaseUrl);
  await migrate(pool);
  return pool;
}

/** Empties every table but the migration record, so each test file starts from a clean registry. */
export async function emptyDatabase(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = 'public' and tablename not in ('schema_migrations', 'registry_state')`,
  );
  if (rows.length) await pool.query(`truncate ${rows.map((row) => `"${row.tablename}"`).join(', ')} cascade`);
  await pool.query('update registry_state set version = version + 1');
}
