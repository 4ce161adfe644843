import { isUuid } from '../domain/ids.js';
import { normaliseName, transliterate } from '../domain/names.js';
import type { Box } from '../domain/types.js';
import { AppError } from '../errors.js';
import { validateImage } from '../images/validate.js';
import type { Queues } from '../queues/queues.js';
import type { Store } from '../store/index.js';
import type { PeopleFilter, Person, PersonFields } from '../store/people.js';
import type { ReferencePhoto, RegistryOverview } from '../store/reference-photos.js';
import type { UploadStore } from '../store/upload-files.js';

export type { PeopleFilter, Person } from '../store/people.js';
export type { ReferencePhoto, ReferencePhotoStatus, RegistryOverview } from '../store/reference-photos.js';

export interface PersonInput {
  id?: string;
  name: string;
  aliases?: string[];
  category?: string | null;
  region?: string | null;
  status?: string | null;
  notes?: string | null;
}

export interface ReferencePhotoUpload {
  bytes: Buffer;
  fileName: string | null;
  provenance: string | null;
  /** The face to enrol when the photo shows several people. */
  box: Box | null;
}

/** A person's id: the slug the registry folder uses, e.g. "enver-bekirov". */
export function personSlug(name: string): string {
  return normaliseName(transliterate(name)).replaceAll(' ', '-');
}

/** The registry as curators change it: every change is audited and moves the registry version workers watch. */
export class RegistryService {
  constructor(
    private readonly store: Store,
    private readonly uploads: UploadStore,
    private readonly queues: Pick<Queues, 'enqueueEnrolment'>,
    private readonly limits: { maxPixels: number },
  ) {}

  /** The registry at a glance: its version, people, reference photos by status, people no face can match. */
  overview(): Promise<RegistryOverview> {
    return this.store.registryState.overview();
  }

  /** People whose name, id or alias contains the search text, optionally of one category; and how many match. */
  listPeople(filter: PeopleFilter): Promise<{ people: Person[]; total: number }> {
    return this.store.people.list(filter);
  }

