import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { cardCodeOf, newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { signedInMember } from '../support/cards.ts';
import { dataUrl, gif, noisePng, rgbaPng } from '../support/images.ts';
import { balancesOf, expectLedgerClean, jakarta, jakartaDate, lockLedgerClock, pointsOf, postSale } from '../support/points.ts';
import { memberWithPoints, newReward, physicalReward, redeemReward, type Reward } from '../support/rewards.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
afterEach(() => {
  vi.useRealTimers();
});

const PROBLEM = 'application/problem+json';
const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();
type Agent = Tenant['owner'];

async function auditOf(tenantId: string, action: string) {
  return app.deps.db
    .selectFrom('audit_log')
    .select(['actor_kind', 'actor_id', 'target_id', 'details'])
    .where('tenant_id', '=', tenantId)
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

async function rewardOf(tenant: Tenant, id: string): Promise<Reward> {
  const res = await tenant.owner.get(`/api/v1/rewards/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function countRows(tenant: Tenant, table: 'vouchers' | 'reward_redemptions') {
  const row = await app.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
  return Number(row.n);
}

const redeemEntries = async (tenant: Tenant, memberId: string) =>
  (await pointsOf(tenant, memberId)).entries.items.filter((e) => e.kind === 'redeem');

/** /checkout/evaluate for the member's cart of Rp 150.000 with these codes. */
async function evaluate(tenant: Tenant, memberId: string, voucherCodes: string[]) {
  const res = await tenant.owner.post('/api/v1/checkout/evaluate').send({
    memberId, channel: 'store', items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(150_000) }], voucherCodes,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { applied: { source: string; code?: string; amount: number }[]; rejected: { code: string; reason: string }[]; total: number };
}

/** A tier `gold` the member reaches with one sale of Rp 100.000. */
async function goldMember(tenant: Tenant) {
  const tier = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1 });
  expect(tier.status, JSON.stringify(tier.body)).toBe(201);
  const member = await memberWithPoints(tenant, 1000);
  const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'TAS', quantity: 1, unitPrice: rupiah(100_000) }] }));
  expect(sale.tier).toMatchObject({ code: 'gold' });
  return member;
}

describe('the rewards catalog', () => {
  it('creates each voucher kind and a physical reward, reads and lists them', async () => {
    const tenant = await newTenant(app);
    const vouchers = [
      { kind: 'amount', value: rupiah(25_000), minSpend: rupiah(100_000), validDays: 30 },
      { kind: 'percent', value: 20, maxDiscount: rupiah(50_000), validDays: 7 },
      { kind: 'free_shipping', maxDiscount: rupiah(15_000), validDays: 14 },
      { kind: 'free_item', sku: 'KOPI-SUSU', validDays: 1 },
    ];
    const created: Reward[] = [];
    for (const voucher of vouchers) created.push(await newReward(tenant, { name: `Hadiah ${voucher.kind}`, pointsCost: 250, voucher }));
    created.push(await physicalReward(tenant, { stock: 5, perMemberLimit: 1, description: 'Tumbler 500 ml' }));

    for (const [i, voucher] of vouchers.entries()) {
      expect(created[i]).toEqual({
        id: expect.any(String), name: `Hadiah ${voucher.kind}`, description: null, pointsCost: 250, stock: null, perMemberLimit: null, tiers: null,
        startsAt: null, endsAt: null, fulfilment: 'voucher', voucher, imageUrl: null, status: 'active', redeemed: 0,
        createdAt: expect.any(String), updatedAt: expect.any(String),
      });
    }
    expect(created[4]).toMatchObject({ fulfilment: 'physical', voucher: null, stock: 5, perMemberLimit: 1, description: 'Tumbler 500 ml' });
    expect(await rewardOf(tenant, created[1].id)).toEqual(created[1]);

    const list = await tenant.owner.get('/api/v1/rewards?limit=3');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: Reward) => r.id)).toEqual(created.slice(2).reverse().map((r) => r.id));
    const next = await tenant.owner.get(`/api/v1/rewards?limit=3&cursor=${list.body.nextCursor}`);
    expect(next.body).toEqual({ items: [created[1], created[0]], nextCursor: null });

    expect((await auditOf(tenant.id, 'reward.created')).map((a) => a.target_id)).toEqual(created.map((r) => r.id));
  });

  it('refuses wrong terms with 400 naming each field, and creates nothing', async () => {
    const tenant = await newTenant(app);
    const base = { name: 'Hadiah', pointsCost: 100, fulfilment: 'voucher' };
    const cases: [Record<string, unknown>, string][] = [
      [{ voucher: { kind: 'percent', value: 150, validDays: 7 } }, 'body.voucher.value'],
      [{ voucher: { kind: 'percent', validDays: 7 } }, 'body.voucher.value'],
      [{ voucher: { kind: 'amount', validDays: 7 } }, 'body.voucher.value'],
      [{ voucher: { kind: 'amount', value: 1000, sku: 'X', validDays: 7 } }, 'body.voucher.sku'],
      [{ voucher: { kind: 'amount', value: 1000, maxDiscount: 500, validDays: 7 } }, 'body.voucher.maxDiscount'],
      [{ voucher: { kind: 'free_item', validDays: 7 } }, 'body.voucher.sku'],
      [{ voucher: { kind: 'free_shipping', value: 100, validDays: 7 } }, 'body.voucher.value'],
      [{ voucher: { kind: 'amount', value: 1000, validDays: 0 } }, 'body.voucher.validDays'],
      [{ voucher: { kind: 'amount', value: 1000, validDays: 366 } }, 'body.voucher.validDays'],
      [{ voucher: { kind: 'amount', value: 1000 } }, 'body.voucher.validDays'],
      [{ voucher: { kind: 'coupon', value: 1000, validDays: 7 } }, 'body.voucher.kind'],
      [{}, 'body.voucher'],
      [{ fulfilment: 'physical', voucher: { kind: 'amount', value: 1000, validDays: 7 } }, 'body.voucher'],
      [{ fulfilment: 'physical', startsAt: inDays(2), endsAt: inDays(1) }, 'body.endsAt'],
      [{ fulfilment: 'physical', tiers: ['member', 'platinum'] }, 'body.tiers.1'],
      [{ fulfilment: 'physical', pointsCost: 0 }, 'body.pointsCost'],
      [{ fulfilment: 'physical', stock: -1 }, 'body.stock'],
      [{ fulfilment: 'physical', perMemberLimit: 0 }, 'body.perMemberLimit'],
      [{ fulfilment: 'physical', startsAt: '2026-01-01' }, 'body.startsAt'],
    ];
    for (const [overrides, path] of cases) {
      const res = await tenant.owner.post('/api/v1/rewards').send({ ...base, ...overrides });
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(overrides)).toContain(path);
    }
    expect((await tenant.owner.get('/api/v1/rewards')).body.items).toEqual([]);
  });

  it('lets marketers manage the catalog and cashiers read it, not change it', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const created = await marketer.agent.post('/api/v1/rewards').send({ name: 'Payung', pointsCost: 500, fulfilment: 'physical' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await cashier.agent.get('/api/v1/rewards')).body.items.map((r: Reward) => r.id)).toEqual([created.body.id]);
    expect((await cashier.agent.get(`/api/v1/rewards/${created.body.id}`)).status).toBe(200);
    expect((await cashier.agent.post('/api/v1/rewards').send({ name: 'X', pointsCost: 1, fulfilment: 'physical' })).status).toBe(403);
    expect((await cashier.agent.patch(`/api/v1/rewards/${created.body.id}`).send({ pointsCost: 1 })).status).toBe(403);
    expect((await app.http.get('/api/v1/rewards')).status).toBe(401);
  });

  it('changes a reward validated as a whole; stock can be set or added to; archived rewards cannot change', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { startsAt: inDays(-1), stock: 2 });
    const url = `/api/v1/rewards/${reward.id}`;

    const beforeStart = await tenant.owner.patch(url).send({ endsAt: inDays(-2) });
    expect(beforeStart.status).toBe(400);
    expect(beforeStart.body.errors).toEqual([{ path: 'body.endsAt', message: 'Must not be before startsAt' }]);
    const physicalWithVoucher = await tenant.owner.patch(url).send({ fulfilment: 'physical' });
    expect(physicalWithVoucher.body.errors).toEqual([{ path: 'body.voucher', message: 'Not used by physical rewards' }]);
    const both = await tenant.owner.patch(url).send({ stock: 4, addStock: 1 });
    expect(both.body.errors).toEqual([{ path: 'body.addStock', message: 'Send stock or addStock, not both' }]);
    expect(await rewardOf(tenant, reward.id)).toEqual(reward);

    const changed = await tenant.owner.patch(url).send({ name: 'Diskon Rp 20.000', voucher: { kind: 'amount', value: rupiah(20_000), validDays: 10 }, addStock: 3, tiers: ['member'] });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Diskon Rp 20.000', stock: 5, tiers: ['member'], voucher: { kind: 'amount', value: rupiah(20_000), validDays: 10 }, startsAt: reward.startsAt });
    const unlimited = await tenant.owner.patch(url).send({ stock: null, tiers: null });
    expect(unlimited.body).toMatchObject({ stock: null, tiers: null });
    const cannotAdd = await tenant.owner.patch(url).send({ addStock: 1 });
    expect(cannotAdd.body.errors).toEqual([{ path: 'body.addStock', message: 'The stock is unlimited; set stock to limit it' }]);
    await tenant.owner.patch(url).send({ stock: 999_999_998 }).expect(200);
    const overMax = await tenant.owner.patch(url).send({ addStock: 5 });
    expect(overMax.status).toBe(400);
    expect(overMax.body.errors).toEqual([{ path: 'body.addStock', message: 'At most 2 more' }]);
    await tenant.owner.patch(url).send({ stock: null }).expect(200);

    const archived = await tenant.owner.post(`${url}/archive`);
    expect(archived.body.status).toBe('archived');
    expect((await tenant.owner.post(`${url}/archive`)).body).toEqual(archived.body);
    const refused = await tenant.owner.patch(url).send({ pointsCost: 1 });
    expect(refused.status).toBe(409);
    expect((await tenant.owner.get('/api/v1/rewards?status=active')).body.items).toEqual([]);
    expect((await tenant.owner.get('/api/v1/rewards?status=archived')).body.items.map((r: Reward) => r.id)).toEqual([reward.id]);
    expect(await auditOf(tenant.id, 'reward.updated')).toHaveLength(4);
    expect(await auditOf(tenant.id, 'reward.archived')).toHaveLength(1);
  });
});

describe('adding stock', () => {
  it('with expectedStock, a retry after a lost answer does not add the units twice: 409 with the stock now', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { stock: 2 });
    const url = `/api/v1/rewards/${reward.id}`;
    const added = await tenant.owner.patch(url).send({ addStock: 10, expectedStock: 2 });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.stock).toBe(12);
    const retried = await tenant.owner.patch(url).send({ addStock: 10, expectedStock: 2 });
    expect(retried.status).toBe(409);
    expect(retried.headers['content-type']).toContain(PROBLEM);
    expect(retried.body).toMatchObject({ code: 'conflict', stock: 12, errors: [{ path: 'body.expectedStock', message: 'Not the stock left now' }] });
    expect(await rewardOf(tenant, reward.id)).toMatchObject({ stock: 12 });

    // A unit redeemed meanwhile also refuses the add, rather than the marketer's count being off.
    const member = await memberWithPoints(tenant, 100);
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(201);
    expect((await tenant.owner.patch(url).send({ addStock: 1, expectedStock: 12 })).body).toMatchObject({ code: 'conflict', stock: 11 });
    expect((await tenant.owner.patch(url).send({ addStock: 1, expectedStock: 11 })).body.stock).toBe(12);
    expect((await tenant.owner.patch(url).send({ stock: null, expectedStock: 12 })).body.stock).toBeNull();
    expect((await tenant.owner.patch(url).send({ stock: 3, expectedStock: 12 })).status).toBe(409);
    expect((await tenant.owner.patch(url).send({ stock: 3, expectedStock: null })).body.stock).toBe(3);
    expect(await auditOf(tenant.id, 'reward.updated')).toHaveLength(4);
  });
});

describe('redeeming a reward', () => {
  it('debits the points once, takes a unit of stock and issues a personal single-use voucher that works at checkout', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { name: 'Diskon Rp 10.000', pointsCost: 300, stock: 10, voucher: { kind: 'amount', value: rupiah(10_000), minSpend: rupiah(50_000), validDays: 7 } });
    const member = await memberWithPoints(tenant, 1000);
    const before = jakartaDate(new Date());
    const res = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    const after = jakartaDate(new Date());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String), reward: { id: reward.id, name: 'Diskon Rp 10.000' }, memberId: member.id, fulfilment: 'voucher', pointsSpent: 300,
      status: 'issued', storeId: null, createdAt: expect.any(String), handedOverAt: null,
      voucher: { code: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{10}$/), kind: 'amount', value: rupiah(10_000), maxDiscount: null, sku: null, minSpend: rupiah(50_000), expiresAt: expect.any(String) },
      points: { balance: 700, pending: 0, debt: 0 },
    });
    // The end of the local (Asia/Jakarta) day 7 days after the day of issue.
    const expected = [before, after].map((d) => jakarta(d.year, d.month, d.day + 7, 23, 59, 59, 999).toISOString());
    expect(expected).toContain(res.body.voucher.expiresAt);

    expect(await redeemEntries(tenant, member.id)).toMatchObject([{ kind: 'redeem', points: -300, reference: 'Diskon Rp 10.000', transactionId: null }]);
    expect(await rewardOf(tenant, reward.id)).toMatchObject({ stock: 9, redeemed: 1 });

    const code = res.body.voucher.code as string;
    const lookUp = await tenant.owner.get(`/api/v1/vouchers/${code}`);
    expect(lookUp.body).toMatchObject({ status: 'active', uses: 0, maxUses: 1, member: { id: member.id }, batch: { origin: 'reward', kind: 'amount', minSpend: rupiah(50_000) } });
    const evaluation = await evaluate(tenant, member.id, [code.toLowerCase()]);
    expect(evaluation.applied).toMatchObject([{ source: 'voucher', code: code.toLowerCase(), amount: rupiah(10_000) }]);
    const otherMember = await newMember(tenant);
    expect((await evaluate(tenant, otherMember.id, [code])).rejected).toMatchObject([{ code, reason: 'not_eligible' }]);

    // A second redemption reuses the reward's voucher batch.
    const second = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    expect(second.status).toBe(201);
    expect(second.body.voucher.code).not.toBe(code);
    const batches = await app.deps.db.selectFrom('voucher_batches').select(['count', 'reward_id']).where('tenant_id', '=', tenant.id).execute();
    expect(batches).toEqual([{ count: 2, reward_id: reward.id }]);
    await expectLedgerClean(app, tenant.id);
  });

  it('is idempotent: the same key answers the same redemption and debits once; another body with it is 422', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100, stock: 5 });
    const member = await memberWithPoints(tenant, 500);
    const key = randomUUID();
    const first = await redeemReward(tenant.owner, reward.id, { memberId: member.id }, key);
    const again = await redeemReward(tenant.owner, reward.id, { memberId: member.id }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await redeemEntries(tenant, member.id)).toHaveLength(1);
    expect((await balancesOf(tenant, member.id)).balance).toBe(400);
    expect(await countRows(tenant, 'vouchers')).toBe(1);
    expect((await rewardOf(tenant, reward.id)).stock).toBe(4);

    const other = await newMember(tenant);
    const mismatch = await redeemReward(tenant.owner, reward.id, { memberId: other.id }, key);
    expect(mismatch.status).toBe(422);
    const noKey = await tenant.owner.post(`/api/v1/rewards/${reward.id}/redemptions`).send({ memberId: member.id });
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors).toEqual([{ path: 'headers.Idempotency-Key', message: 'Required' }]);
    expect(await redeemEntries(tenant, member.id)).toHaveLength(1);
  });

  it('refuses without enough points (409 insufficient_points with the balance) and changes nothing', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 300, stock: 1 });
    const member = await memberWithPoints(tenant, 299);
    const res = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'insufficient_points', balance: 299 });
    expect((await balancesOf(tenant, member.id)).balance).toBe(299);
    expect(await rewardOf(tenant, reward.id)).toMatchObject({ stock: 1, redeemed: 0 });
    expect(await countRows(tenant, 'vouchers')).toBe(0);
    expect(await countRows(tenant, 'reward_redemptions')).toBe(0);
  });

  it('stops at the stock: 409 reward_out_of_stock once it is 0, until more is added', async () => {
    const tenant = await newTenant(app);
    const reward = await physicalReward(tenant, { pointsCost: 100, stock: 1 });
    const [first, second] = [await memberWithPoints(tenant, 200), await memberWithPoints(tenant, 200)];
    expect((await redeemReward(tenant.owner, reward.id, { memberId: first.id })).status).toBe(201);
    const soldOut = await redeemReward(tenant.owner, reward.id, { memberId: second.id });
    expect(soldOut.status).toBe(409);
    expect(soldOut.body.code).toBe('reward_out_of_stock');
    expect((await balancesOf(tenant, second.id)).balance).toBe(200);
    expect((await rewardOf(tenant, reward.id)).stock).toBe(0);

    expect((await tenant.owner.patch(`/api/v1/rewards/${reward.id}`).send({ addStock: 2 })).body.stock).toBe(2);
    const restocked = await redeemReward(tenant.owner, reward.id, { memberId: second.id });
    expect(restocked.status).toBe(201);
    expect(restocked.body).toMatchObject({ fulfilment: 'physical', voucher: null, points: { balance: 100 } });
    expect((await rewardOf(tenant, reward.id)).stock).toBe(1);
  });

  it('keeps the per-member limit (cancelled redemptions do not count)', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 10, perMemberLimit: 2 });
    const member = await memberWithPoints(tenant, 100);
    const made = [await redeemReward(tenant.owner, reward.id, { memberId: member.id }), await redeemReward(tenant.owner, reward.id, { memberId: member.id })];
    expect(made.map((r) => r.status)).toEqual([201, 201]);
    const third = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ code: 'reward_limit_reached', perMemberLimit: 2 });
    expect((await balancesOf(tenant, member.id)).balance).toBe(80);

    const other = await memberWithPoints(tenant, 100);
    expect((await redeemReward(tenant.owner, reward.id, { memberId: other.id })).status).toBe(201);
    expect((await tenant.owner.post(`/api/v1/rewards/redemptions/${made[0].body.id}/cancel`)).status).toBe(200);
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(201);
  });

  it('is only for the tiers listed: hidden from other tiers in the app and refused for them', async () => {
    // Other files' tier reviews with a moved clock would step the gold member down meanwhile.
    const release = await lockLedgerClock(app);
    onTestFinished(release);
    const tenant = await newTenant(app);
    const gold = await goldMember(tenant);
    const reward = await newReward(tenant, { name: 'Khusus Gold', tiers: ['gold'] });
    const everyone = await newReward(tenant, { name: 'Semua' });
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 1000, reason: 'test' }).expect(201);

    const catalog = await phoneApp.get('/api/v1/me/rewards');
    expect(catalog.body.items.map((r: Reward) => r.id)).toEqual([everyone.id]);
    const refused = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'reward_not_available', reason: 'tier', tiers: ['gold'] });
    const self = await phoneApp.post(`/api/v1/me/rewards/${reward.id}/redemptions`).set('Idempotency-Key', randomUUID());
    expect(self.body).toMatchObject({ code: 'reward_not_available', reason: 'tier' });
    expect((await balancesOf(tenant, member.id)).balance).toBe(1000);

    expect((await redeemReward(tenant.owner, reward.id, { memberId: gold.id })).status).toBe(201);
  });

  it('is available from startsAt to endsAt, both inclusive', async () => {
    const tenant = await newTenant(app);
    const startsAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3600e3);
    const endsAt = new Date(startsAt.getTime() + 3600e3);
    const reward = await newReward(tenant, { pointsCost: 10, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() });
    const member = await memberWithPoints(tenant, 100);
    const at = async (instant: number) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(instant);
      try {
        return await redeemReward(tenant.owner, reward.id, { memberId: member.id });
      } finally {
        vi.useRealTimers();
      }
    };
    const early = await at(startsAt.getTime() - 1);
    expect(early.body).toMatchObject({ code: 'reward_not_available', reason: 'not_started', startsAt: startsAt.toISOString() });
    expect((await at(startsAt.getTime())).status).toBe(201);
    expect((await at(endsAt.getTime())).status).toBe(201);
    const late = await at(endsAt.getTime() + 1);
    expect(late.body).toMatchObject({ code: 'reward_not_available', reason: 'ended', endsAt: endsAt.toISOString() });
    expect((await balancesOf(tenant, member.id)).balance).toBe(80);
  });

  it('needs a cashier to scan the member at the store: 403 presence_required without, 201 with a fresh scan', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const reward = await newReward(tenant, { pointsCost: 50 });
    const member = await memberWithPoints(tenant, 100);

    const without = await redeemReward(cashier.agent, reward.id, { memberId: member.id });
    expect(without.status).toBe(403);
    expect(without.body).toMatchObject({ code: 'presence_required', errors: [{ path: 'body.scanToken', message: 'Required' }] });
    expect((await balancesOf(tenant, member.id)).balance).toBe(100);
    expect(await countRows(tenant, 'vouchers')).toBe(0);

    const scan = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    expect(scan.status).toBe(200);
    const ok = await redeemReward(cashier.agent, reward.id, { memberId: member.id, scanToken: scan.body.scanToken });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ storeId: store.id, points: { balance: 50 } });
    expect(await auditOf(tenant.id, 'reward.redeem.without_scan')).toEqual([]);

    // Owners act without a scan, audit-logged.
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(201);
    expect(await auditOf(tenant.id, 'reward.redeem.without_scan')).toMatchObject([{ actor_id: tenant.ownerId, target_id: member.id }]);
  });

  it('answers 404 for unknown or archived rewards and 400 for unknown members', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant);
    const member = await memberWithPoints(tenant, 500);
    expect((await redeemReward(tenant.owner, randomUUID(), { memberId: member.id })).status).toBe(404);
    const unknownMember = await redeemReward(tenant.owner, reward.id, { memberId: randomUUID() });
    expect(unknownMember.status).toBe(400);
    expect(unknownMember.body.errors).toEqual([{ path: 'body.memberId', message: 'No such member' }]);
    await tenant.owner.post(`/api/v1/rewards/${reward.id}/archive`).expect(200);
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(404);
    expect((await balancesOf(tenant, member.id)).balance).toBe(500);
  });

  it('keeps past redemptions as they were when the cost or the voucher terms change', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100, voucher: { kind: 'amount', value: rupiah(10_000), validDays: 30 } });
    const member = await memberWithPoints(tenant, 1000);
    const first = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    await tenant.owner.patch(`/api/v1/rewards/${reward.id}`).send({ pointsCost: 200, voucher: { kind: 'percent', value: 10, validDays: 30 } }).expect(200);
    const second = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    expect(second.body).toMatchObject({ pointsSpent: 200, voucher: { kind: 'percent', value: 10 }, points: { balance: 700 } });
    const history = await tenant.owner.get(`/api/v1/members/${member.id}/reward-redemptions`);
    expect(history.body.items.map((r: { id: string; pointsSpent: number; voucher: { kind: string } }) => [r.id, r.pointsSpent, r.voucher.kind])).toEqual([
      [second.body.id, 200, 'percent'],
      [first.body.id, 100, 'amount'],
    ]);
    expect((await tenant.owner.get(`/api/v1/vouchers/${first.body.voucher.code}`)).body.batch).toMatchObject({ kind: 'amount', value: rupiah(10_000) });
  });
});

describe('cancelling and handing over', () => {
  it('cancel returns the points and the stock and cancels the unused voucher; repeating it changes nothing', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 300, stock: 3 });
    const member = await memberWithPoints(tenant, 1000);
    const redeemed = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    const code = redeemed.body.voucher.code;
    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`)).status).toBe(403);

    const cancelled = await tenant.owner.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ id: redeemed.body.id, status: 'cancelled', points: { balance: 1000 } });
    expect((await pointsOf(tenant, member.id)).entries.items[0]).toMatchObject({ kind: 'return', points: 300, reference: reward.name });
    expect((await rewardOf(tenant, reward.id))).toMatchObject({ stock: 3, redeemed: 0 });
    expect((await evaluate(tenant, member.id, [code])).rejected).toMatchObject([{ code, reason: 'not_eligible' }]);
    expect((await tenant.owner.get(`/api/v1/vouchers/${code}`)).body.status).toBe('voided');

    const again = await tenant.owner.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`);
    expect(again.body).toEqual(cancelled.body);
    expect((await balancesOf(tenant, member.id)).balance).toBe(1000);
    expect(await auditOf(tenant.id, 'reward_redemption.cancelled')).toMatchObject([{ target_id: redeemed.body.id, details: { points: 300, memberId: member.id } }]);
    await expectLedgerClean(app, tenant.id);
  });

  it('a cancelled reward’s voucher is void for good: refused on a backdated sale, at /vouchers/{code}/redemptions and in the app', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100 });
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 500, reason: 'test' }).expect(201);
    const redeemed = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    const code = redeemed.body.voucher.code as string;
    expect((await phoneApp.get('/api/v1/me/vouchers')).body.items.map((v: { code: string }) => v.code)).toEqual([code]);
    expect((await tenant.owner.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`)).status).toBe(200);

    const voided = await app.deps.db.selectFrom('vouchers').select(['voided_at', 'expires_at']).where('tenant_id', '=', tenant.id).where('code', '=', code).executeTakeFirstOrThrow();
    expect(voided.voided_at).toBeInstanceOf(Date);
    expect(voided.expires_at!.toISOString()).toBe(redeemed.body.voucher.expiresAt);
    // An offline till posts later a sale it made before the cancellation, even before the code was issued.
    for (const occurredAt of [new Date(Date.now() - 60e3), new Date(Date.now() - 3 * 86400e3)]) {
      const sale = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', randomUUID())
        .send(saleBody({ memberId: member.id, occurredAt: occurredAt.toISOString(), voucherCodes: [code] }));
      expect(sale.status, JSON.stringify(sale.body)).toBe(409);
      expect(sale.body.code).toBe('voucher_rejected');
    }
    const direct = await tenant.owner.post(`/api/v1/vouchers/${code}/redemptions`).set('Idempotency-Key', randomUUID()).send({ memberId: member.id });
    expect(direct.status).toBe(409);
    expect(direct.body).toMatchObject({ code: 'voucher_not_eligible', reason: 'voided' });
    expect((await phoneApp.get('/api/v1/me/vouchers')).body.items).toEqual([]);
    expect((await tenant.owner.get(`/api/v1/vouchers/${code}`)).body).toMatchObject({ status: 'voided', uses: 0 });
    expect(await app.deps.db.selectFrom('transactions').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
  });

  it('cannot cancel once the voucher was used at a sale', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100 });
    const member = await memberWithPoints(tenant, 500);
    const redeemed = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    await postSale(tenant, saleBody({ memberId: member.id, voucherCodes: [redeemed.body.voucher.code] }));
    const balance = (await balancesOf(tenant, member.id)).balance;
    const refused = await tenant.owner.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('conflict');
    expect((await balancesOf(tenant, member.id)).balance).toBe(balance);
    expect(await rewardOf(tenant, reward.id)).toMatchObject({ redeemed: 1 });
  });

  it('hands a physical reward over once, with the member scanned at the store; then it cannot be cancelled', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const reward = await physicalReward(tenant, { pointsCost: 100, stock: 2 });
    const member = await memberWithPoints(tenant, 100);
    const redeemed = await redeemReward(tenant.owner, reward.id, { memberId: member.id });
    const url = `/api/v1/rewards/redemptions/${redeemed.body.id}/hand-over`;

    const unscanned = await cashier.agent.post(url).send({});
    expect(unscanned.body.code).toBe('presence_required');
    const scan = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    const handed = await cashier.agent.post(url).send({ scanToken: scan.body.scanToken });
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    expect(handed.body).toMatchObject({ status: 'handed_over', handedOverAt: expect.any(String) });
    const again = await cashier.agent.post(url).send({});
    expect(again.body).toEqual(handed.body);
    expect(await auditOf(tenant.id, 'reward_redemption.handed_over')).toHaveLength(1);

    const cancel = await tenant.owner.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect((await balancesOf(tenant, member.id)).balance).toBe(0);

    const voucherReward = await newReward(tenant, { pointsCost: 1 });
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 1, reason: 'test' }).expect(201);
    const voucherRedemption = await redeemReward(tenant.owner, voucherReward.id, { memberId: member.id });
    expect((await tenant.owner.post(`/api/v1/rewards/redemptions/${voucherRedemption.body.id}/hand-over`).send({})).status).toBe(409);
  });
});

