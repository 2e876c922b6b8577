import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardCodeOf, newApiKey, newMember, newStaff, newStore, newTenant, saleBody, type Tenant } from '../support/factories.ts';
import { key, pointsOf, postSale, refund } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Issue 9: a store can be deactivated. It takes nothing new; its history and refunds stay.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const setActive = (tenant: Tenant, storeId: string, active: unknown) => tenant.owner.patch(`/api/v1/stores/${storeId}`).send({ active });

async function storesOf(tenant: Tenant, query: Record<string, string> = {}) {
  const res = await tenant.owner.get('/api/v1/stores').query(query);
  expect(res.status).toBe(200);
  return res.body.items as { id: string; code: string; active: boolean }[];
}

async function tenantWithTwoStores() {
  const tenant = await newTenant(app);
  return { tenant, closing: await newStore(tenant), staying: await newStore(tenant) };
}

function expectStoreInactive(res: { status: number; body: { code?: string; type?: string } }) {
  expect(res.status, JSON.stringify(res.body)).toBe(409);
  expect(res.body.code).toBe('store_inactive');
  expect(res.body.type).toBe('https://kartu.dev/problems/store-inactive');
}

describe('PATCH /api/v1/stores/{id} active', () => {
  it('deactivates and activates again, listed with the flag, filtered for pickers, audit-logged', async () => {
    const { tenant, closing, staying } = await tenantWithTwoStores();
    const off = await setActive(tenant, closing.id, false);
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ id: closing.id, code: closing.code, active: false });

    expect((await storesOf(tenant)).map((s) => [s.id, s.active]).sort()).toEqual([[closing.id, false], [staying.id, true]].sort());
    expect((await storesOf(tenant, { active: 'true' })).map((s) => s.id)).toEqual([staying.id]);
    expect((await storesOf(tenant, { active: 'false' })).map((s) => s.id)).toEqual([closing.id]);

    expect((await setActive(tenant, closing.id, false)).status).toBe(200);
    const on = await setActive(tenant, closing.id, true);
    expect(on.body.active).toBe(true);

    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: closing.id });
    // The repeated deactivation changed nothing and logged nothing.
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['store.activated', 'store.deactivated', 'store.created']);
    expect(audit.body.items[1].details).toEqual({ code: closing.code });
  });

  it('refuses deactivating the last active store', async () => {
    const { tenant, closing, staying } = await tenantWithTwoStores();
    expect((await setActive(tenant, closing.id, false)).status).toBe(200);
    const last = await setActive(tenant, staying.id, false);
    expect(last.status).toBe(409);
    expect(last.body.type).toBe('https://kartu.dev/problems/last-active-store');
    expect((await storesOf(tenant, { active: 'true' })).map((s) => s.id)).toEqual([staying.id]);
  });

  it('is for owners and admins; other tenants see 404; bad input names the field', async () => {
    const { tenant, closing } = await tenantWithTwoStores();
    const admin = await newStaff(app, tenant, 'admin');
    for (const role of ['marketer', 'cashier'] as const) {
      const staff = await newStaff(app, tenant, role);
      expect((await staff.agent.patch(`/api/v1/stores/${closing.id}`).send({ active: false })).status).toBe(403);
    }
    const other = await newTenant(app);
    await newStore(other);
    expect((await other.owner.patch(`/api/v1/stores/${closing.id}`).send({ active: false })).status).toBe(404);
    const bad = await setActive(tenant, closing.id, 'no');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.active');
    const badFilter = await tenant.owner.get('/api/v1/stores').query({ active: 'yes' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.errors[0].path).toBe('query.active');
    expect((await storesOf(tenant)).every((s) => s.active)).toBe(true);

    expect((await admin.agent.patch(`/api/v1/stores/${closing.id}`).send({ active: false })).body.active).toBe(false);
  });
});

describe('an inactive store', () => {
  it('refuses sales, scans, checkouts and presence codes naming it, and nothing changes; refunds of its old sales work', async () => {
    const { tenant, closing, staying } = await tenantWithTwoStores();
    const member = await newMember(tenant);
    const old = await postSale(tenant, saleBody({ memberId: member.id, storeId: closing.id }));
    const before = await pointsOf(tenant, member.id);
    expect((await setActive(tenant, closing.id, false)).status).toBe(200);

    const body = saleBody({ memberId: member.id, storeId: closing.id });
    expectStoreInactive(await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', key()).send(body));
    expect((await tenant.owner.get('/api/v1/transactions').query({ memberId: member.id })).body.items).toHaveLength(1);
    expect(await pointsOf(tenant, member.id)).toEqual(before);

    const code = await cardCodeOf(app, tenant, member.id);
    expectStoreInactive(await tenant.owner.post('/api/v1/scan').send({ code, storeId: closing.id }));
    expectStoreInactive(await tenant.owner.post('/api/v1/checkout/evaluate').send({ storeId: closing.id, memberId: member.id, items: body.items }));
    expectStoreInactive(await tenant.owner.post(`/api/v1/members/${member.id}/presence-codes`).send({ storeId: closing.id }));
    expect((await tenant.owner.get('/api/v1/outbox')).body.items).toEqual([]);
    expect((await tenant.owner.post('/api/v1/scan').send({ code, storeId: staying.id })).status).toBe(200);

    const refunded = await refund(tenant, old.id);
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(201);
    expect((await tenant.owner.get(`/api/v1/transactions/${old.id}`)).body.storeId).toBe(closing.id);
  });

  it('stops staff and API keys bound to it, and takes no new binding', async () => {
    const { tenant, closing } = await tenantWithTwoStores();
    const member = await newMember(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', closing.id);
    const posKey = await newApiKey(tenant, ['pos'], closing.id);
    expect((await setActive(tenant, closing.id, false)).status).toBe(200);

    expectStoreInactive(await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', key()).send(saleBody({ memberId: member.id })));
    const code = await cardCodeOf(app, tenant, member.id);
    expectStoreInactive(await app.http.post('/api/v1/scan').set('Authorization', `Bearer ${posKey}`).send({ code }));

    const binding = await tenant.owner.post('/api/v1/api-keys').send({ name: 'till', scopes: ['pos'], storeId: closing.id });
    expectStoreInactive(binding);
  });
});
