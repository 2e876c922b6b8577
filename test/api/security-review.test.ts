import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeRfm } from '../../api/src/rfm/rfm.service.ts';
import { signedInMember } from '../support/cards.ts';
import { newApiKey, newMember, newStaff, newStore, newTenant, PASSWORD, rupiah, saleBody } from '../support/factories.ts';
import { postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

/** A session token with the right tenant and id but another secret: what someone who saw only the id could make. */
async function forgedTokenOf(tenantId: string, principalId: string) {
  const session = await app.deps.db.selectFrom('sessions').select('id').where('tenant_id', '=', tenantId).where('principal_id', '=', principalId)
    .orderBy('id', 'desc').executeTakeFirstOrThrow();
  return `ks_${tenantId}_${session.id}_${'x'.repeat(43)}`;
}

describe('sign-out ends only the session whose secret is presented', () => {
  it('staff: a token with the id and a wrong secret signs no one out', async () => {
    const tenant = await newTenant(app);
    const forged = await forgedTokenOf(tenant.id, tenant.ownerId);
    expect((await app.http.post('/api/v1/auth/logout').set('Cookie', `kartu_session=${forged}`)).status).toBe(204);
    expect((await tenant.owner.get('/api/v1/auth/me')).status).toBe(200);
    await tenant.owner.post('/api/v1/auth/logout').expect(204);
    expect((await tenant.owner.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('members: a token with the id and a wrong secret signs no one out', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const forged = await forgedTokenOf(tenant.id, member.id);
    expect((await app.http.post('/api/v1/member-auth/logout').set('Cookie', `kartu_member=${forged}`)).status).toBe(204);
    expect((await phoneApp.get('/api/v1/me')).status).toBe(200);
    await phoneApp.post('/api/v1/member-auth/logout').expect(204);
    expect((await phoneApp.get('/api/v1/me')).status).toBe(401);
  });

  it('a staff token presented to the member sign-out leaves the staff session alone', async () => {
    const tenant = await newTenant(app);
    const agent = app.agent();
    const login = await agent.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD }).expect(200);
    const token = (login.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('kartu_session='))!.split(';')[0].split('=')[1];
    await app.http.post('/api/v1/member-auth/logout').set('Cookie', `kartu_member=${token}`).expect(204);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
  });
});

describe('a store-bound caller’s reports are its store’s when it names none', () => {
  async function twoStores() {
    const tenant = await newTenant(app);
    const [a, b] = [await newStore(tenant), await newStore(tenant)];
    const readAtA = await newApiKey(tenant, ['read'], a.id);
    const get = (path: string) => app.http.get(path).set('Authorization', `Bearer ${readAtA}`);
    return { tenant, a, b, get };
  }

  it('the RFM grid', async () => {
    const { tenant, a, b, get } = await twoStores();
    for (const [store, amount] of [[a, 100_000], [b, 300_000]] as const) {
      const member = await newMember(tenant);
      await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, items: [{ sku: 'X', quantity: 1, unitPrice: rupiah(amount) }] }));
    }
    await recomputeRfm(app.deps.db, { kind: 'staff', tenantId: tenant.id, id: tenant.ownerId, role: 'owner', storeId: null, sessionId: 'setup' }, new Date());
    expect((await tenant.owner.get('/api/v1/reports/rfm-grid').expect(200)).body).toMatchObject({ storeId: null, customers: 2 });

    const bound = await get('/api/v1/reports/rfm-grid').expect(200);
    expect(bound.body).toMatchObject({ storeId: a.id, customers: 1, monetary: rupiah(100_000) });
    expect((await get(`/api/v1/reports/rfm-grid?storeId=${b.id}`)).status).toBe(403);
  });

  it('feedback satisfaction and response times', async () => {
    const { tenant, a, b, get } = await twoStores();
    const { phoneApp } = await signedInMember(app, tenant);
    for (const [store, rating] of [[a, 5], [b, 1], [b, 2]] as const) {
      await phoneApp.post('/api/v1/me/feedback').send({ kind: 'rating', rating, storeId: store.id }).expect(201);
    }
    const satisfaction = await get('/api/v1/feedback/satisfaction').expect(200);
    expect(satisfaction.body.total).toMatchObject({ count: 1, average: 5 });
    expect(satisfaction.body.byStore.map((s: { storeId: string }) => s.storeId)).toEqual([a.id]);
    const times = await get('/api/v1/feedback/response-times').expect(200);
    expect(times.body.expecting).toBe((await tenant.owner.get('/api/v1/feedback/response-times').query({ storeId: a.id }).expect(200)).body.expecting);
    expect((await get(`/api/v1/feedback/satisfaction?storeId=${b.id}`)).status).toBe(403);
  });
});

describe('a member’s usable personal voucher codes, in the member 360', () => {
  it('are masked for cashiers, marketers and read keys, and whole for owners, admins and admin keys', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const personal = await tenant.owner.post('/api/v1/vouchers/batches')
      .send({ count: 1, kind: 'amount', value: rupiah(10_000), memberId: member.id, expiresAt: new Date(Date.now() + 30 * 86400e3).toISOString() });
    expect(personal.status, JSON.stringify(personal.body)).toBe(201);
    const code = (await tenant.owner.get(`/api/v1/members/${member.id}/vouchers`).expect(200)).body.items[0].code as string;
    expect(code).toMatch(/^[A-Z0-9-]{6,}$/);
    const masked = `${'•'.repeat(code.length - 4)}${code.slice(-4)}`;

    const codeFor = async (req: ReturnType<TestApp['http']['get']>) => (await req.expect(200)).body.items[0].code;
    const path = `/api/v1/members/${member.id}/vouchers`;
    const byKey = async (scopes: string[]) => codeFor(app.http.get(path).set('Authorization', `Bearer ${await newApiKey(tenant, scopes)}`));
    expect(await codeFor((await newStaff(app, tenant, 'cashier')).agent.get(path))).toBe(masked);
    expect(await codeFor((await newStaff(app, tenant, 'marketer')).agent.get(path))).toBe(masked);
    expect(await byKey(['read'])).toBe(masked);
    expect(await byKey(['pos'])).toBe(masked);
    expect(await codeFor((await newStaff(app, tenant, 'admin')).agent.get(path))).toBe(code);
    expect(await byKey(['admin'])).toBe(code);
  });

  it('are whole once they can no longer be used', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await tenant.owner.post('/api/v1/vouchers/batches')
      .send({ count: 1, kind: 'amount', value: rupiah(10_000), memberId: member.id, expiresAt: new Date(Date.now() + 30 * 86400e3).toISOString() }).expect(201);
    const code = (await tenant.owner.get(`/api/v1/members/${member.id}/vouchers`).expect(200)).body.items[0].code as string;
    await postSale(tenant, saleBody({ memberId: member.id, voucherCodes: [code] }));
    const cashier = await newStaff(app, tenant, 'cashier');
    const item = (await cashier.agent.get(`/api/v1/members/${member.id}/vouchers`).expect(200)).body.items[0];
    expect(item).toMatchObject({ code, status: 'used_up' });
  });
});
