import { isUuid } from '../../domain/ids.js';
import { AppError } from '../../errors.js';
import type { DeliveryQueue } from '../../queues/webhooks.js';
import type { DeliveryStatus, EndpointRecord, WebhookRepository } from '../../store/webhooks.js';
import { checkHostAddresses, ForbiddenAddressError } from './addresses.js';
import { eventTypes, testEvent } from './events.js';
import { generateSecret } from './signing.js';

/** An endpoint as the API shows it: never its secret, except once when it is created or rotated. */
export type EndpointView = Omit<EndpointRecord, 'secret' | 'previousSecret'>;

/** A day: time enough to roll the new secret out to the receiver. */
export const defaultGraceSeconds = 24 * 3600;
export const maxGraceSeconds = 7 * 24 * 3600;

export function endpointView(endpoint: EndpointRecord, now = Date.now()): EndpointView {
  const { secret: _secret, previousSecret: _previousSecret, ...view } = endpoint;
  const rotating = endpoint.previousSecretExpiresAt !== null && Date.parse(endpoint.previousSecretExpiresAt) > now;
  return { ...view, previousSecretExpiresAt: rotating ? endpoint.previousSecretExpiresAt : null };
}

/** Registering, changing and testing endpoints, and reading and repeating their deliveries. */
export class WebhookService {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly queue: Pick<DeliveryQueue, 'enqueue'>,
    private readonly settings: { allowPrivate: boolean },
  ) {}

  async create(input: { url: string; events: string[]; description?: string | null }): Promise<EndpointView & { secret: string }> {
    const url = await this.checkUrl(input.url);
    const endpoint = await this.repository.insertEndpoint({
      url,
      events: checkEvents(input.events),
      description: input.description ?? null,
      secret: generateSecret(),
    });
    return { ...endpointView(endpoint), secret: endpoint.secret };
  }

  async list(): Promise<EndpointView[]> {
    return (await this.repository.listEndpoints()).map((endpoint) => endpointView(endpoint));
  }

  async get(id: string): Promise<EndpointView> {
    return endpointView(await this.endpoint(id));
  }

  async update(
    id: string,
    changes: { url?: string; events?: string[]; description?: string | null; enabled?: boolean },
  ): Promise<EndpointView> {
    await this.endpoint(id);
    const updated = await this.repository.updateEndpoint(id, {
      ...changes,
      ...(changes.url !== undefined ? { url: await this.checkUrl(changes.url) } : {}),
      ...(changes.events !== undefined ? { events: checkEvents(changes.events) } : {}),
    });
    if (!updated) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
    return endpointView(updated);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repository.deleteEndpoint(id))) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
  }

  /** A new secret, shown once; the old one keeps signing (beside the new) for the grace period. */
  async rotateSecret(id: string, graceSeconds = defaultGraceSeconds): Promise<EndpointView & { secret: string }> {
    await this.endpoint(id);
    const rotated = await this.repository.rotateSecret(id, generateSecret(), graceSeconds);
    if (!rotated) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
    return { ...endpointView(rotated), secret: rotated.secret };
  }

  /** Queues a `webhook.test` event to this endpoint alone; the answer names the delivery to look up. */
  async sendTest(id: string): Promise<{ deliveryId: string; eventId: string }> {
    const endpoint = await this.endpoint(id);
    if (!endpoint.enabled) throw new AppError('CONFLICT', `webhook endpoint ${id} is disabled; enable it first`);
    const event = testEvent(id);
    const [deliveryId] = await this.repository.recordEvent({ id: event.id, type: event.type, body: JSON.stringify(event) }, id);
    await this.queue.enqueue(deliveryId, 0);
    return { deliveryId, eventId: event.id };
  }

  async deliveries(id: string, filter: { status?: DeliveryStatus; limit: number; offset: number }) {
    await this.endpoint(id);
    return this.repository.listDeliveries(id, filter);
  }

  async delivery(id: string, deliveryId: string) {
    await this.endpoint(id);
    const delivery = await this.repository.getDelivery(id, deliveryId);
    if (!delivery) throw new AppError('NOT_FOUND', `webhook endpoint ${id} has no delivery ${deliveryId}`);
    return delivery;
  }

  /** Sends a failed delivery again, with the same webhook-id and body, and a fresh round of retries. */
  async redeliver(id: string, deliveryId: string) {
    const endpoint = await this.endpoint(id);
    const delivery = await this.delivery(id, deliveryId);
    if (delivery.status !== 'failed')
      throw new AppError('CONFLICT', `delivery ${deliveryId} is ${delivery.status}; only a failed delivery can be sent again`);
    if (!endpoint.enabled) throw new AppError('CONFLICT', `webhook endpoint ${id} is disabled; enable it first`);
    const generation = await this.repository.reopenDelivery(deliveryId);
    if (generation === null) throw new AppError('CONFLICT', `delivery ${deliveryId} is no longer failed`);
    await this.queue.enqueue(deliveryId, generation);
    return this.delivery(id, deliveryId);
  }

  private async endpoint(id: string): Promise<EndpointRecord> {
    const endpoint = isUuid(id) ? await this.repository.getEndpoint(id) : null;
    if (!endpoint) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
    return endpoint;
  }

  /** http(s) only, no credentials in the URL, and (unless allowed) no address outside the public internet. */
  private async checkUrl(text: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AppError('VALIDATION', `"url" is not a URL: ${text}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new AppError('WEBHOOK_URL_REFUSED', `a webhook URL is http or https, not ${url.protocol}`);
    if (url.username || url.password)
      throw new AppError('WEBHOOK_URL_REFUSED', 'a webhook URL carries no user name or password: the signature authenticates the service');
    if (!this.settings.allowPrivate) {
      try {
        await checkHostAddresses(url.hostname);
      } catch (error) {
        if (error instanceof ForbiddenAddressError) throw new AppError('WEBHOOK_URL_REFUSED', error.message);
        throw new AppError(
          'WEBHOOK_URL_REFUSED',
          `cannot resolve ${url.hostname}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    return url.toString();
  }
}

function checkEvents(events: string[]): string[] {
  const unknown = events.filter((event) => !(eventTypes as readonly string[]).includes(event));
  if (unknown.length) throw new AppError('VALIDATION', `unknown event type ${unknown.join(', ')}; the types are ${eventTypes.join(', ')}`);
  if (events.length === 0) throw new AppError('VALIDATION', `"events" names at least one of ${eventTypes.join(', ')}`);
  return [...new Set(events)];
}
