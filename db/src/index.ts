export { createDb, databaseKind, migrateToLatest, type CreateDbOptions, type DatabaseKind } from './create-db.ts';
export type * from './schema.ts';
