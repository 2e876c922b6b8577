export { createDb, databaseKind, migrateToLatest, pgliteOf, pgPoolOf, poolStatsOf, type CreateDbOptions, type DatabaseKind, type PoolStats } from './create-db.ts';
export { migrations } from '../migrations/index.ts';
export type * from './schema.ts';
