import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey, newStaff, newStore, newTenant, PASSWORD, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const unique = () => randomUUID().slice(0, 8);

async function auditOf(tenant: Tenant, query: Record<string, string>) {
  const res = await tenant.owner.get('/api/v1/audit').query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { action: string; actor: { kind: string; id: string; name: string | null }; target: { id: string }; details: Record<string, unknown> }[];
}

async function invite(tenant: Tenant, body: Record<string, unknown> = {}) {
  const email = `staff-${unique()}@test.kartu`;
  const res = await tenant.owner.post('/api/v1/staff').send({ email, name: `Staf ${unique()}`, role: 'cashier', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...res.body, email } as { id: string; email: string; name: string; temporaryPassword?: string; mustChangePassword: boolean };
}

const login = (email: string, password: string) => {
  const agent = app.agent();
  return agent.post('/api/v1/auth/login').send({ email, password }).then((res) => ({ res, agent }));
};

describe('invitations and passwords', () => {
  it('invites with a temporary password shown once, which must be changed at the first sign-in', async () => {
    const tenant = await newTenant(app);
    const invited = await invite(tenant, { role: 'marketer' });
    expect(invited.temporaryPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(invited.mustChangePassword).toBe(true);

    const listed = await tenant.owner.get('/api/v1/staff').query({ query: invited.email });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).not.toHaveProperty('temporaryPassword');

    const { res, agent } = await login(invited.email, invited.temporaryPassword!);
    expect(res.status).toBe(200);
    expect((await agent.get('/api/v1/auth/me')).body.staff.mustChangePassword).toBe(true);

    const wrong = await agent.post('/api/v1/auth/password').send({ currentPassword: 'not-it-at-all', newPassword: 'my own password 1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].path).toBe('body.currentPassword');
    const short = await agent.post('/api/v1/auth/password').send({ currentPassword: invited.temporaryPassword, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.errors[0].path).toBe('body.newPassword');

    expect((await agent.post('/api/v1/auth/password').send({ currentPassword: invited.temporaryPassword, newPassword: 'my own password 1' })).status).toBe(204);
    expect((await agent.get('/api/v1/auth/me')).body.staff.mustChangePassword).toBe(false);
    expect((await login(invited.email, invited.temporaryPassword!)).res.status).toBe(401);
    expect((await login(invited.email, 'my own password 1')).res.status).toBe(200);

    const actions = (await auditOf(tenant, { targetId: invited.id })).map((e) => e.action);
    expect(actions).toEqual(['staff.password_changed', 'staff.invited']);
  });

  it('a staff member added with a password is not asked to change it', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/staff').send({ email: `s-${unique()}@test.kartu`, name: 'Budi', role: 'cashier', password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.mustChangePassword).toBe(false);
    expect(res.body).not.toHaveProperty('temporaryPassword');
  });

  it('resets a password: the old one and the sessions stop working, the temporary one must be changed', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.get('/api/v1/auth/me')).status).toBe(200);

    const reset = await tenant.owner.post(`/api/v1/staff/${cashier.id}/password-reset`);
    expect(reset.status).toBe(200);
    expect(reset.body.sessionsEnded).toBe(1);
    expect((await cashier.agent.get('/api/v1/auth/me')).status).toBe(401);
    expect((await login(cashier.email, PASSWORD)).res.status).toBe(401);
    const { res, agent } = await login(cashier.email, reset.body.temporaryPassword);
    expect(res.status).toBe(200);
    expect((await agent.get('/api/v1/auth/me')).body.staff.mustChangePassword).toBe(true);
    expect((await auditOf(tenant, { action: 'staff.password_reset' }))[0]).toMatchObject({ target: { id: cashier.id }, actor: { id: tenant.ownerId } });
  });

  it('nobody resets their own password this way', async () => {
    const tenant = await newTenant(app);
    expect((await tenant.owner.post(`/api/v1/staff/${tenant.ownerId}/password-reset`)).status).toBe(403);
  });
});

