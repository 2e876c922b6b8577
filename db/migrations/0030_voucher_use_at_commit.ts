import { sql, type Kysely } from 'kysely';

// Issue 12: a public voucher code's row is shared by every till, and counting a use on it locks it
// until the transaction ends. Counted by the redemption's insert, that lock was held across every
// round trip left in the sale (each waiting on a busy Node event loop) and sales with the code queued
// behind it. Now a deferred constraint trigger counts the use at COMMIT: the row is locked for the
// trigger and the commit's WAL flush only. It re-checks, on the row's latest version, that the
// voucher still has a use left, is not voided and its batch is active; if not, the COMMIT fails with
// a check violation naming why (mapped to the 409 problems in api/src/app.ts) and nothing is posted.
const up_statements = [
  `create function kartu_count_voucher_use() returns trigger language plpgsql as $$
   declare
     v record;
   begin
     update vouchers set uses = uses + 1
      where tenant_id = new.tenant_id and id = new.voucher_id and voided_at is null and (max_uses is null or uses < max_uses)
        and exists (select 1 from voucher_batches b where b.tenant_id = vouchers.tenant_id and b.id = vouchers.batch_id and b.status = 'active');
     if found then return null; end if;
     select x.voided_at, x.max_uses, x.uses into v from vouchers x where x.tenant_id = new.tenant_id and x.id = new.voucher_id;
     if v.voided_at is not null then
       raise exception 'voucher % was voided', new.voucher_id using errcode = '23514', constraint = 'voucher_use_voided';
     elsif v.max_uses is not null and v.uses >= v.max_uses then
       raise exception 'voucher % has no uses left', new.voucher_id using errcode = '23514', constraint = 'voucher_use_used_up';
     end if;
     raise exception 'the batch of voucher % is not active', new.voucher_id using errcode = '23514', constraint = 'voucher_use_batch_inactive';
   end $$`,
  `create constraint trigger voucher_redemptions_count_use after insert on voucher_redemptions
     deferrable initially deferred for each row execute function kartu_count_voucher_use()`,
];

const down_statements = [
  `drop trigger voucher_redemptions_count_use on voucher_redemptions`,
  `drop function kartu_count_voucher_use()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
