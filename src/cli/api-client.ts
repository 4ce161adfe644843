import { randomUUID } from 'node:crypto';
import { AppError, type ErrorCode, errorCatalogue } from '../errors.js';

/** The command-line tool's client of the service's /v1 API (check --server, registry push; the end-to-end tests and the bench use it too): JSON in and out, coded errors back as AppError. */
export class ApiClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly apiKey: string,
    /** How often a retryable request is sent again (see send). */
    private readonly retries = 6,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body === undefined ? undefined : { body: JSON.stringify(body), type: 'application/json' });
  }

  /**
   * Uploads one image with an Idempotency-Key of its own, so that sending it again after a dropped
   * connection or a busy answer (503) returns the same check instead of a second one.
   */
  async upload<T>(path: string, file: { bytes: Buffer; name: string }, fields: Record<string, string> = {}): Promise<T> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('image', new Blob([new Uint8Array(file.bytes)]), file.name);
    return this.send<T>('POST', path, { body: form, idempotencyKey: randomUUID() });
  }

  /** GET of a file (an image), as bytes. */
  async bytes(path: string): Promise<Buffer> {
    const response = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.apiKey}` } });
    if (!response.ok) throw new AppError(response.status === 404 ? 'NOT_FOUND' : 'INTERNAL', `GET ${path} answered ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** GET that answers null for 404. */
  async find<T>(path: string): Promise<T | null> {
    try {
      return await this.json<T>('GET', path);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /**
   * One request. A GET, or a request with an Idempotency-Key, is sent again when the server cannot
   * be reached or answers 503 (busy, restarting), waiting as its Retry-After says or a growing pause,
   * up to `retries` times; anything else is sent once.
   */
  private async send<T>(
    method: string,
    path: string,
    payload?: { body: string | FormData; type?: string; idempotencyKey?: string },
  ): Promise<T> {
    const retryable = method === 'GET' || payload?.idempotencyKey !== undefined;
    let response: Response | null = null;
    for (let attempt = 0; ; attempt++) {
      let unreachable: string | null = null;
      try {
        response = await fetch(this.base + path, {
          method,
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            ...(payload?.type ? { 'content-type': payload.type } : {}),
            ...(payload?.idempotencyKey ? { 'idempotency-key': payload.idempotencyKey } : {}),
          },
          body: payload?.body,
        });
      } catch (error) {
        unreachable = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      }
      const again = retryable && attempt < this.retries && (unreachable !== null || response?.status === 503);
      if (!again) {
        if (unreachable !== null)
          throw new AppError(
            'SERVICE_UNAVAILABLE',
            `cannot reach the server ${this.base} (${unreachable}): is it running, and is --server right?`,
          );
        break;
      }
      const retryAfter = Number(response?.headers.get('retry-after'));
      await response?.body?.cancel().catch(() => undefined);
      await new Promise((resolve) =>
        setTimeout(resolve, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 500 * 2 ** attempt),
      );
    }
    if (!response) throw new AppError('SERVICE_UNAVAILABLE', `cannot reach the server ${this.base}`);
    const text = await response.text();
    const body = text ? safeJson(text) : null;
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      const code =
        error?.code && error.code in errorCatalogue ? (error.code as ErrorCode) : response.status === 404 ? 'NOT_FOUND' : 'INTERNAL';
      throw new AppError(code, error?.message ?? `${method} ${path} answered ${response.status}`);
    }
    return body as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 200) } };
  }
}
