import { sql, type Kysely } from 'kysely';

// Member imports that outlive a restart, and staged rows that do not outlive their use (review of issue 11):
// `staged_at` marks a file completely read (an import still being uploaded is never worked, and one whose
// upload died with the server is failed, not resumed); `progress_at` is the last sign of life of the
// worker, so a stalled import can be told from a slow one; `rows_deleted_at` records that the staged rows
// (personal data of the file) were deleted after the retention period.
const up_statements = [
  `alter table member_imports add column staged_at timestamptz, add column progress_at timestamptz, add column rows_deleted_at timestamptz`,
  // Imports staged before this migration: their rows were all read (the upload was answered).
  `update member_imports set staged_at = created_at, progress_at = coalesce(finished_at, created_at)`,
  `create index member_imports_unfinished on member_imports (created_at) where status = 'processing'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop index if exists member_imports_unfinished').execute(db);
  await sql.raw('alter table member_imports drop column staged_at, drop column progress_at, drop column rows_deleted_at').execute(db);
}
