import type { Queryable } from './db.js';

export interface ReviewSessionRecord {
  apiKeyId: string;
  csrf: string;
  expiresAt: string;
}

/** Review desk sessions (migration 0006), by the hash of their cookie's id. */
export class ReviewSessionRepository {
  constructor(private readonly db: Queryable) {}

  /** Starts a session; expired ones are removed here, at sign-in, not on every page. */
  async insert(idHash: string, session: { apiKeyId: string; csrf: string; ttlSeconds: number }): Promise<void> {
    await this.db.query('delete from review_sessions where expires_at < now()');
    await this.db.query(
      `insert into review_sessions (id_hash, api_key_id, csrf, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))`,
      [idHash, session.apiKeyId, session.csrf, session.ttlSeconds],
    );
  }

  /** A session that has not expired. */
  async find(idHash: string): Promise<ReviewSessionRecord | null> {
    const { rows } = await this.db.query<ReviewSessionRecord>(
      `select api_key_id as "apiKeyId", csrf, to_json(expires_at) #>> '{}' as "expiresAt" from review_sessions
       where id_hash = $1 and expires_at > now()`,
      [idHash],
    );
    return rows[0] ?? null;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.query('delete from review_sessions where id_hash = $1', [idHash]);
  }
}
