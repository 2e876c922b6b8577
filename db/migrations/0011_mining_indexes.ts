import { sql, type Kysely } from 'kysely';

// Basket mining (issue 7, api/src/mining): the suggestions read a window of a tenant's posted sales
// (by default the last 90 days), optionally of one store. Without this index that is a scan of all
// the tenant's sales; the lines of the sales found come by the existing unique key
// (tenant_id, transaction_id, line_no).
const up_statements = [
  `create index transactions_posted_occurred on transactions (tenant_id, occurred_at) include (id, store_id, member_id) where status = 'posted'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop index if exists transactions_posted_occurred').execute(db);
}