  async createPerson(input: PersonInput, actor: string | null): Promise<Person> {
    const id = input.id ?? personSlug(input.name);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id))
      throw new AppError('VALIDATION', `a person id is lower-case letters, digits and hyphens, e.g. "enver-bekirov"; got "${id}"`);
    return this.store.transaction(async (tx) => {
      const person = await tx.people.insert(id, fieldsOf(input));
      if (!person) throw new AppError('CONFLICT', `a person with id "${id}" already exists`);
      await tx.audit.record({ actor, action: 'person.created', subject: `person:${id}`, details: { ...fieldsOf(input) } });
      await tx.registryState.bump();
      return person;
    });
  }

  async getPerson(id: string): Promise<Person> {
    const person = await this.store.people.get(id);
    if (!person) throw new AppError('NOT_FOUND', `no person with id "${id}"`);
    return person;
  }

  /** Changes the given fields only; the audit log keeps what they were before. */
  async updatePerson(id: string, changes: Partial<PersonInput>, actor: string | null): Promise<Person> {
    return this.store.transaction(async (tx) => {
      const before = await tx.people.get(id);
      if (!before) throw new AppError('NOT_FOUND', `no person with id "${id}"`);
      const merged = fieldsOf({ ...before, ...changes, name: changes.name ?? before.name });
      const person = await tx.people.update(id, merged);
      const changed = Object.fromEntries(
        Object.entries(merged).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key as keyof PersonFields])),
      );
      if (Object.keys(changed).length > 0) {
        const previous = Object.fromEntries(Object.keys(changed).map((key) => [key, before[key as keyof PersonFields]]));
        await tx.audit.record({ actor, action: 'person.updated', subject: `person:${id}`, details: { changed, previous } });
        await tx.registryState.bump();
      }
      return person!;
    });
  }

  async deletePerson(id: string, actor: string | null): Promise<void> {
    await this.store.transaction(async (tx) => {
      const before = await tx.people.get(id);
      if (!before || !(await tx.people.delete(id))) throw new AppError('NOT_FOUND', `no person with id "${id}"`);
      await tx.audit.record({ actor, action: 'person.deleted', subject: `person:${id}`, details: { previous: before } });
      await tx.registryState.bump();
    });
  }

  /**
   * Stores the photo and queues it for enrolment. The same file for the same person is kept once:
   * sending it again answers the photo already stored (created: false) and queues nothing.
   */
  async addReferencePhoto(
    personId: string,
    upload: ReferencePhotoUpload,
    actor: string | null,
  ): Promise<{ photo: ReferencePhoto; created: boolean }> {
    await this.getPerson(personId);
    const { format } = await validateImage(upload.bytes, this.limits.maxPixels);
    const { hash } = await this.uploads.put(upload.bytes);
    const result = await this.store.transaction(async (tx) => {
      const added = await tx.referencePhotos.insertOnce({
        personId,
        fileHash: hash,
        fileName: upload.fileName,
        format,
        provenance: upload.provenance,
        chosenBox: upload.box,
      });
      if (added.created) {
        await tx.audit.record({
          actor,
          action: 'reference_photo.added',
          subject: `person:${personId}`,
          details: { referencePhoto: added.photo.id, fileHash: hash, fileName: upload.fileName, provenance: upload.provenance },
        });
      }
      return added;
    });
    if (result.created) await this.queues.enqueueEnrolment(result.photo.id);
    return result;
  }

  /**
   * Waits (polling the store) until a worker has enrolled or rejected the photo, or the time is up.
   * A rejection is REFERENCE_PHOTO_REJECTED with the reason, so a curator hears it in the answer.
   */
  async awaitEnrolment(photoId: string, timeoutMs: number): Promise<ReferencePhoto> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const photo = await this.store.referencePhotos.get(photoId);
      if (!photo) throw new AppError('NOT_FOUND', `reference photo ${photoId} was deleted`);
      if (photo.status === 'rejected')
        throw new AppError('REFERENCE_PHOTO_REJECTED', photo.rejectionReason ?? 'enrolment rejected the photo', { referencePhoto: photo });
      if (photo.status !== 'pending' || Date.now() >= deadline) return photo;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async listReferencePhotos(personId: string): Promise<ReferencePhoto[]> {
    await this.getPerson(personId);
    return this.store.referencePhotos.listForPerson(personId);
  }

  async getReferencePhoto(personId: string, photoId: string): Promise<ReferencePhoto> {
    const photo = isUuid(photoId) ? await this.store.referencePhotos.get(photoId) : null;
    if (!photo || photo.personId !== personId) throw new AppError('NOT_FOUND', `person "${personId}" has no reference photo ${photoId}`);
    return photo;
  }

  /** A photo that turned out wrong stops counting at once; it stays on record, marked retired. */
  async retireReferencePhoto(personId: string, photoId: string, reason: string | null, actor: string | null): Promise<ReferencePhoto> {
    await this.getReferencePhoto(personId, photoId);
    return this.store.transaction(async (tx) => {
      const photo = await tx.referencePhotos.retire(photoId);
      await tx.audit.record({
        actor,
        action: 'reference_photo.retired',
        subject: `person:${personId}`,
        details: { referencePhoto: photoId, reason },
      });
      await tx.registryState.bump();
      return photo!;
    });
  }

  async referencePhotoFile(personId: string, photoId: string): Promise<{ bytes: Buffer; format: string | null }> {
    const photo = await this.getReferencePhoto(personId, photoId);
    return { bytes: await this.uploads.get(photo.fileHash), format: photo.format };
  }
}

function fieldsOf(input: PersonInput | (PersonFields & { name: string })): PersonFields {
  return {
    name: input.name.trim(),
    aliases: [...new Set((input.aliases ?? []).map((alias) => alias.trim()).filter(Boolean))],
    category: input.category ?? null,
    region: input.region ?? null,
    status: input.status ?? null,
    notes: input.notes ?? null,
  };
}
