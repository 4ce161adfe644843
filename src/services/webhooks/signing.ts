import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,` + base64 HMAC-SHA256 over
 * `id.timestamp.body`, keyed with the base64 bytes after `whsec_`. While a secret is being rotated
 * both keys sign, and the header carries both signatures separated by a space.
 */
export const secretPrefix = 'whsec_';

/** 24 random bytes, as Standard Webhooks suggests (between 24 and 64). */
export function generateSecret(): string {
  return secretPrefix + randomBytes(24).toString('base64');
}

/** The HMAC key of a secret; a secret pasted without its prefix is accepted too. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error('a webhook secret is "whsec_" followed by base64');
  return key;
}

export interface SignedContent {
  id: string;
  /** Seconds since the epoch. */
  timestamp: number;
  body: Buffer | string;
}

function signatureOf(key: Buffer, content: SignedContent): string {
  return createHmac('sha256', key).update(`${content.id}.${content.timestamp}.`).update(content.body).digest('base64');
}

/** The webhook-signature header: one `v1,` signature per secret, space-separated. */
export function sign(content: SignedContent, secrets: string[]): string {
  return secrets.map((secret) => `v1,${signatureOf(secretKey(secret), content)}`).join(' ');
}

export type Verification = { ok: true } | { ok: false; reason: string };

/** Five minutes either side, the tolerance Standard Webhooks recommends against replays. */
export const defaultToleranceSeconds = 5 * 60;

/**
 * What a receiver does: the headers must be present, the timestamp recent, and one of the
 * `v1` signatures must match the body exactly as received.
 */
export function verify(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Verification {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header('webhook-id');
  const timestampText = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestampText || !signatures)
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  const timestamp = Number(timestampText);
  if (!/^\d+$/.test(timestampText) || !Number.isSafeInteger(timestamp))
    return { ok: false, reason: 'webhook-timestamp is not a number of seconds' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: `webhook-timestamp is more than ${tolerance} s away from now` };
  const expected = Buffer.from(signatureOf(secretKey(secret), { id, timestamp, body }), 'base64');
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const candidate = Buffer.from(value, 'base64');
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no v1 signature matches the body' };
}