describe('reward images', () => {
  /** A WebP (VP8X) header for a width × height canvas: enough for the type and size checks. */
  function webp(width: number, height: number) {
    const bytes = Buffer.alloc(30);
    bytes.write('RIFF', 0, 'latin1');
    bytes.writeUInt32LE(22, 4);
    bytes.write('WEBPVP8X', 8, 'latin1');
    bytes.writeUInt32LE(10, 16);
    bytes.writeUIntLE(width - 1, 24, 3);
    bytes.writeUIntLE(height - 1, 27, 3);
    return bytes;
  }

  it('uploads, serves (ETag, 304) and removes a picture; refuses other types and sizes naming body.image', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant);
    const url = `/api/v1/rewards/${reward.id}/image`;
    const png = rgbaPng(120, 80, (x) => [x * 2, 100, 200, 255]);

    const uploaded = await tenant.owner.put(url).send({ image: dataUrl(png) });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
    expect(uploaded.body.imageUrl).toMatch(new RegExp(`^/api/v1/public/tenants/${tenant.slug}/rewards/${reward.id}/image\\?v=\\d+$`));
    const served = await app.http.get(uploaded.body.imageUrl).buffer(true);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=300');
    expect(Buffer.compare(served.body, png)).toBe(0);
    const revalidated = await app.http.get(uploaded.body.imageUrl).set('If-None-Match', served.headers.etag);
    expect(revalidated.status).toBe(304);

    const asWebp = await tenant.owner.put(url).send({ image: dataUrl(webp(300, 200), 'image/webp') });
    expect(asWebp.status, JSON.stringify(asWebp.body)).toBe(200);
    const servedWebp = await app.http.get(asWebp.body.imageUrl).buffer(true);
    expect(servedWebp.headers['content-type']).toBe('image/webp');
    expect(servedWebp.headers.etag).not.toBe(served.headers.etag);

    const refusals: [string, RegExp][] = [
      [dataUrl(gif(100, 100), 'image/gif'), /Only PNG, JPEG and WebP images are accepted \(this is GIF\)/],
      [dataUrl(rgbaPng(40, 100, () => [0, 0, 0, 255])), /short side must be at least 64 px/],
      [dataUrl(noisePng(480, 400)), /at most 512 KiB/],
      ['not a data url', /data URL/],
    ];
    for (const [image, message] of refusals) {
      const res = await tenant.owner.put(url).send({ image });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.image', message: expect.stringMatching(message) }]);
    }
    expect((await rewardOf(tenant, reward.id)).imageUrl).toBe(asWebp.body.imageUrl);
    expect(await auditOf(tenant.id, 'reward.image_uploaded')).toHaveLength(2);

    expect((await tenant.owner.delete(url)).status).toBe(204);
    expect((await rewardOf(tenant, reward.id)).imageUrl).toBeNull();
    expect((await app.http.get(asWebp.body.imageUrl)).status).toBe(404);
    expect((await tenant.owner.delete(url)).status).toBe(204);
    expect(await auditOf(tenant.id, 'reward.image_removed')).toHaveLength(1);
  });
});

