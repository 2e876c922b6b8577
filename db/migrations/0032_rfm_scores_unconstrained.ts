import { sql, type Kysely } from 'kysely';

// Issue 12: member_rfm is a cache the RFM recompute replaces whole (delete and insert, one statement
// joined to members), never written from anywhere else. Its foreign keys had each of the 1,000,000
// inserted rows look up and lock (FOR KEY SHARE) its member and its tenant, which wrote a lock into
// every member's row: 34 s of a 1,000,000-customer recompute with them, 18.5 s without (measured on
// the seed:scale retailer). Members are never deleted (erasure and merges keep the row and delete
// its scores), so the keys protected nothing the recompute does not already ensure.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table member_rfm drop constraint member_rfm_tenant_id_member_id_fkey, drop constraint member_rfm_tenant_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table member_rfm
    add constraint member_rfm_tenant_id_fkey foreign key (tenant_id) references tenants (id),
    add constraint member_rfm_tenant_id_member_id_fkey foreign key (tenant_id, member_id) references members (tenant_id, id)`.execute(db);
}
