import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export interface Violation {
  tenantId: string;
  /** The account, or for the sale-level checks the sale. */
  accountId: string;
  check: string;
  expected: number;
  actual: number;
}

/**
 * DESIGN.md's ledger invariants, per account: balance = sum of posted entries = sum of live posted
 * lot remainders; pending = sum of pending lots; debt = debt entries; nothing negative; and per sale,
 * refunds never take back more than it earned nor return more than it spent.
 */
export async function verifyLedger(db: Db, scope: { tenantId?: string } = {}): Promise<{ accounts: number; violations: Violation[] }> {
  const tenantFilter = scope.tenantId ? sql`where a.tenant_id = ${scope.tenantId}` : sql``;
  const rows = await sql<{
    tenant_id: string; id: string; balance: number; pending: number; debt: number;
    entry_balance: number; entry_pending: number; entry_debt: number; lot_posted: number; lot_pending: number;
  }>`
    select a.tenant_id, a.id, a.balance, a.pending, a.debt,
           coalesce(e.balance, 0) as entry_balance, coalesce(e.pending, 0) as entry_pending, coalesce(e.debt, 0) as entry_debt,
           coalesce(l.posted, 0) as lot_posted, coalesce(l.pending, 0) as lot_pending
    from point_accounts a
    left join (
      select tenant_id, account_id,
             sum(points) filter (where bucket = 'balance') as balance,
             sum(points) filter (where bucket = 'pending') as pending,
             sum(points) filter (where bucket = 'debt') as debt
      from point_entries group by tenant_id, account_id
    ) e on e.tenant_id = a.tenant_id and e.account_id = a.id
    left join (
      select tenant_id, account_id,
             sum(remaining) filter (where status = 'posted') as posted,
             sum(remaining) filter (where status = 'pending') as pending
      from point_lots group by tenant_id, account_id
    ) l on l.tenant_id = a.tenant_id and l.account_id = a.id
    ${tenantFilter}`.execute(db);

  const violations: Violation[] = [];
  for (const r of rows.rows) {
    const check = (name: string, expected: number, actual: number) => {
      if (Number(expected) !== Number(actual)) violations.push({ tenantId: r.tenant_id, accountId: r.id, check: name, expected: Number(expected), actual: Number(actual) });
    };
    check('balance = sum of balance entries', r.balance, r.entry_balance);
    check('balance = sum of posted lot remainders', r.balance, r.lot_posted);
    check('pending = sum of pending entries', r.pending, r.entry_pending);
    check('pending = sum of pending lot remainders', r.pending, r.lot_pending);
    check('debt = sum of debt entries', r.debt, r.entry_debt);
    if (r.balance < 0) check('balance is not negative', 0, r.balance);
  }
  // Per sale: no refund takes back (or forgives) more than the sale earned, or returns more than it spent.
  const sales = await sql<{ tenant_id: string; id: string; earned: number; taken: number; redeemed: number; returned: number }>`
    select tenant_id, id, points_earned as earned, points_reversed + points_forgiven as taken, points_redeemed as redeemed, points_returned as returned
    from transactions
    where (points_reversed + points_forgiven > points_earned or points_returned > points_redeemed)
    ${scope.tenantId ? sql`and tenant_id = ${scope.tenantId}` : sql``}`.execute(db);
  for (const s of sales.rows) {
    if (Number(s.taken) > Number(s.earned)) violations.push({ tenantId: s.tenant_id, accountId: s.id, check: 'sale: reversed + forgiven <= earned', expected: Number(s.earned), actual: Number(s.taken) });
    if (Number(s.returned) > Number(s.redeemed)) violations.push({ tenantId: s.tenant_id, accountId: s.id, check: 'sale: returned <= redeemed', expected: Number(s.redeemed), actual: Number(s.returned) });
  }
  return { accounts: rows.rows.length, violations };
}
