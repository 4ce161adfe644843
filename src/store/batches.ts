import type { Queryable } from './db.js';

export interface BatchRecord {
  id: string;
  name: string | null;
  category: string | null;
  closedAt: string | null;
  completedAt: string | null;
  createdAt: string;
}

export interface BatchProgress {
  total: number;
  queued: number;
  processing: number;
  done: number;
  failed: number;
}

export interface BatchSummary {
  images: number;
  faces: number;
  flagged: number;
  errors: number;
  verdicts: Record<string, number>;
  flaggedChecks: string[];
}

const columns = `id, name, category, to_json(closed_at) #>> '{}' as "closedAt", to_json(completed_at) #>> '{}' as "completedAt",
  to_json(created_at) #>> '{}' as "createdAt"`;

/** A batch as the review desk's inbox lists it: with its checks counted. */
export interface BatchListItem extends BatchRecord {
  checks: number;
  open: number;
  flagged: number;
  flaggedUndecided: number;
}

export class BatchRepository {
  constructor(private readonly db: Queryable) {}

  /** The newest batches with their counts; those with flagged checks not yet decided first. */
  async recent(limit: number): Promise<BatchListItem[]> {
    const { rows } = await this.db.query<BatchListItem>(
      `select b.id, b.name, b.category, to_json(b.closed_at) #>> '{}' as "closedAt", to_json(b.completed_at) #>> '{}' as "completedAt",
         to_json(b.created_at) #>> '{}' as "createdAt", count(c.id)::int as checks,
         count(c.id) filter (where c.status in ('queued', 'processing'))::int as open,
         count(c.id) filter (where c.flagged)::int as flagged,
         count(c.id) filter (where c.flagged and c.review_decision is null)::int as "flaggedUndecided"
       from batches b left join checks c on c.batch_id = b.id
       group by b.id order by count(c.id) filter (where c.flagged and c.review_decision is null) > 0 desc, b.created_at desc limit $1`,
      [limit],
    );
    return rows;
  }

  async insert(batch: { name: string | null; category: string | null; createdBy: string | null }): Promise<BatchRecord> {
    const { rows } = await this.db.query<BatchRecord>(
      `insert into batches (name, category, created_by) values ($1, $2, $3) returning ${columns}`,
      [batch.name, batch.category, batch.createdBy],
    );
    return rows[0];
  }

  async get(id: string): Promise<BatchRecord | null> {
    const { rows } = await this.db.query<BatchRecord>(`select ${columns} from batches where id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Holds the batch row until the transaction ends: checks of one batch ending at once take turns. */
  async lock(id: string): Promise<void> {
    await this.db.query('select id from batches where id = $1 for update', [id]);
  }

  async close(id: string): Promise<BatchRecord | null> {
    const { rows } = await this.db.query<BatchRecord>(
      `update batches set closed_at = coalesce(closed_at, now()) where id = $1 returning ${columns}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async progress(id: string): Promise<BatchProgress> {
    const { rows } = await this.db.query<{ status: string; count: number }>(
      'select status, count(*)::int as count from checks where batch_id = $1 group by status',
      [id],
    );
    const progress: BatchProgress = { total: 0, queued: 0, processing: 0, done: 0, failed: 0 };
    for (const row of rows) {
      progress[row.status as keyof Omit<BatchProgress, 'total'>] = row.count;
      progress.total += row.count;
    }
    return progress;
  }

  async summary(id: string): Promise<BatchSummary> {
    const checks = await this.db.query<{ id: string; status: string; flagged: boolean | null }>(
      'select id, status, flagged from checks where batch_id = $1 order by created_at, id',
      [id],
    );
    const verdicts = await this.db.query<{ verdict: string; count: number }>(
      'select verdict, count(*)::int as count from faces join checks on checks.id = faces.check_id where batch_id = $1 group by verdict',
      [id],
    );
    const counts = Object.fromEntries(verdicts.rows.map((row) => [row.verdict, row.count]));
    const ended = checks.rows.filter((row) => row.status === 'done' || row.status === 'failed');
    return {
      images: checks.rows.length,
      faces: verdicts.rows.reduce((sum, row) => sum + row.count, 0),
      flagged: ended.filter((row) => row.flagged).length,
      errors: ended.filter((row) => row.status === 'failed').length,
      verdicts: counts,
      flaggedChecks: ended.filter((row) => row.flagged).map((row) => row.id),
    };
  }

  /** Marks a closed batch complete once none of its checks is still open; true only for the call that did so. */
  async completeIfEnded(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `update batches set completed_at = now() where id = $1 and closed_at is not null and completed_at is null
       and not exists (select 1 from checks where batch_id = $1 and status in ('queued', 'processing'))`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }
}
