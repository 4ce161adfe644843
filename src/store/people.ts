import type { Queryable } from './db.js';

export interface Person {
  id: string;
  name: string;
  aliases: string[];
  category: string | null;
  region: string | null;
  status: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export type PersonFields = Pick<Person, 'name' | 'aliases' | 'category' | 'region' | 'status' | 'notes'>;

export interface PeopleFilter {
  /** Part of a name or alias, case-insensitive. */
  search?: string;
  category?: string;
  limit: number;
  offset: number;
}

const columns = `id, name, aliases, category, region, status, notes,
  to_json(created_at) #>> '{}' as "createdAt", to_json(updated_at) #>> '{}' as "updatedAt"`;

export class PeopleRepository {
  constructor(private readonly db: Queryable) {}

  async get(id: string): Promise<Person | null> {
    const { rows } = await this.db.query<Person>(`select ${columns} from people where id = $1`, [id]);
    return rows[0] ?? null;
  }

  async list(filter: PeopleFilter): Promise<{ people: Person[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.search) {
      params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(
        `(name ilike $${params.length} or id ilike $${params.length} or exists (select 1 from unnest(aliases) alias where alias ilike $${params.length}))`,
      );
    }
    if (filter.category) {
      params.push(filter.category);
      where.push(`category = $${params.length}`);
    }
    const clause = where.length ? `where ${where.join(' and ')}` : '';
    const total = await this.db.query<{ count: number }>(`select count(*)::int as count from people ${clause}`, params);
    params.push(filter.limit, filter.offset);
    const { rows } = await this.db.query<Person>(
      `select ${columns} from people ${clause} order by name, id limit $${params.length - 1} offset $${params.length}`,
      params,
    );
    return { people: rows, total: total.rows[0].count };
  }

  /** Inserts, or returns null when the id is taken. */
  async insert(id: string, fields: PersonFields): Promise<Person | null> {
    const { rows } = await this.db.query<Person>(
      `insert into people (id, name, aliases, category, region, status, notes) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (id) do nothing returning ${columns}`,
      [id, fields.name, fields.aliases, fields.category, fields.region, fields.status, fields.notes],
    );
    return rows[0] ?? null;
  }

  async update(id: string, fields: PersonFields): Promise<Person | null> {
    const { rows } = await this.db.query<Person>(
      `update people set name = $2, aliases = $3, category = $4, region = $5, status = $6, notes = $7, updated_at = now()
       where id = $1 returning ${columns}`,
      [id, fields.name, fields.aliases, fields.category, fields.region, fields.status, fields.notes],
    );
    return rows[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('delete from people where id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async all(): Promise<Person[]> {
    const { rows } = await this.db.query<Person>(`select ${columns} from people order by id`);
    return rows;
  }
}
