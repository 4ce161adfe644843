import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { isAppError } from '../errors.js';
import { ApiKeyService } from '../services/keys.js';
import { createPool, ensureDatabase } from '../store/db.js';
import { ApiKeyRepository, roles } from '../store/api-keys.js';
import { migrate } from '../store/migrate.js';

const usage = `usage: photo-verify keys create --role ROLE [--name NAME]
  Creates an API key and prints it alone on standard output (it is shown only once).
  ROLE is one of ${roles.join(', ')}. Uses DATABASE_URL.`;

/** `photo-verify keys create --role ROLE` (the dispatcher passes what follows "keys create"): talks to PostgreSQL directly, as the operator bootstrapping the service. */
export async function keysCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: false, options: { role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!parsed.values.role) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    await ensureDatabase(pool, config.DATABASE_URL);
    await migrate(pool);
    const { key } = await new ApiKeyService(new ApiKeyRepository(pool)).create(parsed.values.role, parsed.values.name ?? null);
    process.stdout.write(`${key}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`photo-verify keys: ${isAppError(error) ? `${error.code}: ${error.message}` : (error as Error).message}\n`);
    return isAppError(error) && error.code === 'VALIDATION' ? 2 : 1;
  } finally {
    await pool.end();
  }
}