describe('changing staff', () => {
  it('changes name, role and store, audit-logged with before and after', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const cashier = await newStaff(app, tenant, 'cashier');
    const res = await tenant.owner.patch(`/api/v1/staff/${cashier.id}`).send({ name: 'Sari Kasir', role: 'marketer', storeId: store.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: cashier.id, name: 'Sari Kasir', role: 'marketer', storeId: store.id, active: true });
    expect((await cashier.agent.get('/api/v1/auth/me')).body.staff).toMatchObject({ role: 'marketer', storeId: store.id });

    const unbound = await tenant.owner.patch(`/api/v1/staff/${cashier.id}`).send({ storeId: null });
    expect(unbound.body.storeId).toBeNull();

    const [latest, first] = await auditOf(tenant, { targetId: cashier.id, action: 'staff.updated' });
    expect(first.details.changes).toEqual({ name: { from: expect.any(String), to: 'Sari Kasir' }, role: { from: 'cashier', to: 'marketer' }, storeId: { from: null, to: store.id } });
    expect(latest.details.changes).toEqual({ storeId: { from: store.id, to: null } });
  });

  it('refuses bad input with the field named and changes nothing', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const badRole = await tenant.owner.patch(`/api/v1/staff/${cashier.id}`).send({ role: 'boss' });
    expect(badRole.status).toBe(400);
    expect(badRole.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(badRole.body.errors[0].path).toBe('body.role');
    const unknownStore = await tenant.owner.patch(`/api/v1/staff/${cashier.id}`).send({ storeId: randomUUID(), name: 'Changed' });
    expect(unknownStore.status).toBe(400);
    expect(unknownStore.body.errors[0].path).toBe('body.storeId');
    const badId = await tenant.owner.patch('/api/v1/staff/not-a-uuid').send({ name: 'X' });
    expect(badId.status).toBe(400);
    const staff = await tenant.owner.get('/api/v1/staff').query({ query: cashier.email });
    expect(staff.body.items[0]).toMatchObject({ role: 'cashier', name: expect.not.stringMatching('Changed') });
  });

  it('deactivating ends the sessions at once and stops sign-in; reactivating lets them sign in again', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const second = await login(cashier.email, PASSWORD);
    const off = await tenant.owner.patch(`/api/v1/staff/${cashier.id}`).send({ active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await cashier.agent.get('/api/v1/auth/me')).status).toBe(401);
    expect((await second.agent.get('/api/v1/auth/me')).status).toBe(401);
    const sessions = await app.deps.db.selectFrom('sessions').select('id').where('tenant_id', '=', tenant.id).where('principal_id', '=', cashier.id).execute();
    expect(sessions).toHaveLength(0);
    expect((await login(cashier.email, PASSWORD)).res.status).toBe(401);
    expect((await auditOf(tenant, { action: 'staff.deactivated' }))[0]).toMatchObject({ target: { id: cashier.id }, details: { sessionsEnded: 2 } });

    const inactive = await tenant.owner.get('/api/v1/staff').query({ active: 'false' });
    expect(inactive.body.items.map((s: { id: string }) => s.id)).toEqual([cashier.id]);

    expect((await tenant.owner.patch(`/api/v1/staff/${cashier.id}`).send({ active: true })).body.active).toBe(true);
    expect((await login(cashier.email, PASSWORD)).res.status).toBe(200);
    expect(await auditOf(tenant, { action: 'staff.reactivated' })).toHaveLength(1);
  });

  it('nobody deactivates themselves', async () => {
    const tenant = await newTenant(app);
    const admin = await newStaff(app, tenant, 'admin');
    const res = await admin.agent.patch(`/api/v1/staff/${admin.id}`).send({ active: false });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('body.active');
    expect((await admin.agent.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('an admin cannot demote, deactivate, reset or sign out an owner, nor make one', async () => {
    const tenant = await newTenant(app);
    const admin = await newStaff(app, tenant, 'admin');
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await admin.agent.patch(`/api/v1/staff/${tenant.ownerId}`).send({ role: 'admin' })).status).toBe(403);
    expect((await admin.agent.patch(`/api/v1/staff/${tenant.ownerId}`).send({ active: false })).status).toBe(403);
    expect((await admin.agent.post(`/api/v1/staff/${tenant.ownerId}/password-reset`)).status).toBe(403);
    expect((await admin.agent.post(`/api/v1/staff/${tenant.ownerId}/sessions/end`)).status).toBe(403);
    expect((await admin.agent.patch(`/api/v1/staff/${cashier.id}`).send({ role: 'owner' })).status).toBe(403);
    expect((await tenant.owner.get('/api/v1/auth/me')).body.staff.role).toBe('owner');
    // An admin manages everyone else.
    expect((await admin.agent.patch(`/api/v1/staff/${cashier.id}`).send({ role: 'marketer' })).status).toBe(200);
  });

  it('the last active owner cannot be demoted or deactivated; with a second owner they can', async () => {
    const tenant = await newTenant(app);
    const demote = await tenant.owner.patch(`/api/v1/staff/${tenant.ownerId}`).send({ role: 'admin' });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('last_owner');

    const second = await invite(tenant, { role: 'owner' });
    // A deactivated owner does not count.
    expect((await tenant.owner.patch(`/api/v1/staff/${second.id}`).send({ active: false })).status).toBe(200);
    expect((await tenant.owner.patch(`/api/v1/staff/${tenant.ownerId}`).send({ role: 'admin' })).status).toBe(409);
    expect((await tenant.owner.patch(`/api/v1/staff/${second.id}`).send({ active: true })).status).toBe(200);

    const ok = await tenant.owner.patch(`/api/v1/staff/${tenant.ownerId}`).send({ role: 'admin' });
    expect(ok.status).toBe(200);
    expect(ok.body.role).toBe('admin');
    // Now the second is the last owner: the former owner, an admin, cannot touch them.
    expect((await tenant.owner.patch(`/api/v1/staff/${second.id}`).send({ active: false })).status).toBe(403);
    const relogged = await login(second.email, second.temporaryPassword!);
    expect(relogged.res.status).toBe(200);
    // A temporary password is replaced before anything else.
    expect((await relogged.agent.post('/api/v1/auth/password').send({ currentPassword: second.temporaryPassword, newPassword: 'second owner pw 1' })).status).toBe(204);
    expect((await relogged.agent.patch(`/api/v1/staff/${second.id}`).send({ role: 'admin' })).body.code).toBe('last_owner');
  });

  it('ends a staff member’s sessions without changing anything else', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const res = await tenant.owner.post(`/api/v1/staff/${cashier.id}/sessions/end`);
    expect(res.status).toBe(200);
    expect(res.body.sessionsEnded).toBe(1);
    expect((await cashier.agent.get('/api/v1/auth/me')).status).toBe(401);
    expect((await login(cashier.email, PASSWORD)).res.status).toBe(200);
    expect((await auditOf(tenant, { action: 'staff.sessions_ended' }))[0].target.id).toBe(cashier.id);
  });

  it('marketers and cashiers cannot manage staff', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await marketer.agent.patch(`/api/v1/staff/${cashier.id}`).send({ active: false })).status).toBe(403);
    expect((await cashier.agent.post(`/api/v1/staff/${marketer.id}/password-reset`)).status).toBe(403);
    expect((await marketer.agent.get('/api/v1/staff')).status).toBe(403);
  });
});

