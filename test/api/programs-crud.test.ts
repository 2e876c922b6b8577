import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newStaff, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { memberWithPoints, newReward, redeemReward } from '../support/rewards.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Deleting a tier and editing a voucher batch: the two program changes the portal's screens lacked.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

async function auditOf(tenant: Tenant, targetId: string) {
  const res = await tenant.owner.get('/api/v1/audit').query({ targetId });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { action: string; details: Record<string, unknown> }[];
}

async function newTier(tenant: Tenant, code: string, rank: number) {
  const res = await tenant.owner.post('/api/v1/tiers').send({ code, name: code.toUpperCase(), rank, minQualifying: rupiah(1_000_000), earnMultiplier: 1 });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; code: string };
}

const tierCodes = async (tenant: Tenant) => (await tenant.owner.get('/api/v1/tiers')).body.items.map((t: { code: string }) => t.code);

describe('DELETE /api/v1/tiers/{id}', () => {
  it('deletes a tier nothing uses, audit-logged; a marketer may, a cashier may not', async () => {
    const tenant = await newTenant(app);
    const gold = await newTier(tenant, 'gold', 1);
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.delete(`/api/v1/tiers/${gold.id}`)).status).toBe(403);

    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.delete(`/api/v1/tiers/${gold.id}`)).status).toBe(204);
    expect(await tierCodes(tenant)).toEqual(['member']);
    expect(await auditOf(tenant, gold.id)).toMatchObject([
      { action: 'tier.deleted', details: { code: 'gold', rank: 1 } },
      { action: 'tier.created' },
    ]);
    expect((await tenant.owner.delete(`/api/v1/tiers/${gold.id}`)).status).toBe(404);
  });

  it('refuses, changing nothing, while members hold it, programs name it, or it is the last one', async () => {
    const tenant = await newTenant(app);
    const entry = (await tenant.owner.get('/api/v1/tiers')).body.items[0];
    const gold = await newTier(tenant, 'gold', 1);
    await newMember(tenant);
    const held = await tenant.owner.delete(`/api/v1/tiers/${entry.id}`);
    expect(held.status).toBe(409);
    expect(held.body.usedBy).toEqual({ members: 1, rewards: 0, promotions: 0, earningRules: 0, segments: 0, automations: 0 });

    const reward = await newReward(tenant, { tiers: ['gold'] });
    const rule = await tenant.owner.post('/api/v1/earning-rules').send({ name: 'Gold bonus', conditions: { tiers: ['gold'] }, effect: { type: 'bonus', points: 10, per: 'transaction' } });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const segment = await tenant.owner.post('/api/v1/segments').send({ code: 'golds', name: 'Golds', rules: { match: 'all', conditions: [{ type: 'tier', tiers: ['gold'] }] } });
    expect(segment.status, JSON.stringify(segment.body)).toBe(201);
    const automation = await tenant.owner.post('/api/v1/automations').send({ name: 'Welcome to gold', trigger: { kind: 'tier_change', direction: 'up', tier: 'gold' }, points: 50 });
    expect(automation.status, JSON.stringify(automation.body)).toBe(201);
    const named = await tenant.owner.delete(`/api/v1/tiers/${gold.id}`);
    expect(named.status).toBe(409);
    expect(named.body.usedBy).toEqual({ members: 0, rewards: 1, promotions: 0, earningRules: 1, segments: 1, automations: 1 });
    expect((await tenant.owner.delete(`/api/v1/segments/${segment.body.id}`)).status).toBeLessThan(300);

    // Archived rewards and automations do not count; rules and automations do, paused or not, until they stop naming it.
    expect((await tenant.owner.post(`/api/v1/rewards/${reward.id}/archive`)).status).toBe(200);
    expect((await tenant.owner.patch(`/api/v1/earning-rules/${rule.body.id}`).send({ status: 'paused' })).status).toBe(200);
    expect((await tenant.owner.post(`/api/v1/automations/${automation.body.id}/pause`)).status).toBe(200);
    expect((await tenant.owner.delete(`/api/v1/tiers/${gold.id}`)).body.usedBy).toMatchObject({ rewards: 0, earningRules: 1, automations: 1 });
    expect((await tenant.owner.post(`/api/v1/automations/${automation.body.id}/archive`)).status).toBe(200);
    expect((await tenant.owner.patch(`/api/v1/earning-rules/${rule.body.id}`).send({ conditions: {} })).status).toBe(200);
    expect((await tenant.owner.delete(`/api/v1/tiers/${gold.id}`)).status).toBe(204);

    // The last tier stays even without members: new members need one.
    const lone = await newTenant(app);
    const only = (await lone.owner.get('/api/v1/tiers')).body.items[0];
    const last = await lone.owner.delete(`/api/v1/tiers/${only.id}`);
    expect(last.status).toBe(409);
    expect(last.body.detail).toMatch(/last tier/);
    expect(await tierCodes(lone)).toEqual(['member']);
  });

  it('is 404 for another tenant’s tier', async () => {
    const tenant = await newTenant(app);
    const gold = await newTier(tenant, 'gold', 1);
    const other = await newTenant(app);
    expect((await other.owner.delete(`/api/v1/tiers/${gold.id}`)).status).toBe(404);
    expect(await tierCodes(tenant)).toEqual(['member', 'gold']);
  });
});

