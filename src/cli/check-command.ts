/**
 * `photo-verify check`: one command, two modes. With --registry it checks offline against a
 * registry folder (check.ts); with --server it is a client of the service (check-remote.ts).
 * Both take the same claims manifest, write the same reports and exit with the same status.
 */
import { Command } from 'commander';
import { descriptorModes } from '../domain/descriptor-modes.js';
import { defaultCacheName } from '../registry-folder/cache.js';
import { runCheck } from './check.js';
import { runRemoteCheck } from './check-remote.js';
import { checkExitStatus, setExitStatus, UsageError } from './command.js';

export interface CheckOptions {
  registry?: string;
  cache?: string;
  threads?: string;
  descriptor?: string;
  server?: string;
  apiKey?: string;
  category?: string;
  claims?: string;
  json?: string;
  csv?: string;
  html?: string;
  readCaptions?: boolean;
}

/** Options that belong to one mode only, by the flag a user typed. */
const offlineOnly = {
  registry: '--registry',
  cache: '--cache',
  threads: '--threads',
  descriptor: '--descriptor',
} as const;
const serverOnly = { apiKey: '--api-key', category: '--category' } as const;

const given = (options: CheckOptions, flags: Record<string, string>) =>
  Object.entries(flags)
    .filter(([key]) => options[key as keyof CheckOptions] !== undefined)
    .map(([, flag]) => flag);

export function checkCommand(): Command {
  return new Command('check')
    .summary('check images against a registry folder, offline (or with --server, through the service)')
    .description(
      `Checks every image in the files and folders given (folders recursively; images are recognised by their content, whatever their names): offline against a registry folder (--registry), or against the service's registry (--server), uploading them as one batch and waiting for the results. Both write the same reports.`,
    )
    .usage(`--registry DIR [options] [FILE|FOLDER...]\n   or: photo-verify check --server URL --api-key KEY [options] [FILE|FOLDER...]`)
    .argument('[FILE|FOLDER...]', 'the images to check; without any, the files of the --claims manifest')
    .option(
      '--claims <FILE>',
      `claims manifest CSV: file,names[,category]; file is relative to the manifest, names are separated by ";" in reading order. Images without a row are only identified.`,
    )
    .option('--json <FILE>', 'write the report as JSON')
    .option('--csv <FILE>', 'write the report as CSV, one row per face')
    .option(
      '--html <FILE>',
      'write one HTML page to read or send: what is wrong first, then each draft with its faces numbered and the evidence',
    )
    .option(
      '--read-captions',
      'read the names of images without names in the claims manifest from their captions too (a PDF page always is, unless --no-read-captions): a PDF text layer where there is one, else OCR (English, Ukrainian, Russian; offline), paired with the faces by layout; a title above the portraits that names a registry category sets the category. Names read are resolved like typed names (a name the registry does not know is reported with suggestions). Names given in the manifest always win. The reports say which names were read, where, and how sure',
    )
    .option('--no-read-captions', 'never read names from captions, not even of a PDF: images without names are only identified')
    .optionsGroup('Offline, against a registry folder:')
    .option('--registry <DIR>', 'registry folder: one folder per person with person.json and reference photos')
    .option('--cache <FILE>', `descriptor cache (default: DIR/${defaultCacheName})`)
    .option('--threads <N>', 'inference threads (default: ENGINE_THREADS, 0 = one per core)')
    .option('--descriptor <MODE>', `${descriptorModes.join(' or ')} (default: DESCRIPTOR, face-api); a change re-embeds the registry`)
    .optionsGroup('Through the service:')
    .option('--server <URL>', 'the service, e.g. http://localhost:3000')
    .option('--api-key <KEY>', 'an API key with the submitter role')
    .option('--category <NAME>', 'the category every image claims, unless the manifest says otherwise')
    .addHelpText('after', checkExitStatus)
    .action(async (paths: string[], options: CheckOptions, command: Command) => {
      if (options.server !== undefined) {
        const misplaced = given(options, offlineOnly);
        if (misplaced.length > 0)
          throw new UsageError(
            `${misplaced.join(', ')}: for the offline check only; with --server the service's registry and settings are used`,
          );
        setExitStatus(command, await runRemoteCheck(options, paths));
        return;
      }
      const misplaced = given(options, serverOnly);
      if (misplaced.length > 0) throw new UsageError(`${misplaced.join(', ')}: for the check through the service only; give --server URL`);
      setExitStatus(command, await runCheck(options, paths));
    });
}
