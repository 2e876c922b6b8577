import { sql } from 'kysely';
import type { Db } from '../deps.ts';

// Pages for the streamed exports, in id order after a cursor. The page is cut first and joined
// after, so a plan made on stale statistics (a tenant that has just imported) never joins it all.

export async function membersPage(db: Db, tenantId: string, afterId: string | null, limit: number) {
  const { rows } = await sql<{
    id: string; name: string; phone: string; email: string | null; birth_date: string | null; card_number: string | null; tier: string;
    balance: number; pending: number; status: string; lifecycle_stage: string; source: string; tags: string[]; marketing_opt_in: boolean; created_at: Date;
  }>`
    select m.id, m.name, m.phone, m.email, to_char(m.birth_date, 'YYYY-MM-DD') as birth_date,
           (select c.number from cards c where c.tenant_id = m.tenant_id and c.member_id = m.id and c.status in ('active', 'blocked') order by c.id desc limit 1) as card_number,
           t.code as tier, a.balance, a.pending, m.status, m.lifecycle_stage, m.source, m.tags, m.marketing_opt_in, m.created_at
    from (
      select * from members where tenant_id = ${tenantId} ${afterId ? sql`and id > ${afterId}` : sql``} order by id limit ${limit}
    ) m
    join tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
    join point_accounts a on a.tenant_id = m.tenant_id and a.member_id = m.id
    order by m.id`.execute(db);
  return rows;
}

export async function ledgerPage(db: Db, tenantId: string, range: { from: Date | null; to: Date | null }, afterId: string | null, limit: number) {
  const { rows } = await sql<{
    id: string; created_at: Date; member_id: string; phone: string; kind: string; bucket: string; points: number; balance_after: number;
    transaction_id: string | null; reference: string | null; note: string | null; actor_kind: string; actor_id: string | null;
  }>`
    select e.id, e.created_at, a.member_id, m.phone, e.kind, e.bucket, e.points, e.balance_after, e.transaction_id, e.reference, e.note, e.actor_kind, e.actor_id
    from (
      select * from point_entries
      where tenant_id = ${tenantId}
        ${range.from ? sql`and created_at >= ${range.from}` : sql``}
        ${range.to ? sql`and created_at < ${range.to}` : sql``}
        ${afterId ? sql`and id > ${afterId}` : sql``}
      order by id limit ${limit}
    ) e
    join point_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id
    join members m on m.tenant_id = a.tenant_id and m.id = a.member_id
    order by e.id`.execute(db);
  return rows;
}
