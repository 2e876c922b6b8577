import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import { recomputeRfm } from '../../api/src/rfm/rfm.service.ts';
import type { Principal } from '../../api/src/shared/principal.ts';
import { postSale as importSale } from '../../api/src/transactions/transactions.service.ts';
import { cardCodeOf, newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { postSale, setPointsPolicy } from '../support/points.ts';
import { newReward, redeemReward } from '../support/rewards.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY = 86400e3;
/** An instant of Asia/Jakarta wall-clock time (UTC+7 all year). */
const wib = (local: string) => new Date(`${local}:00+07:00`);
/** The Jakarta calendar date `days` before today. */
const jakartaDate = (days = 0) => new Date(Date.now() + 7 * 3600e3 - days * DAY).toISOString().slice(0, 10);

const principalOf = (tenant: Tenant): Principal => ({ kind: 'staff', tenantId: tenant.id, id: tenant.ownerId, role: 'owner', storeId: null, sessionId: 'fixture' });

async function report(tenant: Tenant, path: string, query: Record<string, string> = {}) {
  const res = await tenant.owner.get(`/api/v1/reports/${path}`).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

// ---------------------------------------------------------------------------------------------
// The members fixture (funnel, cohorts, RFM grid, active members): a Jakarta tenant, stores A and
// B, fixed dates in autumn 2026. Join times and sources are written to the rows (the API cannot
// backdate an enrolment or choose a source other than through its own flows); sales are imported
// with their `occurredAt`, as the demo's history is.
//
//   M1 in_store  joined 2026-10-05 10:00  sales A 10-06 10:00 Rp100.000, A 10-20 10:00 Rp100.000, A 11-10 10:00 Rp100.000
//   M2 in_store  joined 2026-10-31 23:00  sale  B 10-31 23:30 Rp200.000            (last minutes of October, WIB)
//   M3 web_form  joined 2026-10-01 00:10  sale  B 10-02 10:00 Rp50.000; B 10-03 Rp70.000 voided
//   M4 referral  joined 2026-09-30 23:30  sale  A 10-10 10:00 Rp80.000             (a September member)
//   M5 campaign  joined 2026-11-01 00:30  no sales                                 (16:30 UTC on 31 October)
//   M6 import    joined 2026-10-15 12:00  sale  A 11-01 00:15 Rp120.000            (17:15 UTC on 31 October)
//   M7 web_form  joined 2026-10-20 12:00  no sales
// ---------------------------------------------------------------------------------------------

type Key = 'M1' | 'M2' | 'M3' | 'M4' | 'M5' | 'M6' | 'M7';
interface Spec { source: string; joined: string; sales: { store: 'A' | 'B'; at: string; rupiah: number; voided?: boolean }[] }
const SPECS: Record<Key, Spec> = {
  M1: { source: 'in_store', joined: '2026-10-05T10:00', sales: [{ store: 'A', at: '2026-10-06T10:00', rupiah: 100_000 }, { store: 'A', at: '2026-10-20T10:00', rupiah: 100_000 }, { store: 'A', at: '2026-11-10T10:00', rupiah: 100_000 }] },
  M2: { source: 'in_store', joined: '2026-10-31T23:00', sales: [{ store: 'B', at: '2026-10-31T23:30', rupiah: 200_000 }] },
  M3: { source: 'web_form', joined: '2026-10-01T00:10', sales: [{ store: 'B', at: '2026-10-02T10:00', rupiah: 50_000 }, { store: 'B', at: '2026-10-03T10:00', rupiah: 70_000, voided: true }] },
  M4: { source: 'referral', joined: '2026-09-30T23:30', sales: [{ store: 'A', at: '2026-10-10T10:00', rupiah: 80_000 }] },
  M5: { source: 'campaign', joined: '2026-11-01T00:30', sales: [] },
  M6: { source: 'import', joined: '2026-10-15T12:00', sales: [{ store: 'A', at: '2026-11-01T00:15', rupiah: 120_000 }] },
  M7: { source: 'web_form', joined: '2026-10-20T12:00', sales: [] },
};

async function membersFixture() {
  const tenant = await newTenant(app);
  const stores = { A: (await newStore(tenant, { code: 'A' })).id, B: (await newStore(tenant, { code: 'B' })).id };
  const principal = principalOf(tenant);
  const ids = {} as Record<Key, string>;
  for (const [key, spec] of Object.entries(SPECS) as [Key, Spec][]) {
    const member = await newMember(tenant, { name: `${key} Fixture` });
    ids[key] = member.id;
    await app.deps.db.updateTable('members').set({ created_at: wib(spec.joined), source: spec.source } as never)
      .where('tenant_id', '=', tenant.id).where('id', '=', member.id).execute();
    for (const [n, sale] of spec.sales.entries()) {
      const posted = await importSale(app.deps.db, principal, app.deps.config, {
        memberId: member.id, storeId: stores[sale.store], receiptNo: `${key}-${n}`, channel: 'store', occurredAt: wib(sale.at).toISOString(),
        items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(sale.rupiah) }],
      }, { importing: true });
      // A void is only possible on the day of the sale: the row says what a void that day would have.
      if (sale.voided) await app.deps.db.updateTable('transactions').set({ status: 'voided', voided_at: wib(sale.at) }).where('tenant_id', '=', tenant.id).where('id', '=', posted.id).execute();
    }
  }
  return { tenant, stores, ids, principal };
}