describe('tenant isolation', () => {
  it('treats another retailer’s rewards, redemptions, members and images as unknown', async () => {
    const mine = await newTenant(app);
    const theirs = await newTenant(app);
    const reward = await newReward(theirs);
    await theirs.owner.put(`/api/v1/rewards/${reward.id}/image`).send({ image: dataUrl(rgbaPng(64, 64, () => [1, 2, 3, 255])) }).expect(200);
    const theirMember = await memberWithPoints(theirs, 500);
    const redemption = await redeemReward(theirs.owner, reward.id, { memberId: theirMember.id });
    const myMember = await memberWithPoints(mine, 500);
    const myReward = await newReward(mine);

    expect((await mine.owner.get(`/api/v1/rewards/${reward.id}`)).status).toBe(404);
    expect((await mine.owner.patch(`/api/v1/rewards/${reward.id}`).send({ pointsCost: 1 })).status).toBe(404);
    expect((await mine.owner.post(`/api/v1/rewards/${reward.id}/archive`)).status).toBe(404);
    expect((await mine.owner.delete(`/api/v1/rewards/${reward.id}/image`)).status).toBe(404);
    expect((await redeemReward(mine.owner, reward.id, { memberId: myMember.id })).status).toBe(404);
    expect((await redeemReward(mine.owner, myReward.id, { memberId: theirMember.id })).status).toBe(400);
    expect((await mine.owner.post(`/api/v1/rewards/redemptions/${redemption.body.id}/cancel`)).status).toBe(404);
    expect((await mine.owner.post(`/api/v1/rewards/redemptions/${redemption.body.id}/hand-over`).send({})).status).toBe(404);
    expect((await mine.owner.get(`/api/v1/members/${theirMember.id}/reward-redemptions`)).status).toBe(404);
    expect((await mine.owner.get('/api/v1/rewards')).body.items.map((r: Reward) => r.id)).toEqual([myReward.id]);
    expect((await app.http.get(`/api/v1/public/tenants/${mine.slug}/rewards/${reward.id}/image`)).status).toBe(404);
    expect((await app.http.get(`/api/v1/public/tenants/${theirs.slug}/rewards/${reward.id}/image`)).status).toBe(200);
    expect((await balancesOf(theirs, theirMember.id)).balance).toBe(400);
  });
});

