import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewTiers } from '../../api/src/tiers/tiers.service.ts';
import { newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { expectLedgerClean, holdLedgerClockPerTest, plusDays, plusMs, postSale, refund, setPointsPolicy } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
holdLedgerClockPerTest(() => app);

const PROBLEM = 'application/problem+json';

async function ladder(tenant: Tenant, silverMin = rupiah(1_000_000), goldMin = rupiah(5_000_000)) {
  const silver = await tenant.owner.post('/api/v1/tiers').send({ code: 'silver', name: 'Silver', rank: 1, minQualifying: silverMin, earnMultiplier: 1.25 });
  expect(silver.status, JSON.stringify(silver.body)).toBe(201);
  const gold = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 2, minQualifying: goldMin, earnMultiplier: 1.5, freeShipping: true });
  expect(gold.status, JSON.stringify(gold.body)).toBe(201);
  return { silver: silver.body, gold: gold.body };
}

const spend = (memberId: string, rp: number, occurredAt?: Date) =>
  saleBody({ memberId, items: [{ sku: 'TAS', quantity: 1, unitPrice: rupiah(rp) }], ...(occurredAt ? { occurredAt: occurredAt.toISOString() } : {}) });

async function progress(tenant: Tenant, memberId: string) {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/tier`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const addMonths = (at: Date | string, months: number) => {
  const next = new Date(at);
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
};

/** The anniversary review with a moved clock (global: look only at this tenant's members). */
const review = (now: Date) => reviewTiers(app.deps.db, now, 100_000);

describe('tiers', () => {
  it('creates the ladder and lists it entry tier first', async () => {
    const tenant = await newTenant(app);
    const { silver, gold } = await ladder(tenant);
    expect(silver).toEqual({ id: expect.any(String), code: 'silver', name: 'Silver', rank: 1, minQualifying: rupiah(1_000_000), earnMultiplier: 1.25, freeShipping: false });
    expect(gold).toMatchObject({ code: 'gold', rank: 2, minQualifying: rupiah(5_000_000), earnMultiplier: 1.5, freeShipping: true });
    const list = await tenant.owner.get('/api/v1/tiers');
    expect(list.body.items.map((t: { code: string }) => t.code)).toEqual(['member', 'silver', 'gold']);
  });

  it('moves a member up as soon as a sale qualifies, earning that sale at the old rate and the next at the new one', async () => {
    const tenant = await newTenant(app);
    await ladder(tenant);
    const member = await newMember(tenant);
    const first = await postSale(tenant, spend(member.id, 600_000));
    expect(first).toMatchObject({ pointsEarned: 60, tier: { code: 'member', name: 'Member' } });

    const before = Date.now();
    const crossing = await postSale(tenant, spend(member.id, 500_000)); // Rp 1.100.000 in the window
    const after = Date.now();
    expect(crossing.pointsEarned).toBe(50);
    expect(crossing.breakdown).toEqual([{ ruleId: expect.any(String), rule: 'Poin dasar', points: 50 }]);
    expect(crossing.tier).toEqual({ code: 'silver', name: 'Silver' });
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.tier).toEqual({ code: 'silver', name: 'Silver' });

    const next = await postSale(tenant, spend(member.id, 200_000));
    // 20 base + floor(20 × 0.25) = 5 for Silver.
    expect(next.pointsEarned).toBe(25);
    expect(next.breakdown).toEqual([
      { ruleId: expect.any(String), rule: 'Poin dasar', points: 20 },
      { ruleId: null, rule: 'tier:silver', points: 5 },
    ]);
    expect(next.points).toEqual({ balance: 135, pending: 0, debt: 0 });

    const tier = await progress(tenant, member.id);
    expect(tier).toMatchObject({
      current: { code: 'silver' },
      basis: 'spend',
      windowMonths: 12,
      value: rupiah(1_300_000),
      next: { tier: { code: 'gold', minQualifying: rupiah(5_000_000) }, needed: rupiah(3_700_000) },
      // Keeping Silver counts the window that starts at the upgrade: only the Rp 200.000 since.
      keep: { reviewAt: expect.any(String), needed: rupiah(800_000) },
    });
    const reviewAt = new Date(tier.keep.reviewAt).getTime();
    expect(reviewAt).toBeGreaterThanOrEqual(addMonths(new Date(before), 12).getTime());
    expect(reviewAt).toBeLessThanOrEqual(addMonths(new Date(after), 12).getTime());

    // A refund takes its value out of what counts.
    await refund(tenant, next.id).expect(201);
    expect(await progress(tenant, member.id)).toMatchObject({ value: rupiah(1_100_000), next: { needed: rupiah(3_900_000) }, keep: { needed: rupiah(1_000_000) } });
    await expectLedgerClean(app, tenant.id);
  });

  it('jumps straight to the best tier a sale qualifies for', async () => {
    const tenant = await newTenant(app);
    await ladder(tenant);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, spend(member.id, 5_000_000));
    expect(sale).toMatchObject({ pointsEarned: 500, tier: { code: 'gold', name: 'Gold' } });
    const tier = await progress(tenant, member.id);
    expect(tier.next).toBeNull();
    expect(tier.keep).toEqual({ reviewAt: expect.any(String), needed: rupiah(5_000_000) });
  });

  it('steps down one tier at a time at the review when nothing was spent in the window', async () => {
    const tenant = await newTenant(app);
    await ladder(tenant);
    const member = await newMember(tenant);
    const other = await newMember(tenant);
    await postSale(tenant, spend(member.id, 5_000_000));
    const { keep } = await progress(tenant, member.id);

    // Just before the review date nothing happens.
    await review(plusMs(keep.reviewAt, -1));
    expect((await progress(tenant, member.id)).current.code).toBe('gold');

    const firstReview = plusDays(new Date(keep.reviewAt), 1);
    await review(firstReview);
    const stepped = await progress(tenant, member.id);
    // Progress is read at the real now, when the sale is still in the window.
    expect(stepped).toMatchObject({ current: { code: 'silver' }, value: rupiah(5_000_000), keep: { reviewAt: addMonths(firstReview, 12).toISOString(), needed: rupiah(1_000_000) } });
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.tier).toEqual({ code: 'silver', name: 'Silver' });

    // Reviewing again at the same moment changes nothing.
    await review(firstReview);
    expect(await progress(tenant, member.id)).toEqual(stepped);

    const secondReview = plusDays(addMonths(firstReview, 12), 1);
    await review(secondReview);
    expect(await progress(tenant, member.id)).toMatchObject({ current: { code: 'member' }, keep: null, next: { tier: { code: 'silver' } } });

    // A member on the entry tier has no review.
    expect((await progress(tenant, other.id)).current.code).toBe('member');
    expect((await progress(tenant, other.id)).keep).toBeNull();
  });

  it('keeps the tier at the review with enough spend in the window, and moves the review a window later', async () => {
    const tenant = await newTenant(app);
    await ladder(tenant);
    const member = await newMember(tenant);
    await postSale(tenant, spend(member.id, 1_000_000, plusDays(new Date(), -10))); // upgrades now
    await postSale(tenant, spend(member.id, 1_000_000)); // spent after the upgrade: counts at the review
    const { keep, current } = await progress(tenant, member.id);
    expect(current.code).toBe('silver');

    await review(new Date(keep.reviewAt));
    const kept = await progress(tenant, member.id);
    expect(kept.current.code).toBe('silver');
    expect(kept.keep.reviewAt).toBe(addMonths(keep.reviewAt, 12).toISOString());
  });

  it('keeps the tier at the review when the member spends what `keep.needed` said was needed', async () => {
    const tenant = await newTenant(app);
    await ladder(tenant);
    const member = await newMember(tenant);
    // Bought 10 days ago, recorded now (a late till sync): the member moves up now, reviewed in 12 months.
    await postSale(tenant, spend(member.id, 1_000_000, plusDays(new Date(), -10)));
    const { keep, current } = await progress(tenant, member.id);
    expect(current.code).toBe('silver');
    if (keep.needed > 0) await postSale(tenant, spend(member.id, keep.needed / 100));

    await review(new Date(keep.reviewAt));
    expect((await progress(tenant, member.id)).current.code, `keep.needed was ${keep.needed}`).toBe('silver');
  });

  it('qualifies on points when the tier basis is points', async () => {
    const tenant = await newTenant(app);
    const settings = await setPointsPolicy(tenant, { tierBasis: 'points' });
    expect(settings.tierBasis).toBe('points');
    await ladder(tenant, 100, 1000);
    const member = await newMember(tenant);
    // Rp 990.000 is far above 100 minor units of spend, but only 99 points.
    const first = await postSale(tenant, spend(member.id, 990_000));
    expect(first).toMatchObject({ pointsEarned: 99, tier: { code: 'member' } });
    const second = await postSale(tenant, spend(member.id, 10_000));
    expect(second).toMatchObject({ pointsEarned: 1, tier: { code: 'silver' } });
    expect(await progress(tenant, member.id)).toMatchObject({ basis: 'points', value: 100, next: { tier: { code: 'gold' }, needed: 900 }, keep: { needed: 100 } });
    await expectLedgerClean(app, tenant.id);
  });

  it('refuses a duplicate code or rank with 400 naming the field', async () => {
    const tenant = await newTenant(app);
    await ladder(tenant);
    const cases: [Record<string, unknown>, string][] = [
      [{ code: 'silver', name: 'Perak', rank: 5, minQualifying: 1, earnMultiplier: 1 }, 'body.code'],
      [{ code: 'member', name: 'Anggota', rank: 6, minQualifying: 1, earnMultiplier: 1 }, 'body.code'],
      [{ code: 'platinum', name: 'Platinum', rank: 2, minQualifying: 1, earnMultiplier: 2 }, 'body.rank'],
      [{ code: 'platinum', name: 'Platinum', rank: 3, minQualifying: 1, earnMultiplier: 0.5 }, 'body.earnMultiplier'],
      [{ code: 'Platinum!', name: 'Platinum', rank: 3, minQualifying: 1, earnMultiplier: 2 }, 'body.code'],
    ];
    for (const [body, path] of cases) {
      const res = await tenant.owner.post('/api/v1/tiers').send(body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    const silverId = (await tenant.owner.get('/api/v1/tiers')).body.items[1].id;
    const patch = await tenant.owner.patch(`/api/v1/tiers/${silverId}`).send({ rank: 2 });
    expect(patch.status).toBe(400);
    expect(patch.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.rank']);
    expect((await tenant.owner.get('/api/v1/tiers')).body.items.map((t: { code: string; rank: number }) => [t.code, t.rank])).toEqual([
      ['member', 0], ['silver', 1], ['gold', 2],
    ]);
  });

  it('lets a marketer manage tiers and refuses a cashier with 403', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const created = await marketer.agent.post('/api/v1/tiers').send({ code: 'silver', name: 'Silver', rank: 1, minQualifying: 100, earnMultiplier: 1.1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const changed = await marketer.agent.patch(`/api/v1/tiers/${created.body.id}`).send({ earnMultiplier: 1.2 });
    expect(changed.status).toBe(200);
    expect(changed.body.earnMultiplier).toBe(1.2);

    const refused = await cashier.agent.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 2, minQualifying: 1000, earnMultiplier: 1.5 });
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toContain(PROBLEM);
    const refusedPatch = await cashier.agent.patch(`/api/v1/tiers/${created.body.id}`).send({ earnMultiplier: 3 });
    expect(refusedPatch.status).toBe(403);
    expect((await cashier.agent.get('/api/v1/tiers')).body.items.map((t: { code: string; earnMultiplier: number }) => [t.code, t.earnMultiplier])).toEqual([
      ['member', 1], ['silver', 1.2],
    ]);
  });
});
