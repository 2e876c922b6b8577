import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newReceipt, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { expectLedgerClean } from '../support/points.ts';
import { newVoucherBatch, sell } from '../support/promotions.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race. Concurrent sales carrying the
// same voucher code: each sale prices the cart without locks, then uses the voucher under its row
// lock; the sales that lose are refused whole (409) and post nothing.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const statusCounts = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

async function voucherState(tenant: Tenant, code: string) {
  const voucher = await app.deps.db.selectFrom('vouchers').select(['id', 'uses']).where('tenant_id', '=', tenant.id).where('code', '=', code).executeTakeFirstOrThrow();
  const live = await app.deps.db
    .selectFrom('voucher_redemptions').select(['transaction_id', 'member_id'])
    .where('tenant_id', '=', tenant.id).where('voucher_id', '=', voucher.id).where('status', '=', 'redeemed').execute();
  const sales = await app.deps.db.selectFrom('transactions').select(['id', 'member_id', 'points_earned']).where('tenant_id', '=', tenant.id).execute();
  return { uses: voucher.uses, live, sales };
}

/** Concurrent sales of Rp 100.000 with the code, one per member, each its own receipt and Idempotency-Key. */
async function race(tenant: Tenant, code: string, members: { id: string }[]) {
  return Promise.all(
    members.map((member) =>
      sell(tenant.owner, { memberId: member.id, receiptNo: newReceipt(), items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(100_000) }], voucherCodes: [code] }, randomUUID()),
    ),
  );
}

describe('concurrent sales with one voucher code', () => {
  it('50 sales with the same single-use code: exactly one posts, 49 are refused and post nothing', async () => {
    const tenant = await newTenant(app);
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(20_000) });
    const members = await Promise.all(Array.from({ length: concurrent(50) }, () => newMember(tenant)));

    const results = await race(tenant, code, members);
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 1, 409: members.length - 1 });
    const refusals = results.filter((r) => r.status === 409).map((r) => r.body.code);
    expect(refusals.filter((c) => c !== 'voucher_rejected' && c !== 'voucher_used_up')).toEqual([]);

    const winner = results.find((r) => r.status === 201)!.body;
    // Rp 100.000 − Rp 20.000 = Rp 80.000 → 8 points, for the winner only.
    expect(winner).toMatchObject({ discount: rupiah(20_000), total: rupiah(80_000), pointsEarned: 8 });
    const { uses, live, sales } = await voucherState(tenant, code);
    expect(uses).toBe(1);
    expect(live).toEqual([{ transaction_id: winner.id, member_id: winner.memberId }]);
    expect(sales).toEqual([{ id: winner.id, member_id: winner.memberId, points_earned: 8 }]);
    await expectLedgerClean(app, tenant.id);
  });

  it('a public code with a total limit of 5 under 30 concurrent sales: exactly 5 post', async () => {
    const tenant = await newTenant(app);
    await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(20_000), code: 'SERBU-LIMA', usesPerCode: 5 });
    const members = await Promise.all(Array.from({ length: concurrent(30) }, () => newMember(tenant)));

    const results = await race(tenant, 'serbu-lima', members);
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 5, 409: members.length - 5 });
    const refusals = results.filter((r) => r.status === 409).map((r) => r.body.code);
    expect(refusals.filter((c) => c !== 'voucher_rejected' && c !== 'voucher_used_up')).toEqual([]);

    const winners = results.filter((r) => r.status === 201).map((r) => r.body.id as string).sort();
    const { uses, live, sales } = await voucherState(tenant, 'SERBULIMA');
    expect(uses).toBe(5);
    expect(live.map((r) => r.transaction_id).sort()).toEqual(winners);
    expect(sales.map((s) => s.id).sort()).toEqual(winners);
    expect(sales.every((s) => s.points_earned === 8)).toBe(true);
    await expectLedgerClean(app, tenant.id);
  });
});
