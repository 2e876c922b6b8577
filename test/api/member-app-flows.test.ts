import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInMember } from '../support/cards.ts';
import { newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { postSale, refund } from '../support/points.ts';
import { newReward, redeemReward } from '../support/rewards.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// What the member app needs to put the history, the tier and the vouchers into words: each points
// entry says why (the sale's store, the reward, an adjustment's reason), the tier answer has the
// progress toward the next tier, and the member's vouchers come the soonest to expire first.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

type Agent = Tenant['owner'];
interface Entry {
  kind: string;
  points: number;
  reason: { type: string; store: string | null; channel: string | null; receiptNo: string | null; name: string | null; note: string | null };
}

async function myEntries(phoneApp: Agent): Promise<Entry[]> {
  const res = await phoneApp.get('/api/v1/me/points');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.entries.items;
}

describe('GET /api/v1/me/points', () => {
  it('says why each entry happened: the sale’s store and receipt, the reward, the refund, the adjustment’s reason', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant, { name: 'Toko Sudirman' });
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 300, reason: 'Kompensasi keterlambatan' }).expect(201);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, receiptNo: 'R-SUD-1' }));
    const reward = await newReward(tenant, { name: 'Voucher Belanja', pointsCost: 100 });
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(201);
    expect((await refund(tenant, sale.id)).status).toBe(201);

    const entries = await myEntries(phoneApp);
    const reasons = entries.map((e) => [e.kind, e.reason]);
    expect(reasons).toContainEqual(['adjust', { type: 'adjustment', store: null, channel: null, receiptNo: null, name: null, note: 'Kompensasi keterlambatan' }]);
    expect(reasons).toContainEqual(['earn', { type: 'sale', store: 'Toko Sudirman', channel: 'store', receiptNo: 'R-SUD-1', name: null, note: null }]);
    expect(reasons).toContainEqual(['redeem', { type: 'reward', store: null, channel: null, receiptNo: null, name: 'Voucher Belanja', note: null }]);
    expect(reasons).toContainEqual(['reverse', { type: 'refund', store: 'Toko Sudirman', channel: 'store', receiptNo: 'R-SUD-1', name: null, note: null }]);

    // The staff view of the same ledger carries the same reasons.
    const staff = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(staff.body.entries.items.map((e: Entry) => e.reason.type)).toEqual(entries.map((e) => e.reason.type));
  });

  it('tells a voided sale from a refund, and names an online sale’s channel when it has no store', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, receiptNo: 'R-ONL-7', channel: 'online' }));
    const voided = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', randomUUID());
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);

    const entries = await myEntries(phoneApp);
    expect(entries.find((e) => e.kind === 'earn')?.reason).toEqual({ type: 'sale', store: null, channel: 'online', receiptNo: 'R-ONL-7', name: null, note: null });
    expect(entries.find((e) => e.kind === 'reverse')?.reason.type).toBe('void');
  });
});

describe('GET /api/v1/me/tier', () => {
  it('gives the exact amount still needed and the progress from the current threshold to the next', async () => {
    const tenant = await newTenant(app);
    const tiers = (await tenant.owner.get('/api/v1/tiers')).body.items as { rank: number; minQualifying: number }[];
    const entry = tiers.reduce((a, b) => (a.rank <= b.rank ? a : b));
    const top = Math.max(...tiers.map((t) => t.rank));
    await tenant.owner.post('/api/v1/tiers').send({ code: 'silver', name: 'Silver', rank: top + 1, minQualifying: entry.minQualifying + rupiah(200_000), earnMultiplier: 1.25 }).expect(201);
    await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: top + 2, minQualifying: entry.minQualifying + rupiah(500_000), earnMultiplier: 1.5, freeShipping: true }).expect(201);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(250_000) }] }));

    const res = await phoneApp.get('/api/v1/me/tier');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.current.name).toBe('Silver');
    expect(res.body.basis).toBe('spend');
    // From Silver's Rp 200.000 to Gold's Rp 500.000 with Rp 250.000 spent: Rp 250.000 to go, a sixth of the way.
    expect(res.body.next).toMatchObject({ tier: { name: 'Gold', earnMultiplier: 1.5, freeShipping: true }, needed: rupiah(250_000), progress: 16 });
  });
});

describe('GET /api/v1/me/vouchers', () => {
  it('lists the soonest to expire first, codes without an expiry last', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();
    const batch = async (name: string, expiresAt?: string) => {
      const res = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: rupiah(5_000), memberId: member.id, name, ...(expiresAt ? { expiresAt } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    await batch('Jauh', inDays(60));
    await batch('Segera', inDays(2));
    await batch('Sedang', inDays(20));

    const res = await phoneApp.get('/api/v1/me/vouchers');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.map((v: { name: string }) => v.name)).toEqual(['Segera', 'Sedang', 'Jauh']);
  });
});
