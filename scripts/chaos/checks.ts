// After the chaos: DESIGN.md's crash invariants over the chaos retailer, straight from the database.
import { sql } from 'kysely';
import { createDb } from '@kartu/db';
import type { LoadResults } from './load.ts';
import type { Seed } from './seed.ts';

export interface Check {
  name: string;
  checked: number;
  violations: string[];
}

export async function checkInvariants(url: string, seed: Seed, load: LoadResults): Promise<Check[]> {
  const db = await createDb({ url, maxConnections: 2 });
  const tenantId = seed.tenantId;
  try {
    const checks: Check[] = [];

    // Every acknowledged sale: its receipt exists exactly once, with the id the client was given.
    const receipts = load.sales.map((s) => s.receiptNo);
    const rows = receipts.length
      ? await db.selectFrom('transactions').select(['id', 'receipt_no']).where('tenant_id', '=', tenantId).where('receipt_no', 'in', receipts).execute()
      : [];
    const byReceipt = new Map<string, string[]>();
    for (const row of rows) byReceipt.set(row.receipt_no, [...(byReceipt.get(row.receipt_no) ?? []), row.id]);
    const saleViolations = load.sales.flatMap((sale) => {
      const ids = byReceipt.get(sale.receiptNo) ?? [];
      if (ids.length !== 1) return [`receipt ${sale.receiptNo}: ${ids.length} sales`];
      return ids[0] === sale.id ? [] : [`receipt ${sale.receiptNo}: acknowledged as ${sale.id}, stored as ${ids[0]}`];
    });
    checks.push({ name: 'acknowledged sales present exactly once', checked: load.sales.length, violations: saleViolations });

    // Each request ran to a definitive answer, so every sale in the database was acknowledged.
    const { count: salesInDb } = await db.selectFrom('transactions').select((eb) => eb.fn.countAll<number>().as('count')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    const unacked = Number(salesInDb) - load.sales.length;
    checks.push({
      name: 'sales in the database = sales acknowledged',
      checked: Number(salesInDb),
      violations: unacked > load.unresolved ? [`${salesInDb} sales stored, ${load.sales.length} acknowledged (${load.unresolved} requests left unresolved)`] : [],
    });

    // No voucher used past its limit: the counter and the redemptions both.
    const vouchers = await db
      .selectFrom('vouchers as v')
      .leftJoin('voucher_redemptions as r', (join) => join.onRef('r.tenant_id', '=', 'v.tenant_id').onRef('r.voucher_id', '=', 'v.id').on('r.status', '=', 'redeemed'))
      .select(['v.code', 'v.max_uses', 'v.uses', (eb) => eb.fn.count<number>('r.id').as('redemptions')])
      .where('v.tenant_id', '=', tenantId)
      .groupBy(['v.id', 'v.code', 'v.max_uses', 'v.uses'])
      .execute();
    checks.push({
      name: 'vouchers within their use limit',
      checked: vouchers.length,
      violations: vouchers.flatMap((v) => {
        const used = Math.max(Number(v.uses), Number(v.redemptions));
        const problems = v.max_uses !== null && used > v.max_uses ? [`${v.code}: used ${used} times, limit ${v.max_uses}`] : [];
        return Number(v.uses) === Number(v.redemptions) ? problems : [...problems, `${v.code}: counter ${v.uses}, redemptions ${v.redemptions}`];
      }),
    });

    // Every acknowledged voucher use (outside a sale) is stored.
    const useIds = load.voucherUseIds;
    const storedUses = useIds.length
      ? await db.selectFrom('voucher_redemptions').select('id').where('tenant_id', '=', tenantId).where('id', 'in', useIds).where('status', '=', 'redeemed').execute()
      : [];
    checks.push({
      name: 'acknowledged voucher uses present',
      checked: useIds.length,
      violations: storedUses.length === useIds.length ? [] : [`${useIds.length} acknowledged, ${storedUses.length} stored`],
    });

    // No negative balance, pending or debt.
    const accounts = await db.selectFrom('point_accounts').select(['id', 'balance', 'pending', 'debt']).where('tenant_id', '=', tenantId).execute();
    checks.push({
      name: 'point accounts not negative',
      checked: accounts.length,
      violations: accounts.filter((a) => a.balance < 0 || a.pending < 0 || a.debt < 0).map((a) => `account ${a.id}: balance ${a.balance}, pending ${a.pending}, debt ${a.debt}`),
    });

    // Points spent in the ledger = points the clients were told they spent (each effect once).
    const spent = await sql<{ points: number | null }>`select sum(abs(points)) as points from point_entries where tenant_id = ${tenantId} and kind = 'redeem'`.execute(db);
    const ledgerSpent = Number(spent.rows[0]?.points ?? 0);
    checks.push({
      name: 'points redeemed in the ledger = points acknowledged',
      checked: ledgerSpent,
      violations: ledgerSpent === load.redeemedPoints || load.unresolved > 0 ? [] : [`ledger ${ledgerSpent}, acknowledged ${load.redeemedPoints}`],
    });
    return checks;
  } finally {
    await db.destroy();
  }
}
