import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedgerJobs } from '../../api/src/jobs/scheduler.ts';
import { recomputeRfm } from '../../api/src/rfm/rfm.service.ts';
import { newMember, newStaff, newTenant, rupiah } from '../support/factories.ts';
import { buildFixture, KEYS, NOW, type Fixture, type MemberKey } from '../support/know-customer.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let fx: Fixture;
beforeAll(async () => {
  app = await createTestApp();
  fx = await buildFixture(app);
}, 180_000);
afterAll(() => app.close());

// The fixture (test/support/know-customer.ts) at NOW: 18 customers bought in the 12-month window
// (M19 only before it, M20 never), so n = 18 and score = 1 + floor(5 × (rank − 1) / 18):
//   rank 1–4 → 1, 5–8 → 2, 9–11 → 3, 12–15 → 4, 16–18 → 5.
// Ranks are SQL rank(): ties share the lowest rank.
//
// F, ascending by frequency: 1 sale ×4 (M15–M18) rank 1 → 1; 2 ×4 (M11–M14) rank 5 → 2;
//   3 ×3 (M08–M10) rank 9 → 3; 4 ×3 (M05–M07) rank 12 → 4; 5 (M04) rank 15 → 4;
//   6 ×2 (M02, M03) rank 16 → 5; 8 (M01; its sale of 500 days ago is outside) rank 18 → 5.
// M, ascending by spend (Rp): M17 20k (1), M10 30k (2), M16 35k (3), M13 90k (4) → 1;
//   M06 100k, M18 150k − 50k refunded = 100k (5, tie), M12 120k (7), M03 240k, M08 240k (8, tie) → 2;
//   M01 400k, M05 400k (10, tie) → 3; M02 900k (12), M04 1.0M (13), M07 1.2M (14), M09 1.5M,
//   M11 1.5M (15, tie; M11's sale of 380 days ago is outside) → 4; M14 2.0M (17), M15 2.5M (18) → 5.
// R, descending by recency days: M15 364 (1), M13 300 (2), M16 250 (3), M10 200 (4) → 1;
//   M12 150 (5), M09 120 (6), M18 100 (7), M08 90 (8) → 2; M06 60 (9), M05 45 (10), M04 20,
//   M17 20 (11, tie) → 3; M14 14 (13), M02 10 (14), M11 7 (15) → 4; M03 5 (16), M07 3 (17), M01 2 (18) → 5.
const EXPECTED: Record<Exclude<MemberKey, 'M19' | 'M20'>, [r: number, f: number, m: number, recencyDays: number, frequency: number, monetaryRupiah: number]> = {
  M01: [5, 5, 3, 2, 8, 400_000],
  M02: [4, 5, 4, 10, 6, 900_000],
  M03: [5, 5, 2, 5, 6, 240_000],
  M04: [3, 4, 4, 20, 5, 1_000_000],
  M05: [3, 4, 3, 45, 4, 400_000],
  M06: [3, 4, 2, 60, 4, 100_000],
  M07: [5, 4, 4, 3, 4, 1_200_000],
  M08: [2, 3, 2, 90, 3, 240_000],
  M09: [2, 3, 4, 120, 3, 1_500_000],
  M10: [1, 3, 1, 200, 3, 30_000],
  M11: [4, 2, 4, 7, 2, 1_500_000],
  M12: [2, 2, 2, 150, 2, 120_000],
  M13: [1, 2, 1, 300, 2, 90_000],
  M14: [4, 2, 5, 14, 2, 2_000_000],
  M15: [1, 1, 5, 364, 1, 2_500_000],
  M16: [1, 1, 1, 250, 1, 35_000],
  M17: [3, 1, 1, 20, 1, 20_000],
  M18: [2, 1, 2, 100, 1, 100_000],
};

// CLV = floor(monetary × 365 / observedDays × 36 / 12 / 100) × 100 in minor units, with
// observedDays = max(30, min(365 days in the window, days since the first purchase)):
//   M01: first purchase 500 days ago → 365; 40,000,000 × 365/365 × 3 = 120,000,000.
//   M11: first 380 days ago → 365; 150,000,000 × 3 = 450,000,000.
//   M15: first 364 days ago → 364; 250,000,000 × 365/364 × 3 = 752,060,439.5… → 752,060,400.
//   M07: first 63 days ago → 63; 120,000,000 × 365/63 × 3 = 2,085,714,285.7… → 2,085,714,200.
//   M17: first 20 days ago → at least 30; 2,000,000 × 365/30 × 3 = 73,000,000.
const EXPECTED_CLV: Partial<Record<MemberKey, number>> = {
  M01: 120_000_000, M11: 450_000_000, M15: 752_060_400, M07: 2_085_714_200, M17: 73_000_000,
};

const rfmRows = (tenantId: string) =>
  app.deps.db.selectFrom('member_rfm').selectAll().where('tenant_id', '=', tenantId).execute();

