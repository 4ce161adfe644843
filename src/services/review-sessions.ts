import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { type ApiKeyRecord, type ApiKeyService, hashApiKey } from './keys.js';

export interface ReviewSession {
  key: ApiKeyRecord;
  /** The token every form of this session carries (CSRF). */
  csrf: string;
}

/**
 * Signing in to the review desk with an API key: the browser keeps a random session id in an
 * HttpOnly cookie; the key itself is never stored in the browser. A revoked key ends its sessions.
 */
export class ReviewSessionService {
  constructor(
    private readonly store: Pick<Store, 'reviewSessions' | 'apiKeys'>,
    private readonly keys: ApiKeyService,
    /** config REVIEW_SESSION_HOURS; signing in again starts a new session. */
    private readonly sessionSeconds = 12 * 3600,
  ) {}

  async signIn(apiKey: string): Promise<{ sessionId: string; session: ReviewSession; maxAgeSeconds: number }> {
    const key = await this.keys.authenticate(`Bearer ${apiKey.trim()}`);
    const sessionId = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    await this.store.reviewSessions.insert(hashApiKey(sessionId), { apiKeyId: key.id, csrf, ttlSeconds: this.sessionSeconds });
    return { sessionId, session: { key, csrf }, maxAgeSeconds: this.sessionSeconds };
  }

  /** The session a cookie names, or UNAUTHORIZED. */
  async resume(sessionId: string | undefined): Promise<ReviewSession> {
    const found = sessionId ? await this.store.reviewSessions.find(hashApiKey(sessionId)) : null;
    const key = found ? await this.store.apiKeys.findActiveById(found.apiKeyId) : null;
    if (!found || !key) throw new AppError('UNAUTHORIZED', 'sign in with an API key to use the review desk');
    return { key, csrf: found.csrf };
  }

  async signOut(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.store.reviewSessions.delete(hashApiKey(sessionId));
  }
}
