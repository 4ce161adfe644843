/** `npm run migrate`: applies the database migrations and nothing else (API and workers also do it on start). */
import { loadConfig } from '../src/config.js';
import { runMain } from '../src/runtime/main.js';
import { createPool, ensureDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';

runMain('migrate', async () => {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    await ensureDatabase(pool, config.DATABASE_URL);
    const applied = await migrate(pool);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await pool.end();
  }
});
