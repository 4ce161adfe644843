import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { contentHash } from '../domain/content-hash.js';
import { enrolledPhotoWarnings } from '../domain/evaluate.js';
import type { RegistryPerson } from '../domain/types.js';
import { readRegistryFolder } from '../registry-folder/folder.js';
import type { Person } from '../store/people.js';
import type { ReferencePhoto } from '../store/reference-photos.js';
import { ApiClient } from './api-client.js';
import { setExitStatus, UsageError } from './command.js';
import { createProgress } from './progress.js';
import { noUsablePhotoWarning, weakPhotoNote } from './registry-summary.js';

export interface PushOutcome {
  peopleCreated: number;
  peopleUpdated: number;
  photosUploaded: number;
  photosUnchanged: number;
  rejected: Array<{ referencePhoto: string; reason: string }>;
  /** Enrolled photos below what a good reference shows, with why. */
  weak: Array<{ referencePhoto: string; warnings: string[] }>;
  /** Names of people of the folder left with no enrolled photo: no face can be confirmed as them. */
  peopleWithoutPhotos: string[];
}

/** `photo-verify registry push ./registry --server URL --api-key KEY`. */
export function registryCommand(): Command {
  const push = new Command('push')
    .summary('import a registry folder into the service')
    .description(
      `Imports a registry folder into the service: people by their folder id, reference photos by content. Pushing the same folder again changes nothing. Waits for enrolment and lists the photos it rejected, with the reason, unless --no-wait.`,
    )
    .usage('REGISTRY_FOLDER --server URL --api-key KEY [--no-wait]')
    .argument('<REGISTRY_FOLDER>', 'one folder per person with person.json and reference photos')
    .option('--server <URL>', 'the service, e.g. http://localhost:3000')
    .option('--api-key <KEY>', 'an API key with the curator role')
    .option('--no-wait', 'do not wait for enrolment (nor list the photos it rejects)')
    .addHelpText('after', '\nExit status: 0 pushed, 1 pushed but some photos were rejected, 2 a usage or input error.')
    .action(async (folder: string, options: PushOptions, command: Command) => {
      setExitStatus(command, await registryPush(folder, options));
    });
  return new Command('registry')
    .summary("the service's registry (registry push)")
    .description("The service's registry of people and their reference photos.")
    .addCommand(push);
}

interface PushOptions {
  server?: string;
  apiKey?: string;
  wait: boolean;
}

async function registryPush(folder: string, values: PushOptions): Promise<number> {
  if (!values.server || !values.apiKey) throw new UsageError('give --server URL and --api-key KEY');
  const outcome = await pushRegistry(folder, new ApiClient(values.server, values.apiKey), { wait: values.wait });
  process.stdout.write(
    `people: ${outcome.peopleCreated} created, ${outcome.peopleUpdated} updated; reference photos: ${outcome.photosUploaded} uploaded, ${outcome.photosUnchanged} already there\n`,
  );
  // What a curator must act on first: people no face can be matched to.
  for (const name of outcome.peopleWithoutPhotos) {
    process.stdout.write(`${noUsablePhotoWarning(name)}\n`);
  }
  for (const rejected of outcome.rejected) process.stdout.write(`rejected ${rejected.referencePhoto}: ${rejected.reason}\n`);
  for (const photo of outcome.weak) process.stdout.write(`${weakPhotoNote(photo)}\n`);
  return outcome.rejected.length > 0 ? 1 : 0;
}

/** Makes the service's registry hold what the folder holds; what is already there is left alone. */
export async function pushRegistry(folder: string, client: ApiClient, options: { wait: boolean; pollMs?: number }): Promise<PushOutcome> {
  const registry = await readRegistryFolder(folder);
  const outcome: PushOutcome = {
    peopleCreated: 0,
    peopleUpdated: 0,
    photosUploaded: 0,
    photosUnchanged: 0,
    rejected: [],
    weak: [],
    peopleWithoutPhotos: [],
  };
  const progress = createProgress(process.stderr, 'pushing', registry.people.length + registry.photos.length);
  const pushed: Array<{ personId: string; photoId: string; referencePhoto: string }> = [];

  for (const person of registry.people) {
    const fields = personFields(person);
    const existing = await client.find<Person>(`/v1/people/${person.id}`);
    if (!existing) {
      await client.json('POST', '/v1/people', { id: person.id, ...fields });
      outcome.peopleCreated++;
    } else if (differs(existing, fields)) {
      await client.json('PATCH', `/v1/people/${person.id}`, fields);
      outcome.peopleUpdated++;
    }
    progress.tick(person.id);
    const { photos } = await client.json<{ photos: ReferencePhoto[] }>('GET', `/v1/people/${person.id}/photos`);
    const stored = new Map(photos.map((photo) => [photo.fileHash, photo]));
    for (const file of registry.photos.filter((photo) => photo.personId === person.id)) {
      const bytes = await readFile(file.path);
      let photo = stored.get(contentHash(bytes));
      if (photo) outcome.photosUnchanged++;
      else {
        photo = await client.upload<ReferencePhoto>(
          `/v1/people/${person.id}/photos`,
          { bytes, name: file.referencePhoto.split('/').pop()! },
          { provenance: `registry folder: ${file.referencePhoto}` },
        );
        outcome.photosUploaded++;
      }
      pushed.push({ personId: person.id, photoId: photo.id, referencePhoto: file.referencePhoto });
      progress.tick(file.referencePhoto);
    }
  }
  progress.done();
  if (!options.wait) return outcome;

  // Enrolment runs on the workers: wait until every pushed photo is active or rejected.
  const enrolled = new Set<string>();
  for (const photo of pushed) {
    for (;;) {
      const current = await client.json<ReferencePhoto>('GET', `/v1/people/${photo.personId}/photos/${photo.photoId}`);
      if (current.status === 'rejected')
        outcome.rejected.push({ referencePhoto: photo.referencePhoto, reason: current.rejectionReason ?? 'rejected' });
      if (current.status === 'active') {
        enrolled.add(photo.personId);
        const warnings = enrolledPhotoWarnings(current);
        if (warnings.length > 0) outcome.weak.push({ referencePhoto: photo.referencePhoto, warnings });
      }
      if (current.status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }
  outcome.peopleWithoutPhotos = registry.people.filter((person) => !enrolled.has(person.id)).map((person) => person.name);
  return outcome;
}

function personFields(person: RegistryPerson) {
  return {
    name: person.name,
    aliases: person.aliases,
    category: person.category ?? null,
    region: person.region ?? null,
    status: person.status ?? null,
  };
}

function differs(existing: Person, fields: ReturnType<typeof personFields>): boolean {
  return (Object.keys(fields) as Array<keyof typeof fields>).some((key) => JSON.stringify(existing[key]) !== JSON.stringify(fields[key]));
}
