import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { ApiKeyService } from '../services/keys.js';
import { ApiKeyRepository, roles } from '../store/api-keys.js';
import { createPool, ensureDatabase } from '../store/db.js';
import { migrate } from '../store/migrate.js';

const usage = `Usage: photo-verify keys create --role ROLE [--name NAME]

Creates an API key for the service and prints it alone on standard output; it is shown only
once (the service keeps only its hash). ROLE is one of ${roles.join(', ')}. Talks to PostgreSQL
directly (DATABASE_URL), as the operator setting up the service.
`;

/** `photo-verify keys create` (the dispatcher passes what follows those two words). */
export async function keysCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (!values.role) throw new AppError('VALIDATION', `--role is required: one of ${roles.join(', ')}`);
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    await ensureDatabase(pool, config.DATABASE_URL);
    await migrate(pool);
    const { key } = await new ApiKeyService(new ApiKeyRepository(pool)).create(values.role, values.name ?? null);
    process.stdout.write(`${key}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