describe('the staff list', () => {
  it('searches name or email on the server and pages with a cursor', async () => {
    const tenant = await newTenant(app);
    const tag = unique();
    for (let i = 0; i < 5; i++) await invite(tenant, { name: `Kasir ${tag} ${i}` });
    await invite(tenant, { name: 'Someone Else', email: `x-${tag}@test.kartu` });
    await invite(tenant, { name: 'Not Matching' });

    const first = await tenant.owner.get('/api/v1/staff').query({ query: tag.toUpperCase(), limit: 4 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(4);
    expect(first.body.nextCursor).toBe(first.body.items[3].id);
    const second = await tenant.owner.get('/api/v1/staff').query({ query: tag, limit: 4, cursor: first.body.nextCursor });
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    const names = [...first.body.items, ...second.body.items].map((s: { name: string }) => s.name);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `Kasir ${tag} ${i}`).concat('Someone Else'));

    // LIKE wildcards are text, not patterns.
    expect((await tenant.owner.get('/api/v1/staff').query({ query: '%' })).body.items).toHaveLength(0);
    expect((await tenant.owner.get('/api/v1/staff').query({ limit: 0 })).status).toBe(400);
  });
});

describe('stores', () => {
  it('changes name, region and time zone; the code stays; audit-logged', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant, { region: 'Jawa' });
    const res = await tenant.owner.patch(`/api/v1/stores/${store.id}`).send({ name: 'Toko Makassar', region: 'Sulawesi', timeZone: 'Asia/Makassar', code: 'OTHER' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ id: store.id, code: store.code, name: 'Toko Makassar', region: 'Sulawesi', timeZone: 'Asia/Makassar', active: true });
    const cleared = await tenant.owner.patch(`/api/v1/stores/${store.id}`).send({ region: null });
    expect(cleared.body.region).toBeNull();
    const [latest, first] = await auditOf(tenant, { targetId: store.id, action: 'store.updated' });
    expect(first.details).toEqual({
      code: store.code,
      changes: { name: { from: 'Toko Cabang', to: 'Toko Makassar' }, region: { from: 'Jawa', to: 'Sulawesi' }, timeZone: { from: 'Asia/Jakarta', to: 'Asia/Makassar' } },
    });
    expect(latest.details.changes).toEqual({ region: { from: 'Sulawesi', to: null } });
  });

  it('refuses a bad time zone or empty name by field; cashiers and marketers cannot change stores', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const zone = await tenant.owner.patch(`/api/v1/stores/${store.id}`).send({ timeZone: 'Europe/Paris' });
    expect(zone.status).toBe(400);
    expect(zone.body.errors[0].path).toBe('body.timeZone');
    const name = await tenant.owner.patch(`/api/v1/stores/${store.id}`).send({ name: '  ' });
    expect(name.body.errors[0].path).toBe('body.name');
    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.patch(`/api/v1/stores/${store.id}`).send({ name: 'X' })).status).toBe(403);
    expect((await tenant.owner.get('/api/v1/stores')).body.items[0].name).toBe('Toko Cabang');
  });
});

