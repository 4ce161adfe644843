import type { CaptionsReport, Claim, FaceResult } from '../domain/results.js';
import type { Finding } from '../domain/types.js';
import type { Queryable } from './db.js';

export type CheckStatus = 'queued' | 'processing' | 'done' | 'failed';
export type ReviewDecision = 'photo_correct' | 'photo_wrong' | 'needs_follow_up';

export interface CheckRecord {
  id: string;
  batchId: string | null;
  fileHash: string;
  fileName: string | null;
  format: string | null;
  /** A PDF page's check: the PDF's content hash and the page number (from 1); null for an image. */
  documentHash: string | null;
  page: number | null;
  /** Whether the names are read from the captions when none are given. */
  readCaptions: boolean;
  /** What was read from the captions, once the check is done; null when they were not read. */
  captions: CaptionsReport | null;
  category: string | null;
  status: CheckStatus;
  flagged: boolean | null;
  findings: Finding[] | null;
  model: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  reviewDecision: ReviewDecision | null;
  reviewNote: string | null;
  reviewedAt: string | null;
}

export interface CheckWithResult extends CheckRecord {
  claims: Claim[];
  faces: FaceResult[];
}

export interface NewCheck {
  batchId: string | null;
  fileHash: string;
  fileName: string | null;
  format: string;
  documentHash?: string | null;
  page?: number | null;
  readCaptions?: boolean;
  category: string | null;
  claims: Claim[];
  submittedBy: string | null;
}

export interface CheckFilter {
  flagged?: boolean;
  batchId?: string;
  status?: CheckStatus;
  limit: number;
  offset: number;
}

/** The review desk's inbox: what the verification team filters by. */
export interface InboxFilter {
  flagged?: boolean;
  decided?: boolean;
  batchId?: string;
  /** Checks with a face claimed as, or matching, this registry person. */
  personId?: string;
  /** Submitted on or after / before this day (YYYY-MM-DD, UTC). */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export interface InboxCounts {
  total: number;
  flagged: number;
  flaggedUndecided: number;
  decided: number;
}

export interface CheckOutcome {
  findings: Finding[];
  faces: FaceResult[];
  flagged: boolean;
  model: string;
  captions?: CaptionsReport | null;
}

const ts = (column: string, alias: string) => `to_json(${column}) #>> '{}' as "${alias}"`;
const columns = `id, batch_id as "batchId", file_hash as "fileHash", file_name as "fileName", format, document_hash as "documentHash", page,
  read_captions as "readCaptions", captions, category, status, flagged, findings,
  model, error_code as "errorCode", error_message as "errorMessage", attempts, ${ts('created_at', 'createdAt')},
  ${ts('started_at', 'startedAt')}, ${ts('completed_at', 'completedAt')}, review_decision as "reviewDecision",
  review_note as "reviewNote", ${ts('reviewed_at', 'reviewedAt')}`;

export class CheckRepository {
  constructor(private readonly db: Queryable) {}

  async insert(check: NewCheck): Promise<CheckRecord> {
    const { rows } = await this.db.query<CheckRecord>(
      `insert into checks (batch_id, file_hash, file_name, format, category, submitted_by, document_hash, page, read_captions)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${columns}`,
      [
        check.batchId,
        check.fileHash,
        check.fileName,
        check.format,
        check.category,
        check.submittedBy,
        check.documentHash ?? null,
        check.page ?? null,
        check.readCaptions ?? false,
      ],
    );
    // One statement for all the claims, however many: a long list costs one round trip, not one per name.
    if (check.claims.length > 0) {
      await this.db.query(
        `insert into claims (check_id, position, text, box)
         select $1, claim.position - 1, claim.text, claim.box from unnest($2::text[], $3::jsonb[]) with ordinality as claim(text, box, position)`,
        [rows[0].id, check.claims.map((claim) => claim.text), check.claims.map((claim) => (claim.box ? JSON.stringify(claim.box) : null))],
      );
    }
    return rows[0];
  }

  /** Removes a check that never reached the queue (its claims and faces go with it). */
  async delete(id: string): Promise<void> {
    await this.db.query('delete from checks where id = $1', [id]);
  }

  async get(id: string): Promise<CheckRecord | null> {
    const { rows } = await this.db.query<CheckRecord>(`select ${columns} from checks where id = $1`, [id]);
    return rows[0] ?? null;
  }

  async claims(id: string): Promise<Claim[]> {
    const { rows } = await this.db.query<{ text: string; box: Claim['box'] | null }>(
      'select text, box from claims where check_id = $1 order by position',
      [id],
    );
    return rows.map((row) => (row.box ? { text: row.text, box: row.box } : { text: row.text }));
  }

  async faces(id: string): Promise<FaceResult[]> {
    const { rows } = await this.db.query<{ result: FaceResult }>('select result from faces where check_id = $1 order by position', [id]);
    return rows.map((row) => row.result);
  }

  /** The stored evidence image of a face (its content hash), or null when none was rendered yet. */
  async evidenceHash(id: string, position: number): Promise<string | null> {
    const { rows } = await this.db.query<{ hash: string | null }>(
      'select evidence_hash as hash from faces where check_id = $1 and position = $2',
      [id, position],
    );
    return rows[0]?.hash ?? null;
  }

  async setEvidence(id: string, position: number, hash: string): Promise<void> {
    await this.db.query('update faces set evidence_hash = $3 where check_id = $1 and position = $2', [id, position, hash]);
  }

  async getWithResult(id: string): Promise<CheckWithResult | null> {
    const check = await this.get(id);
    if (!check) return null;
    return { ...check, claims: await this.claims(id), faces: await this.faces(id) };
  }

