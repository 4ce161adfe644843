import { type RetryPolicy, retryDelay } from '../../domain/webhook-retry.js';
import type { Log } from '../../runtime/log.js';
import type { DeliveryStatus, WebhookRepository } from '../../store/webhooks.js';
import type { AttemptOutcome, Delivery, SendOptions } from './sender.js';
import { sign } from './signing.js';

export type AttemptResult = { outcome: 'succeeded' | 'failed' | 'skipped' } | { outcome: 'retry'; delayMs: number };

/**
 * One attempt at one delivery: sign with the endpoint's secrets (the old one too during a rotation),
 * send, log the attempt, and decide: done, try again later, or give up. 410 Gone disables the endpoint.
 */
export class DeliveryProcessor {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly send: (delivery: Delivery, options: SendOptions) => Promise<AttemptOutcome>,
    private readonly settings: { policy: RetryPolicy; send: SendOptions },
    private readonly log: Log,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `job.attempt` counts from 1 within the current queue job; when `job.last` fails, the delivery has failed. */
  async attempt(deliveryId: string, job: { attempt: number; last: boolean }): Promise<AttemptResult> {
    const work = await this.repository.pendingWork(deliveryId);
    if (!work) return { outcome: 'skipped' };
    const { endpoint, body } = work;
    if (!endpoint.enabled) {
      await this.repository.failDelivery(
        deliveryId,
        `the endpoint is disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`,
      );
      return { outcome: 'failed' };
    }
    const now = this.now();
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > now.getTime())
      secrets.push(endpoint.previousSecret);
    const timestamp = Math.floor(now.getTime() / 1000);
    const bytes = Buffer.from(body, 'utf8');
    const headers = {
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign({ id: deliveryId, timestamp, body: bytes }, secrets),
    };

    const { attemptId, attempt } = await this.repository.startAttempt(deliveryId);
    const sent = await this.send({ url: endpoint.url, headers, body: bytes }, this.settings.send);
    const result = { statusCode: sent.statusCode, latencyMs: sent.latencyMs, error: sent.error, response: sent.response };
    const fields = { deliveryId, endpointId: endpoint.id, attempt, statusCode: sent.statusCode, ms: sent.latencyMs };

    if (sent.ok) {
      await this.repository.endAttempt(deliveryId, attemptId, result, end('succeeded'));
      this.log('info', 'webhook delivered', fields);
      return { outcome: 'succeeded' };
    }
    if (sent.statusCode === 410) {
      await this.repository.disableEndpoint(endpoint.id, `the receiver answered 410 Gone on ${now.toISOString()}`);
      await this.repository.endAttempt(deliveryId, attemptId, result, end('failed'));
      this.log('warn', 'webhook endpoint answered 410 Gone: disabled', fields);
      return { outcome: 'failed' };
    }
    if (sent.refused || job.last) {
      await this.repository.endAttempt(deliveryId, attemptId, result, end('failed'));
      this.log('warn', sent.refused ? 'webhook address refused' : 'webhook delivery failed after its last attempt', {
        ...fields,
        error: sent.error,
      });
      return { outcome: 'failed' };
    }
    const delayMs = retryDelay(this.settings.policy, job.attempt, sent.retryAfterMs);
    await this.repository.endAttempt(deliveryId, attemptId, result, {
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + sent.latencyMs + delayMs),
    });
    this.log('info', 'webhook attempt failed; it will be retried', { ...fields, error: sent.error, retryInMs: delayMs });
    return { outcome: 'retry', delayMs };
  }
}

function end(status: DeliveryStatus): { status: DeliveryStatus; nextAttemptAt: null } {
  return { status, nextAttemptAt: null };
}