describe('API keys', () => {
  it('lists keys without secrets, with last use, and a revoked key stops working at once', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const key = await newApiKey(tenant, ['read'], store.id);
    expect((await app.http.get('/api/v1/stores').set('Authorization', `Bearer ${key}`)).status).toBe(200);

    const list = await tenant.owner.get('/api/v1/api-keys');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const [listed] = list.body.items;
    expect(listed).toMatchObject({ scopes: ['read'], storeId: store.id, createdBy: tenant.ownerId, revokedAt: null, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(key.split('_').at(-1));

    const revoked = await tenant.owner.post(`/api/v1/api-keys/${listed.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await app.http.get('/api/v1/stores').set('Authorization', `Bearer ${key}`)).status).toBe(401);
    const again = await tenant.owner.post(`/api/v1/api-keys/${listed.id}/revoke`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    expect(await auditOf(tenant, { action: 'api_key.revoked' })).toHaveLength(1);
    expect((await tenant.owner.get('/api/v1/api-keys').query({ revoked: 'false' })).body.items).toHaveLength(0);
  });

  it('an admin key cannot list or revoke keys; a marketer neither', async () => {
    const tenant = await newTenant(app);
    const key = await newApiKey(tenant, ['admin']);
    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await app.http.get('/api/v1/api-keys').set('Authorization', `Bearer ${key}`)).status).toBe(403);
    expect((await marketer.agent.get('/api/v1/api-keys')).status).toBe(403);
  });
});

describe('the audit log', () => {
  it('filters by action, actor and dates, names the actor, and pages', async () => {
    const tenant = await newTenant(app);
    const admin = await newStaff(app, tenant, 'admin');
    await newStore(tenant);
    await admin.agent.post('/api/v1/stores').send({ code: `A${unique()}`, name: 'Toko Admin' });
    await admin.agent.post('/api/v1/stores').send({ code: `B${unique()}`, name: 'Toko Admin 2' });

    const byAdmin = await auditOf(tenant, { actorId: admin.id });
    expect(byAdmin.map((e) => e.action)).toEqual(['store.created', 'store.created']);
    expect(byAdmin[0].actor).toEqual({ kind: 'staff', id: admin.id, name: expect.stringMatching(/^admin /) });
    expect((await auditOf(tenant, { action: 'staff.created' })).map((e) => e.target.id)).toEqual([admin.id]);

    const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
    expect((await auditOf(tenant, { from: today, to: today })).length).toBeGreaterThanOrEqual(4);
    expect(await auditOf(tenant, { from: '2020-01-01', to: '2020-01-31' })).toHaveLength(0);
    const backwards = await tenant.owner.get('/api/v1/audit').query({ from: '2020-02-01', to: '2020-01-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].path).toBe('query.from');

    const first = await tenant.owner.get('/api/v1/audit').query({ limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const rest = await tenant.owner.get('/api/v1/audit').query({ limit: 2, cursor: first.body.nextCursor });
    expect(rest.body.items[0].id < first.body.items[1].id).toBe(true);
  });
});

describe('tenant isolation', () => {
  it('another tenant’s staff, store and key are 404, and nothing changes', async () => {
    const mine = await newTenant(app);
    const theirs = await newTenant(app);
    const theirCashier = await newStaff(app, theirs, 'cashier');
    const theirStore = await newStore(theirs);
    await newApiKey(theirs, ['read']);
    const theirKeyId = (await theirs.owner.get('/api/v1/api-keys')).body.items[0].id;

    expect((await mine.owner.patch(`/api/v1/staff/${theirCashier.id}`).send({ active: false })).status).toBe(404);
    expect((await mine.owner.post(`/api/v1/staff/${theirCashier.id}/password-reset`)).status).toBe(404);
    expect((await mine.owner.post(`/api/v1/staff/${theirCashier.id}/sessions/end`)).status).toBe(404);
    expect((await mine.owner.patch(`/api/v1/stores/${theirStore.id}`).send({ name: 'Mine' })).status).toBe(404);
    expect((await mine.owner.post(`/api/v1/api-keys/${theirKeyId}/revoke`)).status).toBe(404);
    expect((await mine.owner.patch(`/api/v1/staff/${mine.ownerId}`).send({ storeId: theirStore.id })).status).toBe(400);
    expect((await mine.owner.get('/api/v1/staff')).body.items.map((s: { id: string }) => s.id)).toEqual([mine.ownerId]);
    expect((await mine.owner.get('/api/v1/audit').query({ targetId: theirCashier.id })).body.items).toHaveLength(0);

    expect((await theirCashier.agent.get('/api/v1/auth/me')).status).toBe(200);
    expect((await theirs.owner.get('/api/v1/stores')).body.items[0].name).toBe('Toko Cabang');
    expect((await theirs.owner.get('/api/v1/api-keys')).body.items[0].revokedAt).toBeNull();
  });
});