describe('program reports on the members fixture', () => {
  let fx: Awaited<ReturnType<typeof membersFixture>>;
  beforeAll(async () => {
    fx = await membersFixture();
  });

  it('acquisition funnel: October prospects by source, first and repeat purchases by its end, in Jakarta time', async () => {
    const october = await report(fx.tenant, 'acquisition', { from: '2026-10-01', to: '2026-10-31' });
    expect(october).toMatchObject({ from: '2026-10-01', to: '2026-10-31', storeId: null, timeZone: 'Asia/Jakarta' });
    // M1, M2, M3, M6, M7 joined in October (M4 at 23:30 on 30 September, M5 at 00:30 on 1 November).
    expect(october.total).toEqual({ prospects: 5, firstPurchase: 3, repeat: 1, firstPurchaseRate: 0.6, repeatRate: 0.3333 });
    const bySource = Object.fromEntries(october.bySource.map((s: { source: string }) => [s.source, s]));
    expect(Object.keys(bySource)).toEqual(['in_store', 'web_form', 'referral', 'import', 'campaign']);
    // M1 twice in October (its November sale is after the end), M2 at 23:30 on the last day.
    expect(bySource.in_store).toEqual({ source: 'in_store', prospects: 2, firstPurchase: 2, repeat: 2 - 1, firstPurchaseRate: 1, repeatRate: 0.5 });
    // M3's second sale was voided; M7 never bought.
    expect(bySource.web_form).toMatchObject({ prospects: 2, firstPurchase: 1, repeat: 0 });
    // M6's only sale is at 00:15 on 1 November WIB (still 31 October in UTC).
    expect(bySource.import).toMatchObject({ prospects: 1, firstPurchase: 0, repeat: 0 });
    expect(bySource.referral).toMatchObject({ prospects: 0, firstPurchase: 0, repeat: 0, firstPurchaseRate: 0 });
    expect(bySource.campaign).toMatchObject({ prospects: 0 });

    // At store A only M1's purchases count; prospects stay the whole retailer's.
    const atA = await report(fx.tenant, 'acquisition', { from: '2026-10-01', to: '2026-10-31', storeId: fx.stores.A });
    expect(atA.total).toMatchObject({ prospects: 5, firstPurchase: 1, repeat: 1 });
    expect(atA.bySource[0]).toMatchObject({ source: 'in_store', prospects: 2, firstPurchase: 1, repeat: 1 });

    // To the end of November, M6's sale counts and M5 is a prospect.
    const autumn = await report(fx.tenant, 'acquisition', { from: '2026-10-01', to: '2026-11-30' });
    expect(autumn.total).toMatchObject({ prospects: 6, firstPurchase: 4, repeat: 1 });
  });

  it('retention cohorts: join months and the share active in each month after', async () => {
    const body = await report(fx.tenant, 'retention', { from: '2026-09-01', to: '2026-11-30' });
    expect(body.cohorts).toEqual([
      { month: '2026-09', members: 1, months: [{ offset: 0, active: 0, share: 0 }, { offset: 1, active: 1, share: 1 }, { offset: 2, active: 0, share: 0 }] },
      { month: '2026-10', members: 5, months: [{ offset: 0, active: 3, share: 0.6 }, { offset: 1, active: 2, share: 0.4 }] },
      { month: '2026-11', members: 1, months: [{ offset: 0, active: 0, share: 0 }] },
    ]);
    const atA = await report(fx.tenant, 'retention', { from: '2026-09-01', to: '2026-11-30', storeId: fx.stores.A });
    expect(atA.cohorts[1]).toEqual({ month: '2026-10', members: 5, months: [{ offset: 0, active: 1, share: 0.2 }, { offset: 1, active: 2, share: 0.4 }] });
    // Ending on 31 October: M6's purchase at 00:15 on 1 November is outside, and so is November.
    const october = await report(fx.tenant, 'retention', { from: '2026-10-01', to: '2026-10-31' });
    expect(october.cohorts).toEqual([{ month: '2026-10', members: 5, months: [{ offset: 0, active: 3, share: 0.6 }] }]);
  });

  it('RFM grid: the scores of the members who bought in the period or at a store, with monetary sums', async () => {
    // Scored at 1 December 00:00 WIB. Recency: M3 59 days, M4 51, M2 30, M6 29, M1 20 → R 1..5;
    // frequency: M1 3 sales (F 5), the others 1 (F 1). M3's voided sale does not count.
    await recomputeRfm(app.deps.db, fx.principal, wib('2026-12-01T00:00'));
    const all = await report(fx.tenant, 'rfm-grid');
    expect(all).toMatchObject({ from: null, to: null, storeId: null, customers: 5, monetary: rupiah(750_000), windowMonths: 12 });
    const cell = (body: { cells: { r: number; f: number }[] }, r: number, f: number) => body.cells.find((c) => c.r === r && c.f === f);
    expect(all.cells).toHaveLength(25);
    expect(cell(all, 5, 5)).toEqual({ r: 5, f: 5, members: 1, monetary: rupiah(300_000), averageMonetary: rupiah(300_000) });
    expect(cell(all, 1, 1)).toEqual({ r: 1, f: 1, members: 1, monetary: rupiah(50_000), averageMonetary: rupiah(50_000) });
    expect(cell(all, 2, 1)).toMatchObject({ members: 1, monetary: rupiah(80_000) });
    expect(cell(all, 3, 1)).toMatchObject({ members: 1, monetary: rupiah(200_000) });
    expect(cell(all, 4, 1)).toMatchObject({ members: 1, monetary: rupiah(120_000) });
    expect(cell(all, 1, 5)).toEqual({ r: 1, f: 5, members: 0, monetary: 0, averageMonetary: null });

    const atA = await report(fx.tenant, 'rfm-grid', { storeId: fx.stores.A });
    expect(atA).toMatchObject({ customers: 3, monetary: rupiah(500_000) }); // M1, M4, M6
    const november = await report(fx.tenant, 'rfm-grid', { from: '2026-11-01', to: '2026-11-30' });
    expect(november).toMatchObject({ from: '2026-11-01', to: '2026-11-30', customers: 2, monetary: rupiah(420_000) }); // M1, M6
    const lastDayAtB = await report(fx.tenant, 'rfm-grid', { from: '2026-10-31', to: '2026-10-31', storeId: fx.stores.B });
    expect(lastDayAtB).toMatchObject({ customers: 1, monetary: rupiah(200_000) }); // M2 at 23:30
    expect(cell(lastDayAtB, 3, 1)).toMatchObject({ members: 1 });
  });

  it('active members by month, week and day, with new and total members', async () => {
    const monthly = await report(fx.tenant, 'active-members', { from: '2026-09-01', to: '2026-11-30', bucket: 'month' });
    expect(monthly.buckets).toEqual([
      { start: '2026-09-01', end: '2026-09-30', active: 0, joined: 1, total: 1 },
      { start: '2026-10-01', end: '2026-10-31', active: 4, joined: 5, total: 6 },
      { start: '2026-11-01', end: '2026-11-30', active: 2, joined: 1, total: 7 },
    ]);
    const atB = await report(fx.tenant, 'active-members', { from: '2026-09-01', to: '2026-11-30', bucket: 'month', storeId: fx.stores.B });
    expect(atB.buckets.map((b: { active: number }) => b.active)).toEqual([0, 2, 0]);
    expect(atB.buckets.map((b: { total: number }) => b.total)).toEqual([1, 6, 7]);

    // 1 October 2026 is a Thursday: the first week is clipped to 1–4 October.
    const weekly = await report(fx.tenant, 'active-members', { from: '2026-10-01', to: '2026-10-14', bucket: 'week' });
    expect(weekly.buckets).toEqual([
      { start: '2026-10-01', end: '2026-10-04', active: 1, joined: 1, total: 2 },
      { start: '2026-10-05', end: '2026-10-11', active: 2, joined: 1, total: 3 },
      { start: '2026-10-12', end: '2026-10-14', active: 0, joined: 0, total: 3 },
    ]);

    const daily = await report(fx.tenant, 'active-members', { from: '2026-10-31', to: '2026-11-01', bucket: 'day' });
    expect(daily.buckets).toEqual([
      { start: '2026-10-31', end: '2026-10-31', active: 1, joined: 1, total: 6 },
      { start: '2026-11-01', end: '2026-11-01', active: 1, joined: 1, total: 7 },
    ]);
  });

  it('refuses a bad period or store with a 400 naming the field, and needs reports.read', async () => {
    const backwards = await fx.tenant.owner.get('/api/v1/reports/acquisition').query({ from: '2026-10-31', to: '2026-10-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].path).toBe('query.from');
    const tooLong = await fx.tenant.owner.get('/api/v1/reports/retention').query({ from: '2024-01-01', to: '2026-10-01' });
    expect(tooLong.status).toBe(400);
    const badDate = await fx.tenant.owner.get('/api/v1/reports/redemption').query({ from: '2026-02-30' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].path).toBe('query.from');
    const badBucket = await fx.tenant.owner.get('/api/v1/reports/active-members').query({ bucket: 'year' });
    expect(badBucket.status).toBe(400);
    expect(badBucket.body.errors[0].path).toBe('query.bucket');
    // Another tenant's store is unknown here.
    const other = await newTenant(app);
    const theirs = await newStore(other);
    for (const path of ['acquisition', 'retention', 'rfm-grid', 'active-members', 'redemption', 'offers']) {
      const res = await fx.tenant.owner.get(`/api/v1/reports/${path}`).query({ storeId: theirs.id });
      expect(res.status, path).toBe(400);
      expect(res.body.errors[0].path).toBe('query.storeId');
    }
    // The other tenant sees none of this tenant's members.
    expect((await report(other, 'acquisition', { from: '2026-10-01', to: '2026-10-31' })).total.prospects).toBe(0);
    const cashier = await newStaff(app, fx.tenant, 'cashier');
    expect((await cashier.agent.get('/api/v1/reports/acquisition')).status).toBe(403);
    const marketer = await newStaff(app, fx.tenant, 'marketer');
    expect((await marketer.agent.get('/api/v1/reports/acquisition')).status).toBe(200);
    expect((await app.http.get('/api/v1/reports/retention')).status).toBe(401);
  });
});

// ---------------------------------------------------------------------------------------------
// Redemption: points, vouchers and rewards around today (D), through the API. Expiry after 1 month.
//   import sale 60 days ago at A, Rp300.000 → 30 points, expired today by the expiry job
//   sale A (D−2) 23:30 Rp150.000 → 15 points
//   sale B (D−1) 00:10 Rp250.000 → 25 points
//   sale A (D−1) 10:00 Rp100.000 → 10 points
//   sale B now Rp100.000 with a batch voucher of Rp20.000 → 8 points (a code cannot pay a sale dated before it)
//   today: a reward for 30 points (a reward voucher), and a redemption of 5 points
//   vouchers: a batch of 3 codes today, one used above
// ---------------------------------------------------------------------------------------------

describe('redemption report', () => {
  it('points issued, redeemed and expired; vouchers by origin; rewards; by store and day in Jakarta time', async () => {
    const tenant = await newTenant(app);
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1, returnWindowDays: 0 });
    const A = (await newStore(tenant, { code: 'A' })).id;
    const B = (await newStore(tenant, { code: 'B' })).id;
    const member = await newMember(tenant);
    const one = (amount: number) => [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(amount) }];
    await importSale(app.deps.db, principalOf(tenant), app.deps.config, {
      memberId: member.id, storeId: A, receiptNo: 'OLD-1', channel: 'store', occurredAt: new Date(Date.now() - 60 * DAY).toISOString(), items: one(300_000),
    }, { importing: true });
    expect((await expirePoints(app.deps.db)).points).toBeGreaterThanOrEqual(30);

    const d2 = jakartaDate(2);
    const d1 = jakartaDate(1);
    const today = jakartaDate(0);
    await postSale(tenant, saleBody({ memberId: member.id, storeId: A, occurredAt: `${d2}T23:30:00+07:00`, items: one(150_000) }));
    await postSale(tenant, saleBody({ memberId: member.id, storeId: B, occurredAt: `${d1}T00:10:00+07:00`, items: one(250_000) }));
    await postSale(tenant, saleBody({ memberId: member.id, storeId: A, occurredAt: `${d1}T10:00:00+07:00`, items: one(100_000) }));

    const batch = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 3, kind: 'amount', value: rupiah(20_000), startsAt: new Date(Date.now() - 5 * DAY).toISOString(), expiresAt: new Date(Date.now() + 30 * DAY).toISOString() });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const csv = await tenant.owner.get(`/api/v1/vouchers/batches/${batch.body.batchId}/codes.csv`);
    const code = csv.text.trim().split('\n')[1].split(',')[0].replace(/"/g, '');
    const withVoucher = await postSale(tenant, saleBody({ memberId: member.id, storeId: B, items: one(100_000), voucherCodes: [code] }));
    expect(withVoucher.pointsEarned).toBe(8);

    const reward = await newReward(tenant, { name: 'Diskon Rp 10.000', pointsCost: 30 });
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(201);
    const spent = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', randomUUID()).send({ points: 5 });
    expect(spent.status, JSON.stringify(spent.body)).toBe(201);

    const recent = await report(tenant, 'redemption', { from: d1, to: today });
    expect(recent.points).toEqual({ issued: 25 + 10 + 8, redeemed: 30 + 5, expired: 30, redemptionRate: 0.814, expiryRate: 0.6977 });
    expect(recent.vouchers).toMatchObject({ issued: 4, redeemed: 1, discount: rupiah(20_000), redemptionRate: 0.25 });
    const origin = (body: { vouchers: { byOrigin: { origin: string }[] } }, o: string) => body.vouchers.byOrigin.find((x) => x.origin === o);
    expect(origin(recent, 'batch')).toEqual({ origin: 'batch', issued: 3, redeemed: 1, discount: rupiah(20_000), redemptionRate: 0.3333 });
    expect(origin(recent, 'reward')).toEqual({ origin: 'reward', issued: 1, redeemed: 0, discount: 0, redemptionRate: 0 });
    expect(origin(recent, 'offer')).toMatchObject({ issued: 0, redeemed: 0 });
    expect(recent.rewards).toEqual({ redeemed: 1, points: 30, byReward: [{ rewardId: reward.id, name: 'Diskon Rp 10.000', redeemed: 1, points: 30 }] });

    // The sale at 23:30 on D−2 belongs to D−2, nothing else does.
    const dayBefore = await report(tenant, 'redemption', { from: d2, to: d2 });
    expect(dayBefore.points).toEqual({ issued: 15, redeemed: 0, expired: 0, redemptionRate: 0, expiryRate: 0 });
    expect(dayBefore.vouchers).toMatchObject({ issued: 0, redeemed: 0 });
    expect(dayBefore.rewards.redeemed).toBe(0);

    // Store B: its two sales' points and the voucher used there; the reward and points redeemed at no store are not B's.
    const atB = await report(tenant, 'redemption', { from: d1, to: today, storeId: B });
    expect(atB.points).toMatchObject({ issued: 25 + 8, redeemed: 0, expired: 0 });
    expect(atB.vouchers).toMatchObject({ issued: 0, redeemed: 1, discount: rupiah(20_000) });
    expect(atB.rewards.redeemed).toBe(0);
    const atA = await report(tenant, 'redemption', { from: d1, to: today, storeId: A });
    expect(atA.points.issued).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------
// Offer results across offers, today: offer X shown at the till of store A (converted: the
// suggested dripper bought there) and online to another member (not converted); offer Y never shown.
// ---------------------------------------------------------------------------------------------

describe('offer results report', () => {
  it('every offer with shown, reached, converted, conversion rate and extra revenue, by store and period', async () => {
    const tenant = await newTenant(app);
    const A = (await newStore(tenant, { code: 'A' })).id;
    const KOPI = { sku: 'KOPI-250', category: 'kopi', quantity: 1, unitPrice: rupiah(85_000) };
    const V60 = { sku: 'V60', category: 'alat', quantity: 1, unitPrice: rupiah(175_000) };
    const offer = async (name: string, trigger: string) => {
      const res = await tenant.owner.post('/api/v1/offers').send({
        name, kind: 'cross_sell', trigger: { skus: [trigger] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
        message: { id: 'Coba V60', en: 'Try a V60' }, startsAt: new Date(Date.now() - DAY).toISOString(), endsAt: new Date(Date.now() + 30 * DAY).toISOString(),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const x = await offer('X', 'KOPI-250');
    const y = await offer('Y', 'TEH-100');
    const buyer = await newMember(tenant);
    const browser = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: buyer.id, storeId: A, items: [KOPI], occurredAt: new Date(Date.now() - 7 * DAY).toISOString() }));
    const scanned = await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, buyer.id), storeId: A });
    expect(scanned.status).toBe(200);
    // X applies (coffee bought last week), Y (for tea buyers) does not.
    expect(scanned.body.offers.map((o: { id: string }) => o.id)).toEqual([x]);
    expect((await tenant.owner.post(`/api/v1/offers/${x}/showings`).send({ memberId: browser.id })).status).toBe(201);
    await postSale(tenant, saleBody({ memberId: buyer.id, storeId: A, items: [V60] }));

    const today = jakartaDate(0);
    const body = await report(tenant, 'offers', { from: today, to: today });
    const row = (b: { offers: { offerId: string }[] }, id: string) => b.offers.find((o) => o.offerId === id);
    expect(row(body, x)).toEqual({ offerId: x, name: 'X', kind: 'cross_sell', status: 'active', shown: 2, reached: 2, converted: 1, conversionRate: 0.5, revenue: rupiah(175_000) });
    expect(row(body, y)).toEqual({ offerId: y, name: 'Y', kind: 'cross_sell', status: 'active', shown: 0, reached: 0, converted: 0, conversionRate: 0, revenue: 0 });
    expect(body.total).toEqual({ shown: 2, reached: 2, converted: 1, conversionRate: 0.5, revenue: rupiah(175_000) });

    const atA = await report(tenant, 'offers', { from: today, to: today, storeId: A });
    expect(row(atA, x)).toMatchObject({ shown: 1, reached: 1, converted: 1, conversionRate: 1, revenue: rupiah(175_000) });
    const yesterday = jakartaDate(1);
    const before = await report(tenant, 'offers', { from: yesterday, to: yesterday });
    expect(before.total).toMatchObject({ shown: 0, converted: 0, revenue: 0 });
    expect(before.offers).toHaveLength(2);
  });
});
