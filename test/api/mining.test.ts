import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfferBody } from '../../api/src/offers/offer-schema.ts';
import type { Principal } from '../../api/src/shared/principal.ts';
import { postSale } from '../../api/src/transactions/transactions.service.ts';
import { newApiKey, newMember, newReceipt, newStaff, newStore, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Basket mining (issue 7): GET /api/v1/offers/suggestions. Every sale is posted through the API.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
}, 60_000);
afterAll(() => app.close());

const DAY = 86400e3;
// Whole seconds, so that a window bound can sit exactly on a sale.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
/** Basket i (1–10) of the fixture happens 11 − i days before NOW: B1 ten days ago, B10 yesterday. */
const day = (i: number) => new Date(NOW.getTime() - (11 - i) * DAY);
const iso = (d: Date) => d.toISOString();

type Line = [sku: string, category: string | null, quantity?: number, rupiahs?: number];
interface Sale {
  at?: Date;
  storeId?: string;
  memberId?: string;
  lines: Line[];
}

async function post(tenant: Tenant, sale: Sale) {
  const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', randomUUID()).send({
    receiptNo: newReceipt(),
    ...(sale.at ? { occurredAt: iso(sale.at) } : {}),
    ...(sale.storeId ? { storeId: sale.storeId } : {}),
    ...(sale.memberId ? { memberId: sale.memberId } : {}),
    items: sale.lines.map(([sku, category, quantity = 1, rupiahs = 10_000]) => ({
      sku, name: `Nama ${sku}`, ...(category ? { category } : {}), quantity, unitPrice: rupiah(rupiahs),
    })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; lines: { id: string; sku: string; quantity: number }[] };
}

