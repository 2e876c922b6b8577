import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export interface JobCount {
  queue: string;
  state: string;
  count: number;
}

/**
 * Jobs per pg-boss queue and state, failed ones kept in its archive included (for its retention
 * days). None before the queue first started in this database.
 */
export async function jobCounts(db: Db): Promise<JobCount[]> {
  const { rows: [schema] } = await sql<{ present: boolean }>`select to_regclass('pgboss.job') is not null as present`.execute(db);
  if (!schema?.present) return [];
  const { rows } = await sql<JobCount>`
    select name as queue, state::text as state, count(*)::int as count from pgboss.job group by name, state
    union all
    select name, 'failed', count(*)::int from pgboss.archive where state = 'failed' group by name`.execute(db);
  return rows;
}
