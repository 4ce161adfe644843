/**
 * The command-line tool: commander parses the command line, dispatches to the command and writes
 * the help. Each command lives in its own file and is added here with one line. Exit status: 0
 * done and nothing flagged, 1 something flagged, 2 a usage or input error (a coded error:
 * `photo-verify COMMAND: CODE: message`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, type CommanderError, Help } from 'commander';
import { isAppError } from '../errors.js';
import { checkCommand } from './check-command.js';
import { commandPath, exitStatus, UsageError } from './command.js';
import { keysCommand } from './keys.js';
import { registryCommand } from './registry-push.js';
import { webhooksCommand } from './webhooks-listen.js';

/** The tool's version: package.json's, found above this file (from the sources or a build). */
export function packageVersion(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'photo-verify' && manifest.version) return manifest.version;
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(folder) === folder) return 'unknown';
  }
}

/** A usage error commander found, with the command it was parsing. */
class CommandLineError extends Error {
  constructor(
    readonly command: Command,
    readonly commander: CommanderError,
  ) {
    super(commander.message);
  }
}

const allCommands = (command: Command): Command[] => [command, ...command.commands.flatMap(allCommands)];

/** The whole command line; every command's --help and every usage error come from here. */
export function createProgram(): Command {
  const program = new Command('photo-verify')
    .description('Checks whether the photos in handouts and other materials show the people they claim to show.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addCommand(checkCommand())
    .addCommand(registryCommand())
    .addCommand(keysCommand())
    .addCommand(webhooksCommand())
    .addHelpText(
      'after',
      '\nRun "photo-verify COMMAND --help" for a command\'s options.\n\nExit status: 0 done and nothing flagged, 1 something flagged, 2 a usage or input error.',
    );
  for (const command of allCommands(program)) {
    command
      // Errors are printed by main, as coded errors; help and version go to standard output.
      .configureOutput({ outputError: () => {} })
      .configureHelp({
        // The list of commands names two-word commands in full ("registry push"), not their first word.
        visibleCommands(cmd) {
          return Help.prototype.visibleCommands
            .call(this, cmd)
            .flatMap((sub) =>
              sub.commands.length > 0 ? Help.prototype.visibleCommands.call(this, sub).filter((leaf) => leaf.name() !== 'help') : [sub],
            );
        },
        subcommandTerm(cmd) {
          const term = Help.prototype.subcommandTerm.call(this, cmd);
          return cmd.parent?.parent ? `${cmd.parent.name()} ${term}` : term;
        },
      })
      .exitOverride((error) => {
        throw new CommandLineError(command, error);
      });
  }
  return program;
}

/** Runs the command line (without node and the script) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  let running: Command = program;
  program.hook('preAction', (_program, command) => {
    running = command;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitStatus(program) ?? 0;
  } catch (error) {
    if (error instanceof CommandLineError) {
      // --help and --version end with exit code 0; a command group without its command printed its help to standard error.
      if (error.commander.exitCode === 0) return 0;
      if (error.commander.code === 'commander.help') return 2;
      const message = error.message
        .replace(/^error: /, '')
        .replace(/^./, (first) => first.toUpperCase())
        .replace(/\n\(Did you mean/, ' (did you mean');
      writeError(error.command, new UsageError(message));
    } else writeError(running, error);
    return 2;
  }
}

function writeError(command: Command, error: unknown): void {
  const name = commandPath(command);
  const prefix = name ? `photo-verify ${name}` : 'photo-verify';
  if (!isAppError(error)) {
    process.stderr.write(`${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return;
  }
  process.stderr.write(`${prefix}: ${error.code}: ${error.message}\n`);
  if (error instanceof UsageError) {
    if (command.commands.length === 0) process.stderr.write(`usage: ${prefix} ${command.usage()}\n`);
    process.stderr.write(`Run "${prefix} --help" for the ${command.commands.length === 0 ? 'options' : 'commands'}.\n`);
  }
}
