import { atomically, type Queryable } from './db.js';

export interface EndpointRecord {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  secret: string;
  /** During a rotation's grace period (until previousSecretExpiresAt) the old secret signs too. */
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  endedAt: string | null;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  response: string | null;
}

export interface DeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  generation: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface DeliveryWork {
  delivery: DeliveryRecord;
  endpoint: EndpointRecord;
  body: string;
}

export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  response: string | null;
}

const iso = (column: string, as: string) => `to_json(${column}) #>> '{}' as "${as}"`;
const endpointColumns = `id, url, description, events, enabled, disabled_reason as "disabledReason", secret,
  previous_secret as "previousSecret", ${iso('previous_secret_expires_at', 'previousSecretExpiresAt')},
  ${iso('created_at', 'createdAt')}, ${iso('updated_at', 'updatedAt')}`;
const deliveryColumns = `d.id, d.endpoint_id as "endpointId", d.event_id as "eventId", e.type as "eventType", d.status, d.attempts, d.generation,
  ${iso('d.next_attempt_at', 'nextAttemptAt')}, d.last_status_code as "lastStatusCode", d.last_error as "lastError",
  ${iso('d.created_at', 'createdAt')}, ${iso('d.completed_at', 'completedAt')}`;
const attemptColumns = `attempt, ${iso('started_at', 'startedAt')}, ${iso('ended_at', 'endedAt')}, status_code as "statusCode",
  latency_ms as "latencyMs", error, response`;

/** Every PostgreSQL statement of the webhooks: endpoints, events, deliveries and their attempts. */
export class WebhookRepository {
  constructor(private readonly db: Queryable) {}

  async insertEndpoint(input: { url: string; description: string | null; events: string[]; secret: string }): Promise<EndpointRecord> {
    const { rows } = await this.db.query<EndpointRecord>(
      `insert into webhook_endpoints (url, description, events, secret) values ($1, $2, $3, $4) returning ${endpointColumns}`,
      [input.url, input.description, input.events, input.secret],
    );
    return rows[0];
  }

  async listEndpoints(): Promise<EndpointRecord[]> {
    const { rows } = await this.db.query<EndpointRecord>(`select ${endpointColumns} from webhook_endpoints order by created_at, id`);
    return rows;
  }

