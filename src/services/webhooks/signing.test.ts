import { describe, expect, it } from 'vitest';
import { generateSecret, secretKey, sign, verify } from './signing.js';

// The test vector of the Standard Webhooks specification (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works").
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const headersOf = (signature: string, id = vector.id, timestamp = vector.timestamp) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

describe('webhook signatures (Standard Webhooks)', () => {
  it('signs the known input exactly as the Standard Webhooks test vector says', () => {
    expect(sign({ id: vector.id, timestamp: vector.timestamp, body: vector.body }, [vector.secret])).toBe(vector.signature);
    expect(sign({ id: vector.id, timestamp: vector.timestamp, body: Buffer.from(vector.body) }, [vector.secret])).toBe(vector.signature);
  });

  it('a receiver verifies the test vector, with or without the whsec_ prefix on its secret', () => {
    const options = { nowSeconds: vector.timestamp + 30 };
    expect(verify(vector.secret, headersOf(vector.signature), vector.body, options)).toEqual({ ok: true });
    expect(verify(vector.secret.slice('whsec_'.length), headersOf(vector.signature), vector.body, options)).toEqual({ ok: true });
  });

  it('refuses a body changed by one byte, another webhook-id, another timestamp, or a stale timestamp', () => {
    const options = { nowSeconds: vector.timestamp };
    expect(verify(vector.secret, headersOf(vector.signature), '{"test": 2432232315}', options).ok).toBe(false);
    expect(verify(vector.secret, headersOf(vector.signature, 'msg_other'), vector.body, options).ok).toBe(false);
    expect(
      verify(vector.secret, headersOf(vector.signature, vector.id, vector.timestamp + 1), vector.body, { nowSeconds: vector.timestamp }).ok,
    ).toBe(false);
    const stale = verify(vector.secret, headersOf(vector.signature), vector.body, { nowSeconds: vector.timestamp + 301 });
    expect(stale).toEqual({ ok: false, reason: 'webhook-timestamp is more than 300 s away from now' });
  });

  it('during a secret rotation both secrets sign, space-separated, and either secret verifies', () => {
    const fresh = generateSecret();
    const header = sign({ id: vector.id, timestamp: vector.timestamp, body: vector.body }, [fresh, vector.secret]);
    const [first, second] = header.split(' ');
    expect(second).toBe(vector.signature);
    expect(first).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const options = { nowSeconds: vector.timestamp };
    expect(verify(fresh, headersOf(header), vector.body, options).ok).toBe(true);
    expect(verify(vector.secret, headersOf(header), vector.body, options).ok).toBe(true);
    expect(verify(generateSecret(), headersOf(header), vector.body, options).ok).toBe(false);
  });

  it('new secrets are whsec_ and 24 random bytes, never the same twice', () => {
    const [a, b] = [generateSecret(), generateSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKey(a)).toHaveLength(24);
    expect(a).not.toBe(b);
    expect(() => secretKey('whsec_not base64!')).toThrow(/base64/);
  });
});
