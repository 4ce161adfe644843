import type { Queryable } from './db.js';

export interface UploadRequest {
  fingerprint: string;
  checkIds: string[];
}

/** Upload requests by API key and Idempotency-Key (migration 0004). */
export class UploadRequestRepository {
  constructor(private readonly db: Queryable) {}

  async get(apiKey: string, idempotencyKey: string): Promise<UploadRequest | null> {
    const { rows } = await this.db.query<UploadRequest>(
      'select fingerprint, check_ids as "checkIds" from upload_requests where api_key = $1 and idempotency_key = $2',
      [apiKey, idempotencyKey],
    );
    return rows[0] ?? null;
  }

  /**
   * Records the request in the caller's transaction; false when the key is already taken (another
   * request with it committed first; this insert waited for it), so the caller rolls back and answers that one's checks.
   */
  async insert(apiKey: string, idempotencyKey: string, request: UploadRequest): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `insert into upload_requests (api_key, idempotency_key, fingerprint, check_ids) values ($1, $2, $3, $4)
       on conflict (api_key, idempotency_key) do nothing`,
      [apiKey, idempotencyKey, request.fingerprint, request.checkIds],
    );
    return (rowCount ?? 0) > 0;
  }

  async delete(apiKey: string, idempotencyKey: string): Promise<void> {
    await this.db.query('delete from upload_requests where api_key = $1 and idempotency_key = $2', [apiKey, idempotencyKey]);
  }
}
