import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { referencePhotoWarnings } from '../domain/evaluate.js';
import type { RegistryPerson } from '../domain/types.js';
import { AppError } from '../errors.js';
import { readRegistryFolder } from '../registry-folder/folder.js';
import type { Person } from '../store/people.js';
import type { ReferencePhoto } from '../store/reference-photos.js';
import { fileHash } from '../store/upload-files.js';
import { ApiClient } from './api-client.js';
import { createProgress } from './progress.js';
import { noUsablePhotoWarning, weakPhotoNote } from './registry-summary.js';

const usage = `Usage: photo-verify registry push REGISTRY_FOLDER --server URL --api-key KEY [--no-wait]

Imports a registry folder into the service: people by their folder id, reference photos by
content. Pushing the same folder again changes nothing. Waits for enrolment and lists the photos
it rejected, with the reason, unless --no-wait.

Exit status: 0 pushed, 1 pushed but some photos were rejected, 2 a usage or input error.
`;

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
export async function registryPushCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: 'string' },
      'api-key': { type: 'string' },
      'no-wait': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [folder] = positionals;
  if (!folder || !values.server || !values['api-key'])
    throw new AppError('VALIDATION', 'give the registry folder, --server URL and --api-key KEY');
  const outcome = await pushRegistry(folder, new ApiClient(values.server, values['api-key']), { wait: !values['no-wait'] });
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
      let photo = stored.get(fileHash(bytes));
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
        const warnings = current.quality ? referencePhotoWarnings(current.quality) : [];
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
