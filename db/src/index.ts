export { createDb, databaseKind, migrateToLatest, pgliteOf, type CreateDbOptions, type DatabaseKind } from './create-db.ts';
export type * from './schema.ts';
