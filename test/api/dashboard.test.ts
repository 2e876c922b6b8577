import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import type { Principal } from '../../api/src/shared/principal.ts';
import { postSale as importSale } from '../../api/src/transactions/transactions.service.ts';
import { newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { postSale, setPointsPolicy } from '../support/points.ts';
import { newReward, redeemReward } from '../support/rewards.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY = 86400e3;
/** The Jakarta calendar date `days` before today. */
const jakartaDate = (days = 0) => new Date(Date.now() + 7 * 3600e3 - days * DAY).toISOString().slice(0, 10);
const wib = (date: string, time: string) => `${date}T${time}:00+07:00`;
const principalOf = (tenant: Tenant): Principal => ({ kind: 'staff', tenantId: tenant.id, id: tenant.ownerId, role: 'owner', storeId: null, sessionId: 'fixture' });

// ---------------------------------------------------------------------------------------------
// A Jakarta tenant around today (D), stores A and B, points expire after 1 month, 1 point per Rp10.000:
//   M1 joined D−70; an imported sale at A on D−60 Rp300.000 → 30 points, expired today by the job
//   M2 joined D−10; sales A D−9 Rp150.000 (15 points), B D−2 Rp250.000 (25 points); redeems a
//      20-point reward at A today
//   M3 joined D−5; sale B D−5 Rp100.000 (10 points); shown offer X online today and buys its V60 at B
//      today Rp175.000 (17 points): a conversion
//   M4 joined D−1; no sales
//   a guest sale (no member) at A on D−3 Rp50.000
// Offer Y is never shown.
// ---------------------------------------------------------------------------------------------

async function fixture() {
  const tenant = await newTenant(app);
  await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1, returnWindowDays: 0 });
  const A = (await newStore(tenant, { code: 'A', name: 'Toko A' })).id;
  const B = (await newStore(tenant, { code: 'B', name: 'Toko B' })).id;
  const member = async (daysAgo: number) => {
    const m = await newMember(tenant);
    await app.deps.db.updateTable('members').set({ created_at: new Date(wib(jakartaDate(daysAgo), '08:00')) } as never)
      .where('tenant_id', '=', tenant.id).where('id', '=', m.id).execute();
    return m.id;
  };
  const one = (amount: number, sku = 'KOPI') => [{ sku, quantity: 1, unitPrice: rupiah(amount) }];
  const M1 = await member(70);
  const M2 = await member(10);
  const M3 = await member(5);
  const M4 = await member(1);

  await importSale(app.deps.db, principalOf(tenant), app.deps.config, {
    memberId: M1, storeId: A, receiptNo: 'OLD-1', channel: 'store', occurredAt: new Date(Date.now() - 60 * DAY).toISOString(), items: one(300_000),
  }, { importing: true });
  expect((await expirePoints(app.deps.db)).points).toBeGreaterThanOrEqual(30);

  await postSale(tenant, saleBody({ memberId: M2, storeId: A, occurredAt: wib(jakartaDate(9), '10:00'), items: one(150_000) }));
  await postSale(tenant, saleBody({ memberId: M2, storeId: B, occurredAt: wib(jakartaDate(2), '10:00'), items: one(250_000) }));
  await postSale(tenant, saleBody({ memberId: M3, storeId: B, occurredAt: wib(jakartaDate(5), '12:00'), items: one(100_000) }));
  await postSale(tenant, saleBody({ storeId: A, occurredAt: wib(jakartaDate(3), '11:00'), items: one(50_000) }));

  const reward = await newReward(tenant, { name: 'Kopi gratis', pointsCost: 20 });
  expect((await redeemReward(tenant.owner, reward.id, { memberId: M2, storeId: A })).status).toBe(201);

  const offer = async (name: string, trigger: string) => {
    const res = await tenant.owner.post('/api/v1/offers').send({
      name, kind: 'cross_sell', trigger: { skus: [trigger] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
      message: { id: 'Coba V60', en: 'Try a V60' }, startsAt: new Date(Date.now() - DAY).toISOString(), endsAt: new Date(Date.now() + 30 * DAY).toISOString(),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const X = await offer('Kopi → V60', 'KOPI');
  await offer('Teh → V60', 'TEH');
  expect((await tenant.owner.post(`/api/v1/offers/${X}/showings`).send({ memberId: M3 })).status).toBe(201);
  await postSale(tenant, saleBody({ memberId: M3, storeId: B, items: one(175_000, 'V60') }));

  return { tenant, A, B, reward, X, members: { M1, M2, M3, M4 } };
}

async function dashboard(tenant: Tenant, query: Record<string, string> = {}) {
  const res = await tenant.owner.get('/api/v1/reports/dashboard').query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

type Bucket = { start: string; end: string; members: { total: number; new: number; active: number }; sales: Record<string, number>; points: Record<string, number> };
const bucketOf = (body: { buckets: Bucket[] }, date: string) => body.buckets.find((b) => b.start === date)!;

describe('dashboard', () => {
  let fx: Awaited<ReturnType<typeof fixture>>;
  beforeAll(async () => {
    fx = await fixture();
  });

  it('the last 30 days by day: members, sales through members, points, liability, top rewards and offers, funnel', async () => {
    const body = await dashboard(fx.tenant);
    expect(body).toMatchObject({ from: jakartaDate(29), to: jakartaDate(0), storeId: null, timeZone: 'Asia/Jakarta', currency: 'IDR', bucket: 'day' });
    expect(body.buckets).toHaveLength(30);
    expect(body.buckets[0]).toMatchObject({ start: jakartaDate(29), end: jakartaDate(29) });
    // M2, M3 and M4 joined in the period; M2 and M3 bought.
    expect(body.members).toEqual({ total: 4, new: 3, active: 2 });
    // Rp150.000 + Rp250.000 + Rp100.000 + Rp175.000 of members, Rp50.000 of a guest.
    expect(body.sales).toEqual({
      sales: 5, revenue: rupiah(725_000), memberSales: 4, memberRevenue: rupiah(675_000), guestSales: 1, memberShare: 0.931,
    });
    // M1's 30 points were earned before the period and expired today.
    expect(body.points).toEqual({ issued: 15 + 25 + 10 + 17, redeemed: 20, expired: 30 });
    const liability = (await fx.tenant.owner.get('/api/v1/reports/points-liability')).body;
    expect(body.liability).toEqual({ points: 20 + 27, value: 47 * liability.pointValue, pending: 0, debt: 0, members: 2 });
    expect(body.liability.value).toBe(liability.outstanding.value);
    expect(body.topRewards).toEqual([{ rewardId: fx.reward.id, name: 'Kopi gratis', redeemed: 1, points: 20 }]);
    expect(body.topOffers).toEqual([{ offerId: fx.X, name: 'Kopi → V60', shown: 1, reached: 1, converted: 1, conversionRate: 1, revenue: rupiah(175_000) }]);
    // Prospects M2, M3, M4; M2 and M3 bought twice.
    expect(body.funnel).toEqual({ prospects: 3, firstPurchase: 2, repeat: 2, firstPurchaseRate: 0.6667, repeatRate: 1 });

    expect(bucketOf(body, jakartaDate(10)).members).toEqual({ total: 2, new: 1, active: 0 });
    expect(bucketOf(body, jakartaDate(9))).toMatchObject({
      members: { total: 2, new: 0, active: 1 },
      sales: { sales: 1, revenue: rupiah(150_000), memberSales: 1, memberRevenue: rupiah(150_000) },
      points: { issued: 15, redeemed: 0, expired: 0 },
    });
    expect(bucketOf(body, jakartaDate(3)).sales).toEqual({ sales: 1, revenue: rupiah(50_000), memberSales: 0, memberRevenue: 0 });
    expect(bucketOf(body, jakartaDate(0))).toMatchObject({
      members: { total: 4, new: 0, active: 1 },
      sales: { sales: 1, revenue: rupiah(175_000), memberSales: 1, memberRevenue: rupiah(175_000) },
      points: { issued: 17, redeemed: 20, expired: 30 },
    });
    const sum = (pick: (b: Bucket) => number) => body.buckets.reduce((total: number, b: Bucket) => total + pick(b), 0);
    expect(sum((b) => b.sales.revenue)).toBe(body.sales.revenue);
    expect(sum((b) => b.members.new)).toBe(3);
  });

  it('narrows to a store: its sales, the points tied to them, rewards redeemed and offers shown there; joins stay the retailer’s', async () => {
    const atA = await dashboard(fx.tenant, { storeId: fx.A });
    expect(atA.storeId).toBe(fx.A);
    expect(atA.members).toEqual({ total: 4, new: 3, active: 1 });
    expect(atA.sales).toEqual({ sales: 2, revenue: rupiah(200_000), memberSales: 1, memberRevenue: rupiah(150_000), guestSales: 1, memberShare: 0.75 });
    // The reward's points and the expiry are tied to no sale, so to no store.
    expect(atA.points).toEqual({ issued: 15, redeemed: 0, expired: 0 });
    expect(atA.topRewards).toHaveLength(1);
    expect(atA.topOffers).toEqual([]);
    expect(atA.funnel).toMatchObject({ prospects: 3, firstPurchase: 1, repeat: 0 });
    expect(atA.liability.points).toBe(47);

    const atB = await dashboard(fx.tenant, { storeId: fx.B });
    expect(atB.members.active).toBe(2);
    expect(atB.sales).toEqual({ sales: 3, revenue: rupiah(525_000), memberSales: 3, memberRevenue: rupiah(525_000), guestSales: 0, memberShare: 1 });
    expect(atB.points).toEqual({ issued: 25 + 10 + 17, redeemed: 0, expired: 0 });
    expect(atB.topRewards).toEqual([]);
    expect(atB.funnel).toMatchObject({ prospects: 3, firstPurchase: 2, repeat: 1 });
  });

  it('by day up to 62 days, by month beyond; a chosen period counts only what fell in it', async () => {
    const days62 = await dashboard(fx.tenant, { from: jakartaDate(61), to: jakartaDate(0) });
    expect(days62.bucket).toBe('day');
    expect(days62.buckets).toHaveLength(62);
    const days63 = await dashboard(fx.tenant, { from: jakartaDate(62), to: jakartaDate(0) });
    expect(days63.bucket).toBe('month');
    expect(days63.buckets[0].start).toBe(jakartaDate(62));
    expect(days63.buckets.at(-1).end).toBe(jakartaDate(0));
    // Over 63 days M1 joined before, its import sale and 30 points fall in; the totals equal the buckets' sums.
    expect(days63.members).toEqual({ total: 4, new: 3, active: 3 });
    expect(days63.sales).toMatchObject({ sales: 6, revenue: rupiah(1_025_000) });
    expect(days63.points).toEqual({ issued: 30 + 67, redeemed: 20, expired: 30 });
    const issued = days63.buckets.reduce((total: number, b: Bucket) => total + b.points.issued, 0);
    expect(issued).toBe(97);

    const window = await dashboard(fx.tenant, { from: jakartaDate(9), to: jakartaDate(2) });
    expect(window.buckets).toHaveLength(8);
    expect(window.members).toEqual({ total: 3, new: 1, active: 2 });
    expect(window.sales).toMatchObject({ sales: 4, memberSales: 3, revenue: rupiah(550_000) });
    expect(window.points).toEqual({ issued: 50, redeemed: 0, expired: 0 });
    expect(window.topRewards).toEqual([]);
    expect(window.topOffers).toEqual([]);
  });

  it('refuses a bad date or store with a 400 naming the field, keeps tenants apart, and needs reports.read', async () => {
    const badDate = await fx.tenant.owner.get('/api/v1/reports/dashboard').query({ from: '2026-02-30' });
    expect(badDate.status).toBe(400);
    expect(badDate.headers['content-type']).toContain('application/problem+json');
    expect(badDate.body.errors[0].path).toBe('query.from');
    const badTo = await fx.tenant.owner.get('/api/v1/reports/dashboard').query({ to: 'yesterday' });
    expect(badTo.status).toBe(400);
    expect(badTo.body.errors[0].path).toBe('query.to');
    const backwards = await fx.tenant.owner.get('/api/v1/reports/dashboard').query({ from: jakartaDate(0), to: jakartaDate(5) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].path).toBe('query.from');
    const notUuid = await fx.tenant.owner.get('/api/v1/reports/dashboard').query({ storeId: 'A' });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.errors[0].path).toBe('query.storeId');

    const other = await newTenant(app);
    const theirs = await newStore(other);
    const foreignStore = await fx.tenant.owner.get('/api/v1/reports/dashboard').query({ storeId: theirs.id });
    expect(foreignStore.status).toBe(400);
    expect(foreignStore.body.errors[0].path).toBe('query.storeId');
    const mine = await other.owner.get('/api/v1/reports/dashboard').query({ storeId: fx.A });
    expect(mine.status).toBe(400);
    const empty = await dashboard(other);
    expect(empty.members).toEqual({ total: 0, new: 0, active: 0 });
    expect(empty.sales).toEqual({ sales: 0, revenue: 0, memberSales: 0, memberRevenue: 0, guestSales: 0, memberShare: null });
    expect(empty.points).toEqual({ issued: 0, redeemed: 0, expired: 0 });
    expect(empty.liability.points).toBe(0);
    expect(empty.topRewards).toEqual([]);
    expect(empty.topOffers).toEqual([]);
    expect(empty.funnel.prospects).toBe(0);

    const cashier = await newStaff(app, fx.tenant, 'cashier');
    expect((await cashier.agent.get('/api/v1/reports/dashboard')).status).toBe(403);
    const marketer = await newStaff(app, fx.tenant, 'marketer');
    expect((await marketer.agent.get('/api/v1/reports/dashboard')).status).toBe(200);
    expect((await app.http.get('/api/v1/reports/dashboard')).status).toBe(401);
  });
});
