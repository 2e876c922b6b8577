import { sql, type Kysely } from 'kysely';

// Voided vouchers and where a voucher was used (issue 5, review).
// - vouchers.voided_at: a cancelled reward redemption voids its voucher for good. It used to end the
//   voucher's validity before its creation instead, which a sale backdated into a batch without a
//   start could still pass; those vouchers are marked voided here.
// - voucher_redemptions.store_id: where the use happened (null: no store), so a cashier may cancel
//   only a use of their own store. Uses on a sale take the sale's store.
const up_statements = [
  `alter table vouchers add column voided_at timestamptz`,
  `update vouchers set voided_at = now() where expires_at < created_at`,
  `alter table voucher_redemptions add column store_id uuid,
     add constraint voucher_redemptions_store_fkey foreign key (tenant_id, store_id) references stores (tenant_id, id)`,
  `update voucher_redemptions r set store_id = t.store_id
     from transactions t where t.tenant_id = r.tenant_id and t.id = r.transaction_id`,
];

const down_statements = [
  `alter table voucher_redemptions drop constraint voucher_redemptions_store_fkey, drop column store_id`,
  `alter table vouchers drop column voided_at`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