describe('RFM and CLV', () => {
  it('scores every member of the fixture exactly, at a fixed now', async () => {
    const result = await recomputeRfm(app.deps.db, fx.principal, NOW);
    expect(result).toEqual({ customers: 18, computedAt: NOW.toISOString() });

    const rows = await rfmRows(fx.tenant.id);
    const actual = Object.fromEntries(rows.map((row) => [fx.keyOf(row.member_id), [row.r, row.f, row.m, row.recency_days, row.frequency, row.monetary / 100]]));
    expect(actual).toEqual(EXPECTED);
    for (const [key, clv] of Object.entries(EXPECTED_CLV)) {
      expect(rows.find((row) => row.member_id === fx.ids[key as MemberKey])!.clv, key).toBe(clv);
    }
    expect(rows.every((row) => new Date(row.computed_at).getTime() === NOW.getTime())).toBe(true);
    const tenant = await app.deps.db.selectFrom('tenants').select('rfm_computed_at').where('id', '=', fx.tenant.id).executeTakeFirstOrThrow();
    expect(tenant.rfm_computed_at?.toISOString()).toBe(NOW.toISOString());
  });

  it('shows the scores and the purchase profile on the member page', async () => {
    await recomputeRfm(app.deps.db, fx.principal, NOW);
    const m07 = await fx.tenant.owner.get(`/api/v1/members/${fx.ids.M07}/profile`);
    expect(m07.status, JSON.stringify(m07.body)).toBe(200);
    // Four sales of Rp 300.000, 63, 43, 23 and 3 days (and 2 hours) before NOW, each at 22:00 WIB:
    // Tuesday 28 April, Monday 18 May, Sunday 7 June and Saturday 27 June 2026.
    expect(m07.body).toEqual({
      rfm: { r: 5, f: 4, m: 4, recencyDays: 3, frequency: 4, monetary: rupiah(1_200_000), clv: 2_085_714_200, computedAt: NOW.toISOString() },
      rfmWindowMonths: 12,
      clvHorizonMonths: 36,
      purchases: {
        count: 4,
        spend: rupiah(1_200_000),
        firstAt: '2026-04-28T15:00:00.000Z',
        lastAt: '2026-06-27T15:00:00.000Z',
        averageOrderValue: rupiah(300_000),
        averageDaysBetween: 20,
        byWeekday: [1, 1, 0, 0, 0, 1, 1],
        byHour: Array.from({ length: 24 }, (_, h) => (h === 22 ? 4 : 0)),
        categories: [{ category: 'minuman', quantity: 4, spend: rupiah(1_200_000) }],
      },
    });

    // M18: Rp 100.000 of bread and Rp 50.000 of milk, the milk refunded: spend and categories net of it.
    const m18 = await fx.tenant.owner.get(`/api/v1/members/${fx.ids.M18}/profile`);
    expect(m18.body.purchases).toMatchObject({
      count: 1, spend: rupiah(100_000), averageOrderValue: rupiah(100_000), averageDaysBetween: null,
      categories: [{ category: 'roti', quantity: 1, spend: rupiah(100_000) }, { category: 'susu', quantity: 0, spend: 0 }],
    });

    // M01's profile counts all its sales, also the one outside the RFM window.
    const m01 = await fx.tenant.owner.get(`/api/v1/members/${fx.ids.M01}/profile`);
    expect(m01.body.purchases).toMatchObject({ count: 9, spend: rupiah(450_000), averageOrderValue: rupiah(50_000) });
    // 500 − 2 = 498 days over 8 gaps.
    expect(m01.body.purchases.averageDaysBetween).toBe(62.3);

    // No sale in the window: no scores; never bought: an empty profile.
    const m19 = await fx.tenant.owner.get(`/api/v1/members/${fx.ids.M19}/profile`);
    expect(m19.body.rfm).toBeNull();
    expect(m19.body.purchases.count).toBe(1);
    const m20 = await fx.tenant.owner.get(`/api/v1/members/${fx.ids.M20}/profile`);
    expect(m20.body).toEqual({
      rfm: null,
      rfmWindowMonths: 12,
      clvHorizonMonths: 36,
      purchases: {
        count: 0, spend: 0, firstAt: null, lastAt: null, averageOrderValue: null, averageDaysBetween: null,
        byWeekday: [0, 0, 0, 0, 0, 0, 0], byHour: Array(24).fill(0), categories: [],
      },
    });
  });

  it('reports the 5 × 5 grid of members by R and F with their average monetary value', async () => {
    await recomputeRfm(app.deps.db, fx.principal, NOW);
    const res = await fx.tenant.owner.get('/api/v1/reports/rfm');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ computedAt: NOW.toISOString(), windowMonths: 12, clvHorizonMonths: 36, customers: 18 });
    expect(res.body.cells).toHaveLength(25);
    // From the table: (5,5) M01 400k + M03 240k → 320k; (3,4) M04 1.0M, M05 400k, M06 100k → 500k;
    // (2,3) M08 240k, M09 1.5M → 870k; (4,2) M11 1.5M, M14 2.0M → 1.75M; (1,1) M15 2.5M, M16 35k → 1,267,500.
    const expected: Record<string, [number, number]> = {
      '5,5': [2, 320_000], '4,5': [1, 900_000], '3,4': [3, 500_000], '5,4': [1, 1_200_000], '2,3': [2, 870_000], '1,3': [1, 30_000],
      '4,2': [2, 1_750_000], '2,2': [1, 120_000], '1,2': [1, 90_000], '1,1': [2, 1_267_500], '3,1': [1, 20_000], '2,1': [1, 100_000],
    };
    for (const cell of res.body.cells as { r: number; f: number; members: number; averageMonetary: number | null }[]) {
      const [members, average] = expected[`${cell.r},${cell.f}`] ?? [0, null];
      expect([cell.members, cell.averageMonetary], `${cell.r},${cell.f}`).toEqual([members, average === null ? null : rupiah(average)]);
    }
    expect(res.body.cells.map((c: { r: number; f: number }) => `${c.r}${c.f}`).join(' ')).toBe(
      '11 12 13 14 15 21 22 23 24 25 31 32 33 34 35 41 42 43 44 45 51 52 53 54 55',
    );
  });

  it('drops the rows of members whose sales left the window', async () => {
    // 100 days later the window starts 265 days before NOW: M13 (300, 320) and M15 (364) fall out.
    const later = new Date(NOW.getTime() + 100 * 86400e3);
    expect((await recomputeRfm(app.deps.db, fx.principal, later)).customers).toBe(16);
    const keys = (await rfmRows(fx.tenant.id)).map((row) => fx.keyOf(row.member_id)).sort();
    expect(keys).toEqual(KEYS.filter((k) => !['M13', 'M15', 'M19', 'M20'].includes(k)));
    await recomputeRfm(app.deps.db, fx.principal, NOW);
    expect(await rfmRows(fx.tenant.id)).toHaveLength(18);
  });

  it('recomputes through the API for programs.manage, and reads for reports.read', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', crypto.randomUUID())
      .send({ memberId: member.id, receiptNo: 'R-1', items: [{ sku: 'A', quantity: 2, unitPrice: rupiah(10_000) }] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);

    const empty = await tenant.owner.get('/api/v1/reports/rfm');
    expect(empty.body).toMatchObject({ computedAt: null, customers: 0 });
    expect((await tenant.owner.get(`/api/v1/members/${member.id}/profile`)).body.rfm).toBeNull();

    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.post('/api/v1/rfm/recompute')).status).toBe(403);
    expect((await cashier.agent.get('/api/v1/reports/rfm')).status).toBe(403);
    expect((await cashier.agent.get(`/api/v1/members/${member.id}/profile`)).status).toBe(200);

    const marketer = await newStaff(app, tenant, 'marketer');
    const run = await marketer.agent.post('/api/v1/rfm/recompute');
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.customers).toBe(1);
    // The only customer is every rank 1 of 1: scores 1; spent Rp 20.000 today: 30 days observed.
    const profile = await marketer.agent.get(`/api/v1/members/${member.id}/profile`);
    expect(profile.body.rfm).toMatchObject({ r: 1, f: 1, m: 1, recencyDays: 0, frequency: 1, monetary: rupiah(20_000), clv: rupiah(20_000 * 365 / 30 * 3) });
    expect((await marketer.agent.get('/api/v1/reports/rfm')).body).toMatchObject({ computedAt: run.body.computedAt, customers: 1 });

    // Another tenant's member is 404.
    expect((await fx.tenant.owner.get(`/api/v1/members/${member.id}/profile`)).status).toBe(404);
  });

  // Postgres is shared by the suites running in parallel, whose tenants the job picks up too; the
  // file's own PGlite holds only this file's tenants.
  it.skipIf(Boolean(process.env.DATABASE_URL))('is recomputed by the scheduled jobs once a day', async () => {
    const computedAt = async () =>
      (await app.deps.db.selectFrom('tenants').select('rfm_computed_at').where('id', '=', fx.tenant.id).executeTakeFirstOrThrow()).rfm_computed_at?.toISOString();
    await recomputeRfm(app.deps.db, fx.principal, NOW);
    const hourLater = new Date(NOW.getTime() + 3600e3);
    const fresh = await runLedgerJobs(app.deps, hourLater);
    expect(await computedAt()).toBe(NOW.toISOString());
    expect(fresh?.rfm).toMatchObject({ tenants: expect.any(Number) });

    const dayLater = new Date(NOW.getTime() + 25 * 3600e3);
    for (let run = 0; run < 10 && (await computedAt()) !== dayLater.toISOString(); run++) await runLedgerJobs(app.deps, dayLater);
    expect(await computedAt()).toBe(dayLater.toISOString());
    await recomputeRfm(app.deps.db, fx.principal, NOW);
  });
});
