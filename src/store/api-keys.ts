import type { Queryable } from './db.js';

export type Role = 'admin' | 'curator' | 'submitter' | 'reviewer';
export const roles: readonly Role[] = ['admin', 'curator', 'submitter', 'reviewer'];

export interface ApiKeyRecord {
  id: string;
  name: string | null;
  role: Role;
  keyPrefix: string;
  createdAt: string;
  revokedAt: string | null;
}

const columns = `id, name, role, key_prefix as "keyPrefix", to_json(created_at) #>> '{}' as "createdAt", to_json(revoked_at) #>> '{}' as "revokedAt"`;

export class ApiKeyRepository {
  constructor(private readonly db: Queryable) {}

  async insert(key: { name: string | null; role: Role; keyHash: string; keyPrefix: string }): Promise<ApiKeyRecord> {
    const { rows } = await this.db.query<ApiKeyRecord>(
      `insert into api_keys (name, role, key_hash, key_prefix) values ($1, $2, $3, $4) returning ${columns}`,
      [key.name, key.role, key.keyHash, key.keyPrefix],
    );
    return rows[0];
  }

  async findActiveById(id: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.query<ApiKeyRecord>(`select ${columns} from api_keys where id = $1 and revoked_at is null`, [id]);
    return rows[0] ?? null;
  }

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.query<ApiKeyRecord>(
      `update api_keys set last_used_at = now() where key_hash = $1 and revoked_at is null returning ${columns}`,
      [keyHash],
    );
    return rows[0] ?? null;
  }
}