  async list(filter: CheckFilter): Promise<{ checks: CheckRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.flagged !== undefined) {
      params.push(filter.flagged);
      where.push(`coalesce(flagged, false) = $${params.length}`);
    }
    if (filter.batchId) {
      params.push(filter.batchId);
      where.push(`batch_id = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    const clause = where.length ? `where ${where.join(' and ')}` : '';
    const total = await this.db.query<{ count: number }>(`select count(*)::int as count from checks ${clause}`, params);
    params.push(filter.limit, filter.offset);
    const { rows } = await this.db.query<CheckRecord>(
      `select ${columns} from checks ${clause} order by created_at desc, id limit $${params.length - 1} offset $${params.length}`,
      params,
    );
    return { checks: rows, total: total.rows[0].count };
  }

  /**
   * The review desk's inbox: flagged checks not yet decided first, then the rest, newest first
   * within each; with the counts of everything the filter matches.
   */
  async inbox(filter: InboxFilter): Promise<{ checks: CheckRecord[]; counts: InboxCounts }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (at: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.flagged !== undefined) add((at) => `coalesce(flagged, false) = ${at}`, filter.flagged);
    if (filter.decided !== undefined) add((at) => `(review_decision is not null) = ${at}`, filter.decided);
    if (filter.batchId) add((at) => `batch_id = ${at}`, filter.batchId);
    if (filter.personId)
      add(
        (at) => `exists (select 1 from faces f where f.check_id = checks.id and (f.claim_person_id = ${at} or f.best_person_id = ${at}))`,
        filter.personId,
      );
    if (filter.from) add((at) => `created_at >= ${at}::date`, filter.from);
    if (filter.to) add((at) => `created_at < ${at}::date + 1`, filter.to);
    const clause = where.length ? `where ${where.join(' and ')}` : '';
    const counts = await this.db.query<InboxCounts>(
      `select count(*)::int as total, count(*) filter (where flagged)::int as flagged,
         count(*) filter (where flagged and review_decision is null)::int as "flaggedUndecided",
         count(*) filter (where review_decision is not null)::int as decided
       from checks ${clause}`,
      params,
    );
    params.push(filter.limit, filter.offset);
    const { rows } = await this.db.query<CheckRecord>(
      `select ${columns} from checks ${clause}
       order by (coalesce(flagged, false) and review_decision is null) desc, created_at desc, id
       limit $${params.length - 1} offset $${params.length}`,
      params,
    );
    return { checks: rows, counts: counts.rows[0] };
  }

  /** Marks the check as being worked on; null when it has already ended (a repeated job). */
  async start(id: string): Promise<CheckRecord | null> {
    const { rows } = await this.db.query<CheckRecord>(
      `update checks set status = 'processing', attempts = attempts + 1, started_at = coalesce(started_at, now())
       where id = $1 and status in ('queued', 'processing') returning ${columns}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Replaces any earlier result of this check as a whole: a job run twice leaves one result. */
  async saveOutcome(id: string, outcome: CheckOutcome): Promise<CheckRecord> {
    await this.db.query('delete from faces where check_id = $1', [id]);
    for (const [position, face] of outcome.faces.entries()) {
      await this.db.query(
        'insert into faces (check_id, position, verdict, claim_person_id, best_person_id, result) values ($1, $2, $3, $4, $5, $6)',
        [id, position, face.verdict, face.claim?.personId ?? null, face.bestMatch?.personId ?? null, JSON.stringify(face)],
      );
    }
    const { rows } = await this.db.query<CheckRecord>(
      `update checks set status = 'done', flagged = $2, findings = $3, model = $4, captions = $5, error_code = null, error_message = null,
         completed_at = now() where id = $1 returning ${columns}`,
      [id, outcome.flagged, JSON.stringify(outcome.findings), outcome.model, outcome.captions ? JSON.stringify(outcome.captions) : null],
    );
    return rows[0];
  }

  async saveFailure(id: string, error: { code: string; message: string }): Promise<CheckRecord | null> {
    const { rows } = await this.db.query<CheckRecord>(
      `update checks set status = 'failed', flagged = true, error_code = $2, error_message = $3, completed_at = now()
       where id = $1 and status in ('queued', 'processing') returning ${columns}`,
      [id, error.code, error.message],
    );
    return rows[0] ?? null;
  }

  async review(id: string, decision: ReviewDecision, note: string | null, reviewer: string | null): Promise<CheckRecord | null> {
    const { rows } = await this.db.query<CheckRecord>(
      `update checks set review_decision = $2, review_note = $3, reviewed_by = $4, reviewed_at = now() where id = $1 returning ${columns}`,
      [id, decision, note, reviewer],
    );
    return rows[0] ?? null;
  }

  /** Checks still open this long after submission: their job may have been lost; queueing again is harmless. */
  async orphaned(olderThanMs: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `select id from checks where status in ('queued', 'processing') and created_at < now() - make_interval(secs => $1)`,
      [olderThanMs / 1000],
    );
    return rows.map((row) => row.id);
  }

  async verdictCounts(): Promise<Array<{ verdict: string; count: number }>> {
    const { rows } = await this.db.query<{ verdict: string; count: number }>(
      'select verdict, count(*)::int as count from faces group by verdict',
    );
    return rows;
  }

  async statusCounts(): Promise<Array<{ status: string; count: number }>> {
    const { rows } = await this.db.query<{ status: string; count: number }>(
      'select status, count(*)::int as count from checks group by status',
    );
    return rows;
  }
}
