import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { cardCodeOf, newApiKey, newMember, newStaff, newStore, newTenant as makeTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';

// Every retailer this file makes, so the ledger check at the end covers exactly them (the shared
// Postgres also holds other files' retailers, some with a ledger broken on purpose).
const tenantsHere: string[] = [];
async function newTenant(on: TestApp) {
  const tenant = await makeTenant(on);
  tenantsHere.push(tenant.id);
  return tenant;
}

async function pointsOf(tenant: Tenant, memberId: string) {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/points`);
  expect(res.status).toBe(200);
  return res.body as { balance: number; pending: number; debt: number; expiring: unknown[]; entries: { items: { kind: string; points: number; balanceAfter: number }[]; nextCursor: string | null } };
}

async function auditOf(tenantId: string, action: string) {
  return app.deps.db
    .selectFrom('audit_log')
    .select(['actor_kind', 'actor_id', 'action', 'target_type', 'target_id', 'details'])
    .where('tenant_id', '=', tenantId)
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

async function memberWithPoints(tenant: Tenant, points: number) {
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points, reason: 'opening balance' }).expect(201);
  return member;
}

describe('POST /api/v1/members/{id}/points/adjustments', () => {
  it('adds and takes points with compensating adjust entries, and audit-logs each', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const up = await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 100, reason: 'welcome gift' });
    expect(up.status).toBe(201);
    expect(up.body).toEqual({ points: { balance: 100, pending: 0, debt: 0 } });
    const down = await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: -30, reason: 'double credit' });
    expect(down.status).toBe(201);
    expect(down.body).toEqual({ points: { balance: 70, pending: 0, debt: 0 } });

    const points = await pointsOf(tenant, member.id);
    expect(points.balance).toBe(70);
    expect(points.entries.items).toMatchObject([
      { kind: 'adjust', points: -30, balanceAfter: 70, note: 'double credit', reference: 'adjustment', transactionId: null },
      { kind: 'adjust', points: 100, balanceAfter: 100, note: 'welcome gift', reference: 'adjustment', transactionId: null },
    ]);
    expect(points.entries.nextCursor).toBeNull();
    expect(points.expiring).toEqual([]);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.points).toEqual({ balance: 70, pending: 0, debt: 0 });

    expect(await auditOf(tenant.id, 'points.adjusted')).toEqual([
      { actor_kind: 'staff', actor_id: tenant.ownerId, action: 'points.adjusted', target_type: 'member', target_id: member.id, details: { points: 100, reason: 'welcome gift' } },
      { actor_kind: 'staff', actor_id: tenant.ownerId, action: 'points.adjusted', target_type: 'member', target_id: member.id, details: { points: -30, reason: 'double credit' } },
    ]);
  });

  it('refuses to take more than the balance with 409 insufficient_points, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 50);
    const before = await pointsOf(tenant, member.id);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: -51, reason: 'too much' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('insufficient_points');
    expect(await pointsOf(tenant, member.id)).toEqual(before);
    expect(await auditOf(tenant.id, 'points.adjusted')).toHaveLength(1);
  });

  it.each([
    ['zero points', { points: 0, reason: 'nothing' }, 'body.points'],
    ['fractional points', { points: 1.5, reason: 'half' }, 'body.points'],
    ['points as text', { points: '10', reason: 'text' }, 'body.points'],
    ['no reason', { points: 10 }, 'body.reason'],
    ['a blank reason', { points: 10, reason: '  ' }, 'body.reason'],
  ])('refuses %s with 400 naming the field, and changes nothing', async (_what, body, path) => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect((await pointsOf(tenant, member.id)).entries.items).toEqual([]);
  });
});

describe('POST /api/v1/members/{id}/points/redemptions', () => {
  it('requires an Idempotency-Key, and changes nothing without one', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).send({ points: 10 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.errors).toEqual([{ path: 'headers.Idempotency-Key', message: 'Required' }]);
    const points = await pointsOf(tenant, member.id);
    expect(points.balance).toBe(100);
    expect(points.entries.items).toHaveLength(1);
  });

  it('refuses an Idempotency-Key longer than 255 characters with 400 naming the header, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'k'.repeat(256)).send({ points: 10 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['headers.Idempotency-Key']);
    expect((await pointsOf(tenant, member.id)).balance).toBe(100);
  });

  it('refuses more than the balance with 409, and leaves balance and entries as they were', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    const before = await pointsOf(tenant, member.id);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'too-much').send({ points: 101 });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('insufficient_points');
    expect(await pointsOf(tenant, member.id)).toEqual(before);
    expect(await auditOf(tenant.id, 'points.redeem.without_scan')).toEqual([]);
  });

  it('lets an owner spend without a scan, audit-logged as points.redeem.without_scan', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'owner-1').send({ points: 40, note: 'phone order' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ points: { balance: 60, pending: 0, debt: 0 } });

    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items[0]).toMatchObject({ kind: 'redeem', points: -40, balanceAfter: 60, note: 'phone order' });
    expect(await auditOf(tenant.id, 'points.redeem.without_scan')).toEqual([
      { actor_kind: 'staff', actor_id: tenant.ownerId, action: 'points.redeem.without_scan', target_type: 'member', target_id: member.id, details: { storeId: null } },
    ]);
  });

  it('replays a retry with the same key and spends once', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    const url = `/api/v1/members/${member.id}/points/redemptions`;
    const first = await tenant.owner.post(url).set('Idempotency-Key', 'once').send({ points: 25 });
    const again = await tenant.owner.post(url).set('Idempotency-Key', 'once').send({ points: 25 });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await pointsOf(tenant, member.id)).balance).toBe(75);
    const different = await tenant.owner.post(url).set('Idempotency-Key', 'once').send({ points: 26 });
    expect(different.status).toBe(422);
    expect((await pointsOf(tenant, member.id)).balance).toBe(75);
  });

  it('needs the member present for a cashier: 403 presence_required without a scan, 201 with a fresh one', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await memberWithPoints(tenant, 100);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const url = `/api/v1/members/${member.id}/points/redemptions`;

    const without = await cashier.agent.post(url).set('Idempotency-Key', 'c-1').send({ points: 10 });
    expect(without.status).toBe(403);
    expect(without.headers['content-type']).toContain(PROBLEM);
    expect(without.body.code).toBe('presence_required');
    expect(without.body.errors).toEqual([{ path: 'body.scanToken', message: 'Required' }]);
    expect((await pointsOf(tenant, member.id)).balance).toBe(100);

    const forged = await cashier.agent.post(url).set('Idempotency-Key', 'c-2').send({ points: 10, scanToken: `${member.id}.${store.id}.9999999999.AAAAAAAAAAAAAAAAAAAAAAAA` });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('presence_required');

    const other = await newMember(tenant);
    const otherScan = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, other.id) });
    const wrongMember = await cashier.agent.post(url).set('Idempotency-Key', 'c-3').send({ points: 10, scanToken: otherScan.body.scanToken });
    expect(wrongMember.status).toBe(403);
    expect((await pointsOf(tenant, member.id)).balance).toBe(100);

    const scan = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    expect(scan.status).toBe(200);
    const ok = await cashier.agent.post(url).set('Idempotency-Key', 'c-4').send({ points: 10, scanToken: scan.body.scanToken });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toEqual({ points: { balance: 90, pending: 0, debt: 0 } });
    expect(await auditOf(tenant.id, 'points.redeem.without_scan')).toEqual([]);
  });

  it('needs the member present for a POS key too', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await memberWithPoints(tenant, 100);
    const key = await newApiKey(tenant, ['pos'], store.id);
    const url = `/api/v1/members/${member.id}/points/redemptions`;
    const without = await app.http.post(url).set('Authorization', `Bearer ${key}`).set('Idempotency-Key', 'k-1').send({ points: 5 });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('presence_required');
    const scan = await app.http.post('/api/v1/scan').set('Authorization', `Bearer ${key}`).send({ code: await cardCodeOf(app, tenant, member.id) });
    const ok = await app.http.post(url).set('Authorization', `Bearer ${key}`).set('Idempotency-Key', 'k-2').send({ points: 5, scanToken: scan.body.scanToken });
    expect(ok.status).toBe(201);
    expect(ok.body.points.balance).toBe(95);
  });

  it('a typed card number identifies the member but cannot spend; the card’s QR can; an owner may, audit-logged', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await memberWithPoints(tenant, 100);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const url = `/api/v1/members/${member.id}/points/redemptions`;

    const typed = await cashier.agent.post('/api/v1/scan').send({ code: member.cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ') });
    expect(typed.status).toBe(200);
    expect(typed.body).toMatchObject({ member: { id: member.id }, canSpend: false, scanToken: expect.any(String) });
    const refused = await cashier.agent.post(url).set('Idempotency-Key', 't-1').send({ points: 10, scanToken: typed.body.scanToken });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'presence_required', presence: 'typed', errors: [{ path: 'body.scanToken', message: 'From a typed card number' }] });
    expect((await pointsOf(tenant, member.id)).balance).toBe(100);
    // The sale still earns with the typed number: only spending needs the card or the app.
    const sale = await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', 't-2').send({
      memberId: member.id, scanToken: typed.body.scanToken, receiptNo: `R-${randomUUID().slice(0, 8)}`, items: [{ sku: 'A', quantity: 1, unitPrice: 5_000_000 }],
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(sale.body.pointsEarned).toBeGreaterThan(0);

    const qr = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    expect(qr.body.canSpend).toBe(true);
    expect((await cashier.agent.post(url).set('Idempotency-Key', 't-3').send({ points: 10, scanToken: qr.body.scanToken })).status).toBe(201);

    const ownerScan = await tenant.owner.post('/api/v1/scan').send({ code: member.cardNumber, storeId: store.id });
    const byOwner = await tenant.owner.post(url).set('Idempotency-Key', 't-4').send({ points: 10, scanToken: ownerScan.body.scanToken, storeId: store.id });
    expect(byOwner.status, JSON.stringify(byOwner.body)).toBe(201);
    const audit = await auditOf(tenant.id, 'points.redeem.without_scan');
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toEqual({ storeId: store.id, typedNumber: true });
  });

  it('refuses zero, negative or fractional points with 400 on body.points', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    for (const points of [0, -5, 2.5]) {
      const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', `bad-${points}`).send({ points });
      expect(res.status, String(points)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.points']);
    }
    expect((await pointsOf(tenant, member.id)).balance).toBe(100);
  });
});

describe('GET /api/v1/members/{id}/points', () => {
  it('pages the entries newest first with nextCursor, each entry once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    for (let i = 0; i < 55; i++) {
      await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 1, reason: `visit ${i + 1}` }).expect(201);
    }
    const first = await pointsOf(tenant, member.id);
    expect(first.balance).toBe(55);
    expect(first.entries.items.map((e) => e.balanceAfter)).toEqual(Array.from({ length: 50 }, (_, i) => 55 - i));
    expect(first.entries.nextCursor).toBe((first.entries.items.at(-1) as unknown as { id: string }).id);

    const second = await tenant.owner.get(`/api/v1/members/${member.id}/points`).query({ cursor: first.entries.nextCursor });
    expect(second.status).toBe(200);
    expect(second.body.entries.items.map((e: { balanceAfter: number }) => e.balanceAfter)).toEqual([5, 4, 3, 2, 1]);
    expect(second.body.entries.nextCursor).toBeNull();
    expect(second.body.balance).toBe(55);
  });

  it('answers another retailer’s member with 404 exactly like a missing one, and nothing changes', async () => {
    const owner = await newTenant(app);
    const member = await memberWithPoints(owner, 100);
    const other = await newTenant(app);
    const missingId = randomUUID();

    const foreign = await other.owner.get(`/api/v1/members/${member.id}/points`);
    const missing = await other.owner.get(`/api/v1/members/${missingId}/points`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toContain(PROBLEM);
    expect(foreign.body).toEqual(missing.body);

    const adjust = await other.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: -100, reason: 'theft' });
    const adjustMissing = await other.owner.post(`/api/v1/members/${missingId}/points/adjustments`).send({ points: -100, reason: 'theft' });
    expect(adjust.status).toBe(404);
    expect(adjust.body).toEqual(adjustMissing.body);
    const redeem = await other.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'x').send({ points: 100 });
    const redeemMissing = await other.owner.post(`/api/v1/members/${missingId}/points/redemptions`).set('Idempotency-Key', 'y').send({ points: 100 });
    expect(redeem.status).toBe(404);
    expect(redeem.body).toEqual(redeemMissing.body);

    const points = await pointsOf(owner, member.id);
    expect(points.balance).toBe(100);
    expect(points.entries.items).toHaveLength(1);
  });
});

describe('the ledger', () => {
  it('keeps its invariants for every member of this file, after all of the above and a mixed sequence', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 500);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'm-1').send({ points: 120 }).expect(201);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: -80, reason: 'correction' }).expect(201);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 30, reason: 'goodwill' }).expect(201);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'm-2').send({ points: 330 }).expect(201);
    const points = await pointsOf(tenant, member.id);
    expect(points.balance).toBe(0);
    expect(points.entries.items.map((e) => e.balanceAfter)).toEqual([0, 330, 300, 380, 500]);

    let accountsChecked = 0;
    for (const tenantId of tenantsHere) {
      const { violations, accounts } = await verifyLedger(app.deps.db, { tenantId });
      expect(violations, tenantId).toEqual([]);
      accountsChecked += accounts;
    }
    expect(accountsChecked).toBeGreaterThan(10); // the check really ran over this file's accounts
  });
});
