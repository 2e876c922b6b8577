// What `npm run backup`, `restore` and `ledger:verify` share: where the embedded database is, and the answer
// for PostgreSQL, whose backups belong to PostgreSQL's own tools.
import { resolveFromRoot } from '../api/src/config.ts';

export const dataDir = resolveFromRoot(process.env.KARTU_DATA_DIR || 'data');

export function refuseOnPostgres(action: 'backup' | 'restore'): void {
  if (!process.env.DATABASE_URL) return;
  const tools = action === 'backup' ? 'pg_dump (or WAL archiving with pg_basebackup for point-in-time recovery)' : 'pg_restore (or a base backup and WAL replay to a point in time)';
  console.error(`DATABASE_URL is set: this Kartu runs on PostgreSQL, and npm run ${action} only handles the embedded database.`);
  console.error(`Use ${tools}; the commands are in docs/operations.md.`);
  process.exit(1);
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
