/**
 * The command-line tool's dispatcher. Each subcommand lives in its own file and is registered
 * here with one line. Exit status: 0 done and nothing flagged, 1 something flagged, 2 a usage
 * or input error.
 */
import { isAppError } from '../errors.js';
import { runCheck } from './check.js';
import { runRemoteCheck, wantsServer } from './check-remote.js';
import { keysCommand } from './keys.js';
import { registryPushCommand } from './registry-push.js';
import { runWebhooksListen } from './webhooks-listen.js';

interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  check: {
    summary: 'check images against a registry folder, offline (or with --server, through the service)',
    run: (args) => (wantsServer(args) ? runRemoteCheck(args) : runCheck(args)),
  },
  'keys create': { summary: 'create an API key for the service and print it', run: keysCommand },
  'registry push': { summary: 'import a registry folder into the service', run: registryPushCommand },
  'webhooks listen': { summary: 'run a receiver that verifies and prints webhook events', run: runWebhooksListen },
};

const usage = () =>
  `Usage: photo-verify <command> [options]\n\nCommands:\n${Object.entries(commands)
    .map(([name, command]) => `  ${name.padEnd(18)} ${command.summary}`)
    .join('\n')}\n\nRun "photo-verify <command> --help" for a command's options.\n`;

/** Runs the command line (without node and the script) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? process.stderr : process.stdout).write(usage());
    return first === undefined ? 2 : 0;
  }
  const twoWords = second !== undefined ? `${first} ${second}` : '';
  const name = twoWords in commands ? twoWords : first;
  const command = commands[name];
  if (!command) {
    process.stderr.write(`photo-verify: unknown command "${first}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(argv.slice(name.split(' ').length));
  } catch (error) {
    if (isAppError(error)) process.stderr.write(`photo-verify ${name}: ${error.code}: ${error.message}\n`);
    else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`photo-verify ${name}: ${error.message}\nRun "photo-verify ${name} --help" for the options.\n`);
    } else process.stderr.write(`photo-verify ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
