import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { ForbiddenAddressError, forbiddenReason, guardedLookup } from './addresses.js';

export interface Delivery {
  url: string;
  headers: Record<string, string>;
  /** Sent as is: exactly the bytes that were signed. */
  body: Buffer;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** What one attempt came to; `statusCode` is null when no answer arrived (refused, timed out, reset). */
export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** From a Retry-After header, in milliseconds from now. */
  retryAfterMs: number | null;
  /** The first bytes of the answer, for the delivery log. */
  response: string | null;
  /** The address was refused: retrying cannot help until the endpoint changes. */
  refused: boolean;
}

const responseSnippetBytes = 512;
const userAgent = 'photo-verify-webhooks/1';

/**
 * One delivery attempt with node's http client: only 2xx is success, redirects are not followed
 * (a 3xx is a failure like any other), the whole attempt has one deadline, and the connection goes
 * to an address the guarded lookup has accepted.
 */
export function sendWebhook(delivery: Delivery, options: SendOptions): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (outcome: Omit<AttemptOutcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const failure = (error: string, refused = false) =>
      finish({ ok: false, statusCode: null, error, retryAfterMs: null, response: null, refused });

    let url: URL;
    try {
      url = new URL(delivery.url);
    } catch {
      return failure(`not a URL: ${delivery.url}`, true);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal IP address is connected to without any lookup, so it is checked here.
    if (!options.allowPrivate && net.isIP(host)) {
      const reason = forbiddenReason(host);
      if (reason) return failure(new ForbiddenAddressError(host, host, reason).message, true);
    }
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!client) return failure(`unsupported scheme ${url.protocol}`, true);

    const request = client.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(delivery.body.length),
        'user-agent': userAgent,
        ...delivery.headers,
      },
      // A fresh connection per attempt: a pooled socket would skip the address check.
      agent: false,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup as unknown as net.LookupFunction }),
    });
    // The deadline covers connecting, the answer's headers and its body: a receiver that trickles bytes times out too.
    deadline = setTimeout(() => {
      failure(`no answer within ${options.timeoutMs} ms`);
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => failure(error.message, error instanceof ForbiddenAddressError));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        if (length < responseSnippetBytes) chunks.push(chunk);
        length += chunk.length;
      });
      response.on('error', (error) => failure(error.message));
      response.on('end', () => {
        const ok = status >= 200 && status < 300;
        const location = response.headers.location;
        finish({
          ok,
          statusCode: status,
          error: ok ? null : status >= 300 && status < 400 ? `redirect${location ? ` to ${location}` : ''} not followed` : `HTTP ${status}`,
          retryAfterMs: ok ? null : parseRetryAfter(response.headers['retry-after']),
          response: chunks.length ? Buffer.concat(chunks).subarray(0, responseSnippetBytes).toString('utf8') : null,
          refused: false,
        });
      });
    });
    request.end(delivery.body);
  });
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
