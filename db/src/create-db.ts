import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { migrations } from '../migrations/index.ts';
import { autoPreparingClient } from './preparing-client.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface CreateDbOptions {
  /** A postgres:// URL. Without it the embedded PGlite is used. */
  url?: string;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Pool size for Postgres. */
  maxConnections?: number;
  /**
   * PostgreSQL only: name and prepare the statements this process sends often (preparing-client.ts);
   * false for a connection pooler that cannot keep prepared statements (PgBouncer before 1.21 in
   * transaction mode).
   */
  prepareStatements?: boolean;
  /** A tarball of a PGlite data directory (an embedded backup) to fill a new, empty `dataDir` from. */
  loadDataDir?: Blob;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is outside the safe integer range`);
  return n;
}

// The same JS types from both drivers: int8 → number, numeric (sums) → number, date → 'YYYY-MM-DD'.
const parsers: Record<number, (value: string) => unknown> = {
  [INT8]: parseInt8,
  [NUMERIC]: (value) => Number(value),
  [DATE]: (value) => value,
};

const kinds = new WeakMap<Kysely<DB>, { kind: DatabaseKind; pglite?: PGlite; pool?: pg.Pool }>();

export async function createDb(options: CreateDbOptions = {}): Promise<Kysely<DB>> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 20,
      ...(options.prepareStatements === false ? {} : { Client: autoPreparingClient() }),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // A lost connection (PostgreSQL restarted, a backend terminated) is emitted as 'error' on the
    // pool (idle clients) or on the client itself (checked out, between queries); unheard, either
    // kills the process. The query in flight or the next one fails and reports it to its caller,
    // and the pool drops the broken client, so listening is all that is needed.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    kinds.set(db, { kind: 'postgres', pool });
    return db;
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  // pg_trgm: migration 0028 creates the extension (its name index, since replaced by 0031's, needed it).
  const pglite = await PGlite.create(dataDir, { parsers, loadDataDir: options.loadDataDir, extensions: { pg_trgm } });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  kinds.set(db, { kind: 'pglite', pglite });
  return db;
}

/** The embedded database behind `db` (undefined on PostgreSQL): the job queue talks to it directly. */
export function pgliteOf(db: Kysely<DB>): PGlite | undefined {
  return kinds.get(db)?.pglite;
}

/** The PostgreSQL pool behind `db` (undefined on PGlite): the shared rate limits query it directly, outside any transaction. */
export function pgPoolOf(db: Kysely<DB>): pg.Pool | undefined {
  return kinds.get(db)?.pool;
}

export interface PoolStats {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

/** The PostgreSQL pool's use; the embedded PGlite is one connection that queries wait their turn on (not counted). */
export function poolStatsOf(db: Kysely<DB>): PoolStats {
  const pool = kinds.get(db)?.pool;
  if (!pool) return { max: 1, total: 1, idle: 0, waiting: 0 };
  return { max: pool.options.max ?? 10, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

export function databaseKind(db: Kysely<DB>): DatabaseKind {
  return kinds.get(db)?.kind ?? 'postgres';
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  // Numbers are handed out to work landing in parallel, so a lower number can land after a higher
  // one: a database that already ran 0029 must still run 0028 rather than refuse to start.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