  async getEndpoint(id: string): Promise<EndpointRecord | null> {
    const { rows } = await this.db.query<EndpointRecord>(`select ${endpointColumns} from webhook_endpoints where id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Enabling clears the reason the service had disabled it for. */
  async updateEndpoint(
    id: string,
    changes: { url?: string; description?: string | null; events?: string[]; enabled?: boolean },
  ): Promise<EndpointRecord | null> {
    const { rows } = await this.db.query<EndpointRecord>(
      `update webhook_endpoints set
         url = coalesce($2::text, url),
         description = case when $3::boolean then $4::text else description end,
         events = coalesce($5::text[], events),
         enabled = coalesce($6::boolean, enabled),
         disabled_reason = case when $6::boolean is null then disabled_reason else null end,
         updated_at = now()
       where id = $1 returning ${endpointColumns}`,
      [
        id,
        changes.url ?? null,
        changes.description !== undefined,
        changes.description ?? null,
        changes.events ?? null,
        changes.enabled ?? null,
      ],
    );
    return rows[0] ?? null;
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('delete from webhook_endpoints where id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  /** The new secret signs from now on; the old one also signs until the grace period ends. */
  async rotateSecret(id: string, secret: string, graceSeconds: number): Promise<EndpointRecord | null> {
    const { rows } = await this.db.query<EndpointRecord>(
      `update webhook_endpoints set
         previous_secret = case when $3::int > 0 then secret else null end,
         previous_secret_expires_at = case when $3::int > 0 then now() + make_interval(secs => $3::int) else null end,
         secret = $2, updated_at = now()
       where id = $1 returning ${endpointColumns}`,
      [id, secret, graceSeconds],
    );
    return rows[0] ?? null;
  }

  async disableEndpoint(id: string, reason: string): Promise<void> {
    await this.db.query('update webhook_endpoints set enabled = false, disabled_reason = $2, updated_at = now() where id = $1', [
      id,
      reason,
    ]);
  }

  /**
   * Records an event and one pending delivery per enabled endpoint that subscribed to its type.
   * The event id is its natural key, so publishing the same event twice delivers it once.
   */
  async recordEvent(event: { id: string; type: string; body: string }, onlyEndpoint?: string): Promise<string[]> {
    return atomically(this.db, async (db) => {
      await db.query('insert into webhook_events (id, type, body) values ($1, $2, $3) on conflict (id) do nothing', [
        event.id,
        event.type,
        event.body,
      ]);
      const { rows } = await db.query<{ id: string }>(
        `insert into webhook_deliveries (id, endpoint_id, event_id)
         select 'msg_' || replace(gen_random_uuid()::text, '-', ''), id, $1 from webhook_endpoints
         where ($3::uuid is null and enabled and $2 = any(events)) or id = $3::uuid
         on conflict (endpoint_id, event_id) do nothing returning id`,
        [event.id, event.type, onlyEndpoint ?? null],
      );
      return rows.map((row) => row.id);
    });
  }

  /** A pending delivery with its endpoint and body; attempts a dead worker left open are closed with a note. */
  async pendingWork(deliveryId: string): Promise<DeliveryWork | null> {
    const { rows } = await this.db.query<DeliveryRecord & { body: string }>(
      `select ${deliveryColumns}, e.body from webhook_deliveries d join webhook_events e on e.id = d.event_id where d.id = $1 and d.status = 'pending'`,
      [deliveryId],
    );
    const delivery = rows[0];
    if (!delivery) return null;
    const endpoint = await this.getEndpoint(delivery.endpointId);
    if (!endpoint) return null;
    await this.db.query(
      `update webhook_attempts set ended_at = now(), error = 'the worker stopped during this attempt; it was tried again'
       where delivery_id = $1 and ended_at is null`,
      [deliveryId],
    );
    const { body, ...record } = delivery;
    return { delivery: record, endpoint, body };
  }

  /** Opens the log entry of an attempt before the request leaves, so a worker killed mid-request leaves a trace. */
  async startAttempt(deliveryId: string): Promise<{ attemptId: number; attempt: number }> {
    return atomically(this.db, async (db) => {
      const { rows } = await db.query<{ attempts: number }>(
        'update webhook_deliveries set attempts = attempts + 1 where id = $1 returning attempts',
        [deliveryId],
      );
      const attempt = rows[0].attempts;
      const inserted = await db.query<{ id: number }>('insert into webhook_attempts (delivery_id, attempt) values ($1, $2) returning id', [
        deliveryId,
        attempt,
      ]);
      return { attemptId: inserted.rows[0].id, attempt };
    });
  }

  async endAttempt(
    deliveryId: string,
    attemptId: number,
    result: AttemptResult,
    next: { status: DeliveryStatus; nextAttemptAt: Date | null },
  ): Promise<void> {
    await atomically(this.db, async (db) => {
      await db.query(
        'update webhook_attempts set ended_at = now(), status_code = $2, latency_ms = $3, error = $4, response = $5 where id = $1',
        [attemptId, result.statusCode, result.latencyMs, result.error, result.response],
      );
      await db.query(
        `update webhook_deliveries set status = $2, next_attempt_at = $3, last_status_code = $4, last_error = $5,
           completed_at = case when $2 = 'pending' then null else now() end
         where id = $1`,
        [deliveryId, next.status, next.nextAttemptAt, result.statusCode, result.error],
      );
    });
  }

  /** Ends a delivery without an attempt (its endpoint was disabled meanwhile). */
  async failDelivery(deliveryId: string, error: string): Promise<void> {
    await this.db.query(
      `update webhook_deliveries set status = 'failed', last_error = $2, next_attempt_at = null, completed_at = now() where id = $1 and status = 'pending'`,
      [deliveryId, error],
    );
  }

  async listDeliveries(
    endpointId: string,
    filter: { status?: DeliveryStatus; limit: number; offset: number },
  ): Promise<{ deliveries: Array<DeliveryRecord & { attemptLog: AttemptRecord[] }>; total: number }> {
    const where = `d.endpoint_id = $1 and ($2::text is null or d.status = $2)`;
    const [page, count] = await Promise.all([
      this.db.query<DeliveryRecord>(
        `select ${deliveryColumns} from webhook_deliveries d join webhook_events e on e.id = d.event_id where ${where}
         order by d.created_at desc, d.id limit $3 offset $4`,
        [endpointId, filter.status ?? null, filter.limit, filter.offset],
      ),
      this.db.query<{ total: number }>(`select count(*)::int as total from webhook_deliveries d where ${where}`, [
        endpointId,
        filter.status ?? null,
      ]),
    ]);
    const attempts = await this.attemptsOf(page.rows.map((row) => row.id));
    return { deliveries: page.rows.map((row) => ({ ...row, attemptLog: attempts.get(row.id) ?? [] })), total: count.rows[0].total };
  }

  async getDelivery(
    endpointId: string,
    deliveryId: string,
  ): Promise<(DeliveryRecord & { attemptLog: AttemptRecord[]; body: string }) | null> {
    const { rows } = await this.db.query<DeliveryRecord & { body: string }>(
      `select ${deliveryColumns}, e.body from webhook_deliveries d join webhook_events e on e.id = d.event_id where d.endpoint_id = $1 and d.id = $2`,
      [endpointId, deliveryId],
    );
    if (!rows[0]) return null;
    return { ...rows[0], attemptLog: (await this.attemptsOf([deliveryId])).get(deliveryId) ?? [] };
  }

  /** A failed delivery goes back to pending under a new generation; its webhook-id stays the same. */
  async reopenDelivery(deliveryId: string): Promise<number | null> {
    const { rows } = await this.db.query<{ generation: number }>(
      `update webhook_deliveries set status = 'pending', generation = generation + 1, next_attempt_at = now(), completed_at = null
       where id = $1 and status = 'failed' returning generation`,
      [deliveryId],
    );
    return rows[0]?.generation ?? null;
  }

  /** Deliveries still pending, for re-queueing those whose job was lost before it reached Redis. */
  async pendingDeliveries(): Promise<Array<{ id: string; generation: number }>> {
    const { rows } = await this.db.query<{ id: string; generation: number }>(
      `select id, generation from webhook_deliveries where status = 'pending' order by created_at`,
    );
    return rows;
  }

  private async attemptsOf(deliveryIds: string[]): Promise<Map<string, AttemptRecord[]>> {
    const byDelivery = new Map<string, AttemptRecord[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const { rows } = await this.db.query<AttemptRecord & { deliveryId: string }>(
      `select delivery_id as "deliveryId", ${attemptColumns} from webhook_attempts where delivery_id = any($1) order by delivery_id, attempt, id`,
      [deliveryIds],
    );
    for (const { deliveryId, ...attempt } of rows) {
      const list = byDelivery.get(deliveryId) ?? [];
      list.push(attempt);
      byDelivery.set(deliveryId, list);
    }
    return byDelivery;
  }
}
