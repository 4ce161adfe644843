import type { Box, FaceQuality, ReferenceDescriptor } from '../domain/types.js';
import type { Queryable } from './db.js';

export type ReferencePhotoStatus = 'pending' | 'active' | 'rejected' | 'retired';

export interface ReferencePhoto {
  id: string;
  personId: string;
  fileHash: string;
  fileName: string | null;
  format: string | null;
  provenance: string | null;
  status: ReferencePhotoStatus;
  rejectionReason: string | null;
  chosenBox: Box | null;
  faceBox: Box | null;
  model: string | null;
  quality: FaceQuality | null;
  /** What enrolment told the curator (see enrolledPhotoWarnings); null when enrolled before it was recorded. */
  enrolmentWarnings: string[] | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewReferencePhoto {
  personId: string;
  fileHash: string;
  fileName: string | null;
  format: string;
  provenance: string | null;
  chosenBox: Box | null;
}

export interface Enrolment {
  faceBox: Box;
  descriptor: number[];
  model: string;
  quality: FaceQuality;
  warnings: string[];
}

const columns = `id, person_id as "personId", file_hash as "fileHash", file_name as "fileName", format, provenance, status,
  rejection_reason as "rejectionReason", chosen_box as "chosenBox", face_box as "faceBox", model, quality,
  enrolment_warnings as "enrolmentWarnings", to_json(created_at) #>> '{}' as "createdAt", to_json(updated_at) #>> '{}' as "updatedAt"`;

export class ReferencePhotoRepository {
  constructor(private readonly db: Queryable) {}

  async get(id: string): Promise<ReferencePhoto | null> {
    const { rows } = await this.db.query<ReferencePhoto>(`select ${columns} from reference_photos where id = $1`, [id]);
    return rows[0] ?? null;
  }

  async listForPerson(personId: string): Promise<ReferencePhoto[]> {
    const { rows } = await this.db.query<ReferencePhoto>(
      `select ${columns} from reference_photos where person_id = $1 order by created_at, id`,
      [personId],
    );
    return rows;
  }

  /** Inserts the photo, or returns the one already stored for this person and file (created: false). */
  async insertOnce(photo: NewReferencePhoto): Promise<{ photo: ReferencePhoto; created: boolean }> {
    const inserted = await this.db.query<ReferencePhoto>(
      `insert into reference_photos (person_id, file_hash, file_name, format, provenance, chosen_box)
       values ($1, $2, $3, $4, $5, $6) on conflict (person_id, file_hash) do nothing returning ${columns}`,
      [photo.personId, photo.fileHash, photo.fileName, photo.format, photo.provenance, photo.chosenBox],
    );
    if (inserted.rows[0]) return { photo: inserted.rows[0], created: true };
    const { rows } = await this.db.query<ReferencePhoto>(
      `select ${columns} from reference_photos where person_id = $1 and file_hash = $2`,
      [photo.personId, photo.fileHash],
    );
    return { photo: rows[0], created: false };
  }

  /** Records a successful enrolment, unless the photo was retired meanwhile. */
  async activate(id: string, enrolment: Enrolment): Promise<ReferencePhoto | null> {
    const { rows } = await this.db.query<ReferencePhoto>(
      `update reference_photos set status = 'active', rejection_reason = null, face_box = $2, descriptor = $3, model = $4, quality = $5,
         enrolment_warnings = $6, updated_at = now() where id = $1 and status in ('pending', 'active') returning ${columns}`,
      [id, enrolment.faceBox, enrolment.descriptor, enrolment.model, enrolment.quality, JSON.stringify(enrolment.warnings)],
    );
    return rows[0] ?? null;
  }

  async reject(id: string, reason: string, quality: FaceQuality | null): Promise<ReferencePhoto | null> {
    const { rows } = await this.db.query<ReferencePhoto>(
      `update reference_photos set status = 'rejected', rejection_reason = $2, quality = $3, descriptor = null, enrolment_warnings = null, updated_at = now()
       where id = $1 and status in ('pending', 'active') returning ${columns}`,
      [id, reason, quality],
    );
    return rows[0] ?? null;
  }

  async retire(id: string): Promise<ReferencePhoto | null> {
    const { rows } = await this.db.query<ReferencePhoto>(
      `update reference_photos set status = 'retired', updated_at = now() where id = $1 returning ${columns}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Photos whose descriptors were made by another model (or never made): to enrol again. */
  /** Photos never enrolled, and active photos described by another model (named, so their re-embedding is queued once). */
  async needingEnrolment(model: string): Promise<Array<{ id: string; model: string | null }>> {
    const { rows } = await this.db.query<{ id: string; model: string | null }>(
      `select id, case when status = 'active' then model end as model from reference_photos
       where status = 'pending' or (status = 'active' and model is distinct from $1)`,
      [model],
    );
    return rows;
  }

  /** Active photos still described by another model: until they are re-embedded, the registry is incomplete. */
  async staleCount(model: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `select count(*)::int as count from reference_photos where status = 'active' and model is distinct from $1`,
      [model],
    );
    return rows[0].count;
  }

  /** Every active reference descriptor made by this model: what checks compare against. */
  async activeDescriptors(model: string): Promise<ReferenceDescriptor[]> {
    const { rows } = await this.db.query<ReferenceDescriptor>(
      `select person_id as "personId", id as "referencePhoto", descriptor from reference_photos
       where status = 'active' and model = $1 order by person_id, created_at`,
      [model],
    );
    return rows;
  }

  async fileHashes(ids: string[]): Promise<Map<string, { fileHash: string; personId: string; fileName: string | null }>> {
    const { rows } = await this.db.query<{ id: string; fileHash: string; personId: string; fileName: string | null }>(
      `select id, file_hash as "fileHash", person_id as "personId", file_name as "fileName" from reference_photos where id = any($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }
}

export interface RegistryOverview {
  version: number;
  people: number;
  referencePhotos: Record<ReferencePhotoStatus, number>;
  /** Names of people with no active reference photo: no face can match them. */
  peopleWithoutPhotos: string[];
}

export class RegistryStateRepository {
  constructor(private readonly db: Queryable) {}

  async overview(): Promise<RegistryOverview> {
    const [version, people, photos, without] = await Promise.all([
      this.version(),
      this.db.query<{ count: number }>('select count(*)::int as count from people'),
      this.db.query<{ status: ReferencePhotoStatus; count: number }>(
        'select status, count(*)::int as count from reference_photos group by status',
      ),
      this.db.query<{ name: string }>(
        `select name from people where not exists (select 1 from reference_photos where person_id = people.id and status = 'active') order by name`,
      ),
    ]);
    const referencePhotos: Record<ReferencePhotoStatus, number> = { pending: 0, active: 0, rejected: 0, retired: 0 };
    for (const row of photos.rows) referencePhotos[row.status] = row.count;
    return { version, people: people.rows[0].count, referencePhotos, peopleWithoutPhotos: without.rows.map((row) => row.name) };
  }

  async version(): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>('select version from registry_state');
    return rows[0].version;
  }

  /** Called in the transaction of every change to people or active reference photos. */
  async bump(): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>('update registry_state set version = version + 1 returning version');
    return rows[0].version;
  }
}
