import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';

// Explicit, ordered, frozen once landed: a change to the schema is a new migration.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};
