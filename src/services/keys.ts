import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { type ApiKeyRecord, type ApiKeyRepository, type Role, roles } from '../store/api-keys.js';

export type { ApiKeyRecord, Role } from '../store/api-keys.js';
export { roles } from '../store/api-keys.js';

const keyPrefix = 'pvk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function isRole(text: string): text is Role {
  return (roles as readonly string[]).includes(text);
}

/** How a key is named to people (the audit log, a review event): its name, or its visible prefix. */
export function reviewerName(key: Pick<ApiKeyRecord, 'name' | 'keyPrefix'>): string {
  return key.name ?? `${key.keyPrefix}…`;
}

/** API keys: shown once when made, kept only as a hash. */
export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  async create(role: string, name: string | null): Promise<{ key: string; record: ApiKeyRecord }> {
    if (!isRole(role)) throw new AppError('VALIDATION', `unknown role "${role}": use one of ${roles.join(', ')}`);
    const key = keyPrefix + randomBytes(32).toString('base64url');
    const record = await this.keys.insert({ name, role, keyHash: hashApiKey(key), keyPrefix: key.slice(0, keyPrefix.length + 6) });
    return { key, record };
  }

  async authenticate(authorization: string | undefined): Promise<ApiKeyRecord> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match)
      throw new AppError(
        'UNAUTHORIZED',
        'send an API key as "Authorization: Bearer KEY" (create one with `photo-verify keys create --role ROLE`)',
      );
    const record = await this.keys.findActiveByHash(hashApiKey(match[1]));
    if (!record) throw new AppError('UNAUTHORIZED', 'the API key is unknown or revoked');
    return record;
  }
}
