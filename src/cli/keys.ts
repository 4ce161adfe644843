import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { ApiKeyService } from '../services/keys.js';
import { ApiKeyRepository, roles } from '../store/api-keys.js';
import { createPool, ensureDatabase } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { setExitStatus, UsageError } from './command.js';

/** `photo-verify keys create`. */
export function keysCommand(): Command {
  const create = new Command('create')
    .summary('create an API key for the service and print it')
    .description(
      `Creates an API key for the service and prints it alone on standard output; it is shown only once (the service keeps only its hash). Talks to PostgreSQL directly (DATABASE_URL), as the operator setting up the service.`,
    )
    .usage('--role ROLE [--name NAME]')
    .addOption(new Option('--role <ROLE>', 'what the key may do').choices(roles))
    .option('--name <NAME>', 'a name to tell the key by')
    .action(async (options: { role?: string; name?: string }, command: Command) => {
      setExitStatus(command, await createKey(options));
    });
  return new Command('keys').summary("the service's API keys (keys create)").description("The service's API keys.").addCommand(create);
}

async function createKey(options: { role?: string; name?: string }): Promise<number> {
  if (!options.role) throw new UsageError(`--role is required: one of ${roles.join(', ')}`);
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, 1);
  try {
    await ensureDatabase(pool, config.DATABASE_URL);
    await migrate(pool);
    const { key } = await new ApiKeyService(new ApiKeyRepository(pool)).create(options.role, options.name ?? null);
    process.stdout.write(`${key}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