async function refund(tenant: Tenant, saleId: string, lines?: { lineId: string; quantity: number }[]) {
  const res = await tenant.owner.post(`/api/v1/transactions/${saleId}/refunds`).set('Idempotency-Key', randomUUID()).send(lines ? { lines } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

type Query = Record<string, string | number | undefined>;
const suggestions = (agent: Tenant['owner'], query: Query) => agent.get('/api/v1/offers/suggestions').query(query as Record<string, string>);

async function mine(tenant: Tenant, query: Query) {
  const res = await suggestions(tenant.owner, query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

interface PairItem {
  from: { sku?: string; category?: string; name?: string | null };
  to: { sku?: string; category?: string; name?: string | null };
  support: number;
  confidence: number;
  lift: number;
  baskets: { all: number; withFrom: number; withTo: number; withBoth: number };
  offerDraft: Record<string, unknown> & { trigger: unknown; suggestion: unknown; message: { id: string; en: string }; mined: Record<string, unknown> };
}
/** A pair as [A, B, support, confidence, lift, all, withFrom, withTo, withBoth]. */
const figures = (items: PairItem[]) =>
  items.map((i) => [i.from.sku ?? i.from.category, i.to.sku ?? i.to.category, i.support, i.confidence, i.lift,
    i.baskets.all, i.baskets.withFrom, i.baskets.withTo, i.baskets.withBoth]);

// ---------------------------------------------------------------------------------------------------
// The 10-basket fixture (tenant A). SKU → category: KOPI, TEH → minuman; ROTI → roti; SUSU, KEJU →
// susu; GULA → dapur; TAS has no category. Stores: B9 and B10 at S2, the rest at S1; B8 is a guest sale.
//
//   B1  KOPI ROTI SUSU
//   B2  KOPI (3 units) ROTI
//   B3  KOPI ROTI GULA          (GULA 2 units, 1 refunded: partly refunded, still counts)
//   B4  KOPI SUSU               (+ a GULA line refunded in full: does not count)
//   B5  ROTI SUSU KEJU
//   B6  TEH GULA
//   B7  TEH GULA SUSU
//   B8  TEH TAS                 (guest; TAS uncategorised)
//   B9  KOPI ROTI (2 lines) TEH (store S2)
//   B10 SUSU KEJU               (store S2)
// Plus, not counted: an 11th sale KOPI SUSU KEJU, voided; a sale of every line refunded in full
// (KOPI SUSU); sales just outside the windows asserted; and tenant B's own KOPI SUSU baskets.
//
// N = 10 baskets. Baskets with each SKU: KOPI 5 (B1 B2 B3 B4 B9), ROTI 5 (B1 B2 B3 B5 B9),
// SUSU 5 (B1 B4 B5 B7 B10), TEH 4 (B6 B7 B8 B9), GULA 3 (B3 B6 B7), KEJU 2 (B5 B10), TAS 1.
// Pairs in two baskets or more: KOPI+ROTI 4 (B1 B2 B3 B9), KOPI+SUSU 2 (B1 B4), ROTI+SUSU 2 (B1 B5),
// TEH+GULA 2 (B6 B7), SUSU+KEJU 2 (B5 B10); every other pair is in one basket.
//
//   A → B        support     confidence      lift = withBoth × N / (withA × withB)
//   KOPI → ROTI  4/10 = 0.4  4/5 = 0.8       4 × 10 / (5 × 5) = 1.6
//   ROTI → KOPI  0.4         0.8             1.6
//   GULA → TEH   2/10 = 0.2  2/3 = 0.6667    2 × 10 / (3 × 4) = 1.66666… → 1.6667
//   TEH → GULA   0.2         2/4 = 0.5       1.6667
//   KEJU → SUSU  2/10 = 0.2  2/2 = 1         2 × 10 / (2 × 5) = 2
//   SUSU → KEJU  0.2         2/5 = 0.4       2
//   KOPI → SUSU  0.2         0.4             2 × 10 / (5 × 5) = 0.8   (below lift 1.2: left out)
//   ROTI → SUSU  0.2         0.4             0.8                      (left out)
//   KEJU → ROTI  0.1         0.5             1 × 10 / (2 × 5) = 1     (one basket: below minCount 2)
// With minCount 2, minSupport 0.1, minConfidence 0.3, minLift 1.2, sorted by lift then confidence
// (then withBoth, then A and B): KEJU→SUSU, SUSU→KEJU, GULA→TEH, TEH→GULA, KOPI→ROTI, ROTI→KOPI.
//
// Category level (N still 10: B8 has TEH; lines without a category are not items). Baskets with:
// minuman 8 (all but B5 B10), roti 5, susu 5 (B1 B4 B5 B7 B10), dapur 3 (B3 B6 B7).
//   dapur → minuman    support 3/10 = 0.3, confidence 3/3 = 1,     lift 3 × 10 / (3 × 8) = 1.25
//   minuman → dapur    0.3,                 3/8 = 0.375,             1.25
//   minuman → roti     4/10 = 0.4,          4/8 = 0.5,               4 × 10 / (8 × 5) = 1      (left out by lift)
//   minuman → susu     3/10 = 0.3,          3/8 = 0.375,             3 × 10 / (8 × 5) = 0.75   (left out)
// ---------------------------------------------------------------------------------------------------

interface Fixture {
  tenant: Tenant;
  s1: string;
  s2: string;
}
let A: Fixture;
let B: Fixture;
const WINDOW = () => ({ from: iso(day(1)), to: iso(new Date(NOW.getTime() + 3600e3)) });
const THREE_PAIRS = { minCount: 2, minSupport: 0.1, minConfidence: 0.3, minLift: 1.2 };

async function buildBaskets(): Promise<Fixture> {
  const tenant = await newTenant(app);
  const s1 = (await newStore(tenant, { code: 'S1' })).id;
  const s2 = (await newStore(tenant, { code: 'S2' })).id;
  const member = (await newMember(tenant)).id;
  const at = (i: number, lines: Line[], extra: Partial<Sale> = {}) => post(tenant, { at: day(i), storeId: s1, memberId: member, lines, ...extra });
  const KOPI: Line = ['KOPI', 'minuman'];
  const TEH: Line = ['TEH', 'minuman'];
  const ROTI: Line = ['ROTI', 'roti'];
  const SUSU: Line = ['SUSU', 'susu'];
  const KEJU: Line = ['KEJU', 'susu'];
  const GULA: Line = ['GULA', 'dapur'];

  await at(1, [KOPI, ROTI, SUSU]);
  await at(2, [['KOPI', 'minuman', 3], ROTI]);
  const b3 = await at(3, [KOPI, ROTI, ['GULA', 'dapur', 2]]);
  await refund(tenant, b3.id, [{ lineId: b3.lines.find((l) => l.sku === 'GULA')!.id, quantity: 1 }]);
  const b4 = await at(4, [KOPI, SUSU, GULA]);
  await refund(tenant, b4.id, [{ lineId: b4.lines.find((l) => l.sku === 'GULA')!.id, quantity: 1 }]);
  await at(5, [ROTI, SUSU, KEJU]);
  await at(6, [TEH, GULA]);
  await at(7, [TEH, GULA, SUSU]);
  await at(8, [TEH, ['TAS', null]], { memberId: undefined });
  await at(9, [KOPI, ROTI, ROTI, TEH], { storeId: s2 });
  await at(10, [SUSU, KEJU], { storeId: s2 });

  // Not counted: a voided sale (voiding needs a sale of today: it happens now, inside the windows) …
  const voided = await post(tenant, { storeId: s1, memberId: member, lines: [KOPI, SUSU, KEJU] });
  const res = await tenant.owner.post(`/api/v1/transactions/${voided.id}/void`).set('Idempotency-Key', randomUUID()).send({});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // … a sale refunded in full (every line: no basket) …
  const returned = await at(6, [KOPI, SUSU]);
  await refund(tenant, returned.id);
  // … and sales outside the window: one second before B1, and 100 days ago (outside the default 90 days).
  await post(tenant, { at: new Date(day(1).getTime() - 1000), storeId: s1, lines: [KOPI, SUSU] });
  const owner: Principal = { kind: 'staff', tenantId: tenant.id, id: tenant.ownerId, role: 'owner', storeId: null, sessionId: 'fixture' };
  await postSale(app.deps.db, owner, app.deps.config, {
    storeId: s1, receiptNo: newReceipt(), channel: 'store', occurredAt: iso(new Date(NOW.getTime() - 100 * DAY)),
    items: [{ sku: 'KOPI', category: 'minuman', quantity: 1, unitPrice: rupiah(10_000) }, { sku: 'SUSU', category: 'susu', quantity: 1, unitPrice: rupiah(10_000) }],
  }, { importing: true });
  return { tenant, s1, s2 };
}

async function buildOtherTenant(): Promise<Fixture> {
  const tenant = await newTenant(app);
  const s1 = (await newStore(tenant, { code: 'S1' })).id;
  // The same SKUs, bought together: had they counted for tenant A, its figures would change.
  for (let i = 2; i <= 4; i++) await post(tenant, { at: day(i), storeId: s1, lines: [['KOPI', 'minuman'], ['SUSU', 'susu']] });
  return { tenant, s1, s2: s1 };
}

beforeAll(async () => {
  A = await buildBaskets();
  B = await buildOtherTenant();
}, 180_000);

describe('cross-sell pairs', () => {
  it('computes support, confidence and lift of the fixture exactly, and leaves out the pairs below the thresholds', async () => {
    const body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS });
    expect(body.kind).toBe('cross_sell');
    expect(body.level).toBe('sku');
    expect(body.baskets).toBe(10);
    expect(body.window).toEqual(WINDOW());
    expect(body.storeId).toBeNull();
    expect(body.thresholds).toEqual(THREE_PAIRS);
    expect(figures(body.items)).toEqual([
      ['KEJU', 'SUSU', 0.2, 1, 2, 10, 2, 5, 2],
      ['SUSU', 'KEJU', 0.2, 0.4, 2, 10, 5, 2, 2],
      ['GULA', 'TEH', 0.2, 0.6667, 1.6667, 10, 3, 4, 2],
      ['TEH', 'GULA', 0.2, 0.5, 1.6667, 10, 4, 3, 2],
      ['KOPI', 'ROTI', 0.4, 0.8, 1.6, 10, 5, 5, 4],
      ['ROTI', 'KOPI', 0.4, 0.8, 1.6, 10, 5, 5, 4],
    ]);
    expect(body.items[0].from).toEqual({ sku: 'KEJU', name: 'Nama KEJU' });
    expect(body.items[0].to).toEqual({ sku: 'SUSU', name: 'Nama SUSU' });
  });

  it('applies each threshold to the exact figure', async () => {
    // Confidence 0.6 drops SUSU→KEJU (0.4) and TEH→GULA (0.5); 0.6667 drops GULA→TEH too: its exact
    // confidence 2/3 is below 0.6667, though it reads 0.6667 rounded.
    let body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minConfidence: 0.6 });
    expect(figures(body.items).map(([a, b]) => `${a}→${b}`)).toEqual(['KEJU→SUSU', 'GULA→TEH', 'KOPI→ROTI', 'ROTI→KOPI']);
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minConfidence: 0.6667 });
    expect(figures(body.items).map(([a, b]) => `${a}→${b}`)).toEqual(['KEJU→SUSU', 'KOPI→ROTI', 'ROTI→KOPI']);
    // Lift 1.6 is inclusive (KOPI↔ROTI are exactly 1.6); 1.7 leaves KEJU↔SUSU.
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minLift: 1.6 });
    expect(body.items).toHaveLength(6);
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minLift: 1.7 });
    expect(figures(body.items).map(([a, b]) => `${a}→${b}`)).toEqual(['KEJU→SUSU', 'SUSU→KEJU']);
    // Support 0.3: only KOPI↔ROTI (0.4).
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minSupport: 0.3 });
    expect(figures(body.items).map(([a, b]) => `${a}→${b}`)).toEqual(['KOPI→ROTI', 'ROTI→KOPI']);
    // Lift 0 brings in KOPI↔SUSU and ROTI↔SUSU (0.8), still not the pairs in one basket only.
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minLift: 0 });
    expect(figures(body.items).slice(6)).toEqual([
      ['KOPI', 'SUSU', 0.2, 0.4, 0.8, 10, 5, 5, 2],
      ['ROTI', 'SUSU', 0.2, 0.4, 0.8, 10, 5, 5, 2],
      ['SUSU', 'KOPI', 0.2, 0.4, 0.8, 10, 5, 5, 2],
      ['SUSU', 'ROTI', 0.2, 0.4, 0.8, 10, 5, 5, 2],
    ]);
    // The defaults (minCount 3, support 0.01, confidence 0.1, lift 1.2): only the pair in four baskets.
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW() });
    expect(body.thresholds).toEqual({ minSupport: 0.01, minConfidence: 0.1, minLift: 1.2, minCount: 3 });
    expect(figures(body.items)).toEqual([['KOPI', 'ROTI', 0.4, 0.8, 1.6, 10, 5, 5, 4], ['ROTI', 'KOPI', 0.4, 0.8, 1.6, 10, 5, 5, 4]]);
    // minCount 1 brings the pairs of one basket, e.g. KEJU → ROTI; limit cuts the list after the sort.
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), minCount: 1, minSupport: 0, minConfidence: 0, minLift: 0, limit: 200 });
    expect(figures(body.items)).toContainEqual(['KEJU', 'ROTI', 0.1, 0.5, 1, 10, 2, 5, 1]);
    body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, limit: 3 });
    expect(figures(body.items).map(([a, b]) => `${a}→${b}`)).toEqual(['KEJU→SUSU', 'SUSU→KEJU', 'GULA→TEH']);
  });

  it('mines categories: lines without one are not items, their baskets still count', async () => {
    const body = await mine(A.tenant, { kind: 'cross_sell', level: 'category', ...WINDOW() });
    expect(body.level).toBe('category');
    expect(body.baskets).toBe(10);
    expect(figures(body.items)).toEqual([
      ['dapur', 'minuman', 0.3, 1, 1.25, 10, 3, 8, 3],
      ['minuman', 'dapur', 0.3, 0.375, 1.25, 10, 8, 3, 3],
    ]);
    expect(body.items[0].from).toEqual({ category: 'dapur' });
    const low = await mine(A.tenant, { kind: 'cross_sell', level: 'category', ...WINDOW(), minLift: 0 });
    expect(figures(low.items)).toContainEqual(['minuman', 'roti', 0.4, 0.5, 1, 10, 8, 5, 4]);
    expect(figures(low.items)).toContainEqual(['minuman', 'susu', 0.3, 0.375, 0.75, 10, 8, 5, 3]);
    expect(low.items.every((i: PairItem) => i.from.category !== undefined && i.from.sku === undefined)).toBe(true);
  });

  it('bounds the window: from inclusive, to exclusive, default the last 90 days', async () => {
    const count = async (query: Query) => (await mine(A.tenant, { kind: 'cross_sell', ...query })).baskets;
    const end = WINDOW().to;
    expect(await count({ from: iso(day(1)), to: end })).toBe(10);
    expect(await count({ from: iso(new Date(day(1).getTime() + 1)), to: end })).toBe(9);
    // One more basket (KOPI SUSU) one second before B1.
    expect(await count({ from: iso(new Date(day(1).getTime() - 1000)), to: end })).toBe(11);
    expect(await count({ from: iso(day(1)), to: iso(day(10)) })).toBe(9);
    expect(await count({ from: iso(day(1)), to: iso(new Date(day(10).getTime() + 1)) })).toBe(10);
    // Only `to`: the 90 days before it.
    expect(await count({ to: iso(day(3)) })).toBe(3);
    // Neither: the last 90 days up to now hold the 10 and the one before B1 (not the sale of 100 days ago;
    // the voided sale and the full return never count).
    const body = await mine(A.tenant, { kind: 'cross_sell' });
    expect(body.baskets).toBe(11);
    expect(Date.parse(body.window.to) - Date.parse(body.window.from)).toBe(90 * DAY);
    expect(Math.abs(Date.parse(body.window.to) - Date.now())).toBeLessThan(60_000);
  });

  it('mines one store, and a store-bound key its own store', async () => {
    // S2: B9 (KOPI ROTI TEH) and B10 (SUSU KEJU): every pair in one basket of two.
    const body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), storeId: A.s2, minCount: 1 });
    expect(body.storeId).toBe(A.s2);
    expect(body.baskets).toBe(2);
    expect(figures(body.items)).toContainEqual(['KEJU', 'SUSU', 0.5, 1, 2, 2, 1, 1, 1]);
    expect(body.items).toHaveLength(8); // 3 × 2 ordered pairs of B9, 2 of B10
    expect(body.items[0].offerDraft.mined.storeId).toBe(A.s2);

    const key = await newApiKey(A.tenant, ['read'], A.s1);
    const own = await app.http.get('/api/v1/offers/suggestions').set('Authorization', `Bearer ${key}`).query({ kind: 'cross_sell', ...WINDOW() });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.storeId).toBe(A.s1);
    expect(own.body.baskets).toBe(8);
    const other = await app.http.get('/api/v1/offers/suggestions').set('Authorization', `Bearer ${key}`).query({ kind: 'cross_sell', storeId: A.s2 });
    expect(other.status).toBe(403);
  });

  it('never counts another tenant’s sales', async () => {
    const mineA = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS, minLift: 0 });
    expect(mineA.baskets).toBe(10);
    expect(figures(mineA.items)).toContainEqual(['KOPI', 'SUSU', 0.2, 0.4, 0.8, 10, 5, 5, 2]);
    // Tenant B sees its own three baskets only: KOPI and SUSU in all of them, lift 1 (below 1.2).
    const mineB = await mine(B.tenant, { kind: 'cross_sell', ...WINDOW(), minLift: 1 });
    expect(mineB.baskets).toBe(3);
    expect(figures(mineB.items)).toEqual([['KOPI', 'SUSU', 1, 1, 1, 3, 3, 3, 3], ['SUSU', 'KOPI', 1, 1, 1, 3, 3, 3, 3]]);
    // A's store is no store of B's.
    const res = await suggestions(B.tenant.owner, { kind: 'cross_sell', storeId: A.s1 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.storeId']);
  });

  it('drafts an offer the offers API accepts, in both languages', async () => {
    const body = await mine(A.tenant, { kind: 'cross_sell', ...WINDOW(), ...THREE_PAIRS });
    const kopiRoti = body.items.find((i: PairItem) => i.from.sku === 'KOPI' && i.to.sku === 'ROTI');
    const draft = kopiRoti.offerDraft;
    expect(draft).toMatchObject({
      kind: 'cross_sell',
      name: 'Cross-sell: Nama KOPI → Nama ROTI',
      trigger: { skus: ['KOPI'] },
      suggestion: { sku: 'ROTI', name: 'Nama ROTI' },
      message: { id: 'Sering dibeli bersama Nama KOPI: Nama ROTI. Mau sekalian?', en: 'Often bought with Nama KOPI: Nama ROTI. Add one too?' },
      mined: { kind: 'cross_sell', level: 'sku', support: 0.4, confidence: 0.8, lift: 1.6, baskets: { all: 10, withFrom: 5, withTo: 5, withBoth: 4 }, window: WINDOW() },
    });
    expect(Date.parse(draft.endsAt as string) - Date.parse(draft.startsAt as string)).toBe(30 * DAY);
    expect(OfferBody.safeParse(draft).success, JSON.stringify(OfferBody.safeParse(draft).error)).toBe(true);
    // One click: the draft as it is makes an offer.
    const offer = await A.tenant.owner.post('/api/v1/offers').send(draft);
    expect(offer.status, JSON.stringify(offer.body)).toBe(201);
    expect(offer.body).toMatchObject({ kind: 'cross_sell', trigger: { skus: ['KOPI'] }, suggestion: { sku: 'ROTI' }, mined: { lift: 1.6 } });

    const categories = await mine(A.tenant, { kind: 'cross_sell', level: 'category', ...WINDOW() });
    const catDraft = categories.items[0].offerDraft;
    expect(catDraft).toMatchObject({ trigger: { categories: ['dapur'] }, suggestion: { category: 'minuman' } });
    expect(catDraft.message.id).toContain('dapur');
    expect(OfferBody.safeParse(catDraft).success).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// The up-sell fixture (tenant C). Category kopi: KOPI-BIASA Rp 20.000, KOPI-PREMIUM Rp 45.000 (one guest
// sale at Rp 40.000: the median of its seven lines 40, 45 × 6 is still 45.000), KOPI-GOLD Rp 60.000 (two
// guest sales at Rp 70.000: of the four lines 60, 60, 70, 70 the median is the lower middle one, 60.000).
// Category roti: ROTI-MAHAL Rp 90.000. Day d is day(d) (B1's day is 1).
//   M1  BIASA d1, PREMIUM d5, ROTI-MAHAL d6          → traded up BIASA → PREMIUM (ROTI: another category)
//   M2  BIASA d1, BIASA d3, PREMIUM d6               → yes
//   M3  BIASA d2, PREMIUM d4, BIASA d8               → yes: a PREMIUM after the first BIASA
//   M4  PREMIUM d1, BIASA d5                         → no: the dearer one first
//   M5  BIASA and PREMIUM in one sale d3             → no: the same sale is not later
//   M6  BIASA d2, PREMIUM d9 refunded in full        → no: the refunded line does not count
//   M7  BIASA d1, GOLD d9                            → BIASA → GOLD
//   M8  PREMIUM d2, GOLD d7                          → PREMIUM → GOLD
// Buyers: BIASA 7 (M1–M7), PREMIUM 6 (M1–M5, M8), GOLD 2.
//   BIASA → PREMIUM   members 3, share 3/7 = 0.428571… → 0.4286, price difference Rp 25.000
//   PREMIUM → GOLD    members 1, share 1/6 = 0.1667,            Rp 15.000
//   BIASA → GOLD      members 1, share 1/7 = 0.1429,            Rp 40.000
// ---------------------------------------------------------------------------------------------------
describe('up-sell candidates', () => {
  let C: Tenant;
  beforeAll(async () => {
    C = await newTenant(app);
    const store = (await newStore(C, { code: 'S1' })).id;
    const BIASA: Line = ['KOPI-BIASA', 'kopi', 1, 20_000];
    const PREMIUM: Line = ['KOPI-PREMIUM', 'kopi', 1, 45_000];
    const GOLD: Line = ['KOPI-GOLD', 'kopi', 1, 60_000];
    const ROTI: Line = ['ROTI-MAHAL', 'roti', 1, 90_000];
    const plan: [number, Line[]][][] = [
      [[1, [BIASA]], [5, [PREMIUM]], [6, [ROTI]]],
      [[1, [BIASA]], [3, [BIASA]], [6, [PREMIUM]]],
      [[2, [BIASA]], [4, [PREMIUM]], [8, [BIASA]]],
      [[1, [PREMIUM]], [5, [BIASA]]],
      [[3, [BIASA, PREMIUM]]],
      [[2, [BIASA]], [9, [PREMIUM]]],
      [[1, [BIASA]], [9, [GOLD]]],
      [[2, [PREMIUM]], [7, [GOLD]]],
    ];
    for (const [m, sales] of plan.entries()) {
      const memberId = (await newMember(C, { name: `M${m + 1}` })).id;
      for (const [d, lines] of sales) {
        const sale = await post(C, { at: day(d), storeId: store, memberId, lines });
        if (m === 5 && d === 9) await refund(C, sale.id);
      }
    }
    await post(C, { at: day(4), storeId: store, lines: [['KOPI-PREMIUM', 'kopi', 1, 40_000]] });
    for (const d of [5, 6]) await post(C, { at: day(d), storeId: store, lines: [['KOPI-GOLD', 'kopi', 1, 70_000]] });
  }, 120_000);

  it('counts the members who bought the dearer SKU later, with the share and the price difference', async () => {
    const body = await mine(C, { kind: 'up_sell', ...WINDOW(), minCount: 1 });
    expect(body.kind).toBe('up_sell');
    expect(body.thresholds).toEqual({ minCount: 1, minShare: 0 });
    // 18 member sales less M6's PREMIUM refunded in full, and the three guest sales.
    expect(body.baskets).toBe(20);
    const rows = body.items.map((i: { from: { sku: string; price: number }; to: { sku: string; price: number }; category: string; buyers: number; members: number; share: number; priceDifference: number }) =>
      [i.from.sku, i.to.sku, i.category, i.from.price, i.to.price, i.buyers, i.members, i.share, i.priceDifference]);
    expect(rows).toEqual([
      ['KOPI-BIASA', 'KOPI-PREMIUM', 'kopi', rupiah(20_000), rupiah(45_000), 7, 3, 0.4286, rupiah(25_000)],
      ['KOPI-PREMIUM', 'KOPI-GOLD', 'kopi', rupiah(45_000), rupiah(60_000), 6, 1, 0.1667, rupiah(15_000)],
      ['KOPI-BIASA', 'KOPI-GOLD', 'kopi', rupiah(20_000), rupiah(60_000), 7, 1, 0.1429, rupiah(40_000)],
    ]);
    expect(body.items[0].from).toEqual({ sku: 'KOPI-BIASA', name: 'Nama KOPI-BIASA', price: rupiah(20_000) });

    // The defaults: at least 3 members.
    const defaults = await mine(C, { kind: 'up_sell', ...WINDOW() });
    expect(defaults.items.map((i: { to: { sku: string } }) => i.to.sku)).toEqual(['KOPI-PREMIUM']);
    // minShare 0.15 leaves BIASA → GOLD (0.1429) out; 0.43 leaves all out (3/7 < 0.43).
    const shared = await mine(C, { kind: 'up_sell', ...WINDOW(), minCount: 1, minShare: 0.15 });
    expect(shared.items.map((i: { to: { sku: string } }) => i.to.sku)).toEqual(['KOPI-PREMIUM', 'KOPI-GOLD']);
    expect((await mine(C, { kind: 'up_sell', ...WINDOW(), minCount: 1, minShare: 0.43 })).items).toEqual([]);

    const draft = body.items[0].offerDraft;
    expect(draft).toMatchObject({
      kind: 'up_sell',
      trigger: { skus: ['KOPI-BIASA'] },
      suggestion: { sku: 'KOPI-PREMIUM', name: 'Nama KOPI-PREMIUM' },
      message: { id: 'Coba Nama KOPI-PREMIUM: naik kelas dari Nama KOPI-BIASA.', en: 'Try Nama KOPI-PREMIUM: a step up from Nama KOPI-BIASA.' },
      mined: { kind: 'up_sell', members: 3, buyers: 7, share: 0.4286, priceDifference: rupiah(25_000) },
    });
    expect(OfferBody.safeParse(draft).success).toBe(true);
  });

  it('sees only the window: without M1–M3’s first purchases nobody traded up to PREMIUM', async () => {
    // From day 3 on: M2 BIASA d3 → PREMIUM d6, M3 PREMIUM d4 → BIASA d8 (no), M1 PREMIUM only… one member.
    const body = await mine(C, { kind: 'up_sell', from: iso(day(3)), to: WINDOW().to, minCount: 1 });
    const premium = body.items.find((i: { from: { sku: string }; to: { sku: string } }) => i.from.sku === 'KOPI-BIASA' && i.to.sku === 'KOPI-PREMIUM');
    expect(premium).toMatchObject({ members: 1 });
  });
});

describe('access and bad parameters', () => {
  it('is for staff who read reports and for read and admin keys', async () => {
    const marketer = await newStaff(app, A.tenant, 'marketer');
    expect((await suggestions(marketer.agent, { kind: 'cross_sell' })).status).toBe(200);
    const cashier = await newStaff(app, A.tenant, 'cashier', A.s1);
    expect((await suggestions(cashier.agent, { kind: 'cross_sell' })).status).toBe(403);
    const pos = await newApiKey(A.tenant, ['pos']);
    expect((await app.http.get('/api/v1/offers/suggestions').set('Authorization', `Bearer ${pos}`).query({ kind: 'cross_sell' })).status).toBe(403);
    expect((await app.http.get('/api/v1/offers/suggestions').query({ kind: 'cross_sell' })).status).toBe(401);
  });

  const cases: [string, Query, string][] = [
    ['no kind', {}, 'query.kind'],
    ['an unknown kind', { kind: 'down_sell' }, 'query.kind'],
    ['an unknown level', { kind: 'cross_sell', level: 'brand' }, 'query.level'],
    ['from not an instant', { kind: 'cross_sell', from: 'yesterday' }, 'query.from'],
    ['from after to', { kind: 'cross_sell', from: iso(day(5)), to: iso(day(4)) }, 'query.to'],
    ['from equal to to', { kind: 'cross_sell', from: iso(day(5)), to: iso(day(5)) }, 'query.to'],
    ['from in the future without to', { kind: 'cross_sell', from: iso(new Date(Date.now() + DAY)) }, 'query.from'],
    ['a window over two years', { kind: 'cross_sell', from: '2023-01-01T00:00:00Z', to: '2025-01-01T00:00:01Z' }, 'query.from'],
    ['minSupport above 1', { kind: 'cross_sell', minSupport: 1.5 }, 'query.minSupport'],
    ['minConfidence below 0', { kind: 'cross_sell', minConfidence: -0.1 }, 'query.minConfidence'],
    ['minLift not a number', { kind: 'cross_sell', minLift: 'high' }, 'query.minLift'],
    ['minLift over 1000', { kind: 'cross_sell', minLift: 1001 }, 'query.minLift'],
    ['minCount 0', { kind: 'cross_sell', minCount: 0 }, 'query.minCount'],
    ['minCount not whole', { kind: 'cross_sell', minCount: 2.5 }, 'query.minCount'],
    ['limit over 200', { kind: 'cross_sell', limit: 201 }, 'query.limit'],
    ['storeId not a uuid', { kind: 'cross_sell', storeId: 'S1' }, 'query.storeId'],
    ['an unknown store', { kind: 'cross_sell', storeId: randomUUID() }, 'query.storeId'],
    ['minShare with cross-sell', { kind: 'cross_sell', minShare: 0.1 }, 'query.minShare'],
    ['minLift with up-sell', { kind: 'up_sell', minLift: 1.5 }, 'query.minLift'],
    ['category level with up-sell', { kind: 'up_sell', level: 'category' }, 'query.level'],
    ['minShare above 1', { kind: 'up_sell', minShare: 2 }, 'query.minShare'],
  ];
  it.each(cases)('refuses %s with 400 naming the field', async (_name, query, path) => {
    const res = await suggestions(A.tenant.owner, query);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
  });

  it('accepts a window of exactly 731 days', async () => {
    const res = await suggestions(A.tenant.owner, { kind: 'cross_sell', from: '2023-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ baskets: 0, items: [] });
  });
});