describe('PATCH /api/v1/vouchers/batches/{id}', () => {
  const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();

  async function newBatch(tenant: Tenant, overrides: Record<string, unknown> = {}) {
    const res = await tenant.owner.post('/api/v1/vouchers/batches').send({ name: 'Brosur', count: 3, kind: 'amount', value: rupiah(10_000), expiresAt: inDays(30), ...overrides });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.batchId as string;
  }

  it('renames a batch and moves its expiry, which its codes then follow; audit-logged', async () => {
    const tenant = await newTenant(app);
    const batchId = await newBatch(tenant);
    const later = inDays(60);
    const res = await tenant.owner.patch(`/api/v1/vouchers/batches/${batchId}`).send({ name: 'Brosur Januari', expiresAt: later });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: batchId, name: 'Brosur Januari', expiresAt: later, count: 3, status: 'active', value: rupiah(10_000) });
    const csv = await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}/codes.csv`);
    const code = csv.text.trim().split(/\r\n/)[1].split(',')[0];
    const lookedUp = await tenant.owner.get(`/api/v1/vouchers/${code}`);
    expect(Date.parse(lookedUp.body.batch.expiresAt)).toBe(Date.parse(later));

    const cleared = await tenant.owner.patch(`/api/v1/vouchers/batches/${batchId}`).send({ name: null });
    expect(cleared.body).toMatchObject({ name: null, expiresAt: later });
    // Sending what the batch already has (as the portal's form does) changes and logs nothing.
    const again = await tenant.owner.patch(`/api/v1/vouchers/batches/${batchId}`).send({ name: null, expiresAt: later });
    expect(again.body).toMatchObject({ name: null, expiresAt: later });
    const audit = await auditOf(tenant, batchId);
    expect(audit.map((entry) => entry.action)).toEqual(['voucher_batch.updated', 'voucher_batch.updated', 'voucher_batch.created']);
    expect(audit[1].details).toMatchObject({ before: { name: 'Brosur' }, patch: { name: 'Brosur Januari', expiresAt: later } });
  });

  it('refuses an expiry in the past, before the start, or on a batch whose codes expire one by one, changing nothing', async () => {
    const tenant = await newTenant(app);
    const batchId = await newBatch(tenant, { startsAt: inDays(10) });
    const before = (await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}`)).body;
    for (const [expiresAt, message] of [[inDays(-1), 'Must be after startsAt'], [inDays(5), 'Must be after startsAt']] as const) {
      const res = await tenant.owner.patch(`/api/v1/vouchers/batches/${batchId}`).send({ name: 'Nope', expiresAt });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.expiresAt', message }]);
    }
    const plain = await newBatch(tenant);
    const past = await tenant.owner.patch(`/api/v1/vouchers/batches/${plain}`).send({ expiresAt: inDays(-1) });
    expect(past.body.errors).toEqual([{ path: 'body.expiresAt', message: 'Must be in the future' }]);
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}`)).body).toEqual(before);

    const reward = await newReward(tenant);
    const member = await memberWithPoints(tenant, 500);
    expect((await redeemReward(tenant.owner, reward.id, { memberId: member.id })).status).toBe(201);
    const rewardBatch = (await tenant.owner.get('/api/v1/vouchers/batches')).body.items.find((b: { origin: string }) => b.origin === 'reward');
    const perCode = await tenant.owner.patch(`/api/v1/vouchers/batches/${rewardBatch.id}`).send({ expiresAt: inDays(90) });
    expect(perCode.status).toBe(400);
    expect(perCode.body.errors[0].path).toBe('body.expiresAt');

    const other = await newTenant(app);
    expect((await other.owner.patch(`/api/v1/vouchers/batches/${plain}`).send({ name: 'Mine' })).status).toBe(404);
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.patch(`/api/v1/vouchers/batches/${plain}`).send({ name: 'Mine' })).status).toBe(403);
  });
});

describe('GET /api/v1/vouchers/batches', () => {
  it('finds batches by part of their name, ignoring case and taking % literally, and by status', async () => {
    const tenant = await newTenant(app);
    const batch = (name: string) => tenant.owner.post('/api/v1/vouchers/batches').send({ name, count: 1, kind: 'amount', value: rupiah(5_000), expiresAt: new Date(Date.now() + 86400e3).toISOString() });
    await batch('Flyer Desember');
    const half = (await batch('Diskon 50% Lebaran')).body.batchId;
    await batch('Diskon 50 Lebaran');
    await batch('Paket_A');
    await batch('Paket B');
    const names = async (query: Record<string, string>) =>
      (await tenant.owner.get('/api/v1/vouchers/batches').query(query)).body.items.map((b: { name: string }) => b.name);
    expect(await names({ query: 'flyer' })).toEqual(['Flyer Desember']);
    expect(await names({ query: '50%' })).toEqual(['Diskon 50% Lebaran']);
    expect(await names({ query: 'lebaran' })).toEqual(['Diskon 50 Lebaran', 'Diskon 50% Lebaran']);
    expect(await names({ query: 'paket_' })).toEqual(['Paket_A']);
    expect(await names({ query: '' })).toHaveLength(5);
    expect((await tenant.owner.post(`/api/v1/vouchers/batches/${half}/disable`)).status).toBe(200);
    expect(await names({ status: 'disabled' })).toEqual(['Diskon 50% Lebaran']);
    expect(await names({ status: 'active', query: 'desember' })).toEqual(['Flyer Desember']);
    expect((await tenant.owner.get('/api/v1/vouchers/batches').query({ status: 'gone' })).status).toBe(400);
  });
});
