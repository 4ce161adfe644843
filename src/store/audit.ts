import type { Queryable } from './db.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

/** Every registry change and review decision, with who made it; written in the change's own transaction. */
export class AuditRepository {
  constructor(private readonly db: Queryable) {}

  async record(entry: { actor: string | null; action: string; subject: string; details?: Record<string, unknown> }): Promise<void> {
    await this.db.query('insert into audit_log (actor, action, subject, details) values ($1, $2, $3, $4)', [
      entry.actor,
      entry.action,
      entry.subject,
      JSON.stringify(entry.details ?? {}),
    ]);
  }

  async list(filter: { subject?: string; limit: number; offset: number }): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    let clause = '';
    if (filter.subject) {
      params.push(filter.subject);
      clause = `where subject = $1`;
    }
    params.push(filter.limit, filter.offset);
    const { rows } = await this.db.query<AuditEntry>(
      `select id, to_json(at) #>> '{}' as at, actor, action, subject, details from audit_log ${clause}
       order by id desc limit $${params.length - 1} offset $${params.length}`,
      params,
    );
    return rows;
  }
}