describe('the member app', () => {
  it('lists the catalog with affordable and remaining, redeems for the member, and shows the vouchers to use', async () => {
    const tenant = await newTenant(app);
    const cheap = await newReward(tenant, { name: 'Gratis Ongkir', pointsCost: 100, stock: 5, perMemberLimit: 1, voucher: { kind: 'free_shipping', maxDiscount: rupiah(20_000), validDays: 14 } });
    const dear = await physicalReward(tenant, { pointsCost: 5000 });
    await newReward(tenant, { name: 'Nanti', startsAt: inDays(3) });
    const archived = await newReward(tenant, { name: 'Lama' });
    await tenant.owner.post(`/api/v1/rewards/${archived.id}/archive`).expect(200);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 300, reason: 'test' }).expect(201);

    const catalog = await phoneApp.get('/api/v1/me/rewards');
    expect(catalog.status).toBe(200);
    expect(catalog.body.nextCursor).toBeNull();
    expect(catalog.body.items).toMatchObject([
      { id: dear.id, affordable: false, remaining: null, redeemedByYou: 0, limitReached: false, fulfilment: 'physical' },
      { id: cheap.id, name: 'Gratis Ongkir', affordable: true, remaining: 5, redeemedByYou: 0, limitReached: false, voucher: { kind: 'free_shipping' } },
    ]);

    const url = `/api/v1/me/rewards/${cheap.id}/redemptions`;
    expect((await phoneApp.post(url)).status).toBe(400);
    const key = randomUUID();
    const redeemed = await phoneApp.post(url).set('Idempotency-Key', key);
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(201);
    expect(redeemed.body).toMatchObject({ memberId: member.id, storeId: null, voucher: { kind: 'free_shipping', maxDiscount: rupiah(20_000) }, points: { balance: 200 } });
    expect((await phoneApp.post(url).set('Idempotency-Key', key)).body).toEqual(redeemed.body);
    expect((await phoneApp.post(url).set('Idempotency-Key', randomUUID())).body.code).toBe('reward_limit_reached');
    expect(await redeemEntries(tenant, member.id)).toMatchObject([{ points: -100, reference: 'Gratis Ongkir' }]);

    const after = await phoneApp.get('/api/v1/me/rewards');
    expect(after.body.items[1]).toMatchObject({ id: cheap.id, remaining: 4, redeemedByYou: 1, limitReached: true });

    // A personal voucher from a batch shows too; a used-up one does not.
    const batch = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'percent', value: 15, expiresAt: inDays(10), memberId: member.id, name: 'Ulang tahun' });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const vouchers = await phoneApp.get('/api/v1/me/vouchers');
    expect(vouchers.status).toBe(200);
    expect(vouchers.body.items).toMatchObject([
      { name: 'Ulang tahun', kind: 'percent', value: 15, usesLeft: 1, reward: null },
      {
        code: redeemed.body.voucher.code, name: 'Gratis Ongkir', kind: 'free_shipping', value: null, maxDiscount: rupiah(20_000), sku: null,
        minSpend: 0, startsAt: null, expiresAt: redeemed.body.voucher.expiresAt, usesLeft: 1, reward: { id: cheap.id, name: 'Gratis Ongkir' },
      },
    ]);
    await postSale(tenant, saleBody({ memberId: member.id, voucherCodes: [vouchers.body.items[0].code] }));
    expect((await phoneApp.get('/api/v1/me/vouchers')).body.items.map((v: { code: string }) => v.code)).toEqual([redeemed.body.voucher.code]);

    const mine = await phoneApp.get('/api/v1/me/reward-redemptions');
    expect(mine.body.items).toMatchObject([{ id: redeemed.body.id, reward: { id: cheap.id }, status: 'issued' }]);
    expect((await tenant.owner.get('/api/v1/me/vouchers')).status).toBe(401);
  });

  it('counts what the member can redeem now over the whole catalog, on every page', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 300, reason: 'test' }).expect(201);
    const affordable = [await newReward(tenant, { pointsCost: 100 }), await newReward(tenant, { pointsCost: 200, stock: 3 })];
    const limited = await newReward(tenant, { pointsCost: 50, perMemberLimit: 1 });
    expect((await redeemReward(tenant.owner, limited.id, { memberId: member.id })).status).toBe(201);
    const soldOut = await newReward(tenant, { pointsCost: 10, stock: 1 });
    expect((await redeemReward(tenant.owner, soldOut.id, { memberId: (await memberWithPoints(tenant, 100)).id })).status).toBe(201);
    await physicalReward(tenant, { pointsCost: 5000 });
    expect((await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1 })).status).toBe(201);
    await newReward(tenant, { pointsCost: 10, tiers: ['gold'] });
    // Redeemed, the limited one left 250 points: both affordable ones still fit.
    affordable.push(await newReward(tenant, { pointsCost: 250 }));

    const seen: { id: string; affordable: boolean; limitReached: boolean; remaining: number | null }[] = [];
    let cursor: string | null | undefined;
    do {
      const res = await phoneApp.get('/api/v1/me/rewards').query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.redeemableNow).toBe(affordable.length);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    const redeemable = seen.filter((r) => r.affordable && !r.limitReached && r.remaining !== 0).map((r) => r.id);
    expect(redeemable.sort()).toEqual(affordable.map((r) => r.id).sort());
  });
});
