import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey, newMember, newStaff, newStore, newTenant, PASSWORD, saleBody } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const unique = () => randomUUID().slice(0, 8);
const signupBody = (overrides: Record<string, unknown> = {}) => {
  const id = unique();
  return { retailerName: `Toko ${id}`, email: `owner-${id}@test.kartu`, password: PASSWORD, slug: `t-${id}`, ...overrides };
};

/** The Set-Cookie line for a cookie, and its value. */
function setCookie(res: { headers: Record<string, unknown> }, name: string) {
  const lines = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const line = lines.find((l) => l.startsWith(`${name}=`));
  return { line, value: line?.slice(name.length + 1).split(';')[0] };
}

async function staffRows(tenantId: string) {
  return app.deps.db.selectFrom('staff').select(['email', 'role']).where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

describe('sign-up', () => {
  it('creates the retailer and signs the owner in with an httpOnly session cookie', async () => {
    const owner = app.agent();
    const body = signupBody();
    const res = await owner.post('/api/v1/signup').send(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ tenantId: expect.any(String), slug: body.slug, ownerId: expect.any(String) });
    const cookie = setCookie(res, 'kartu_session');
    expect(cookie.line).toMatch(/;\s*httponly/i);
    expect(cookie.line).toMatch(/;\s*samesite=lax/i);
    expect(cookie.line).toMatch(/;\s*path=\//i);

    const me = await owner.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.staff).toEqual({ id: res.body.ownerId, name: body.retailerName, role: 'owner', tenantId: res.body.tenantId, email: body.email, storeId: null, mustChangePassword: false });
    expect(me.body.tenant).toMatchObject({ id: res.body.tenantId, slug: body.slug, name: body.retailerName, currency: 'IDR', timeZone: 'Asia/Jakarta', locale: 'id', demo: false });
  });

  it('refuses a slug that is taken with 409 on body.slug, and creates nothing', async () => {
    const first = await newTenant(app);
    const again = signupBody({ slug: first.slug });
    const res = await app.http.post('/api/v1/signup').send(again);
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('slug_taken');
    expect(res.body.errors).toEqual([{ path: 'body.slug', message: 'Taken' }]);
    expect(setCookie(res, 'kartu_session').line).toBeUndefined();
    expect((await app.http.post('/api/v1/auth/login').send({ email: again.email, password: PASSWORD })).status).toBe(401);
  });

  it('refuses an email that already has an account, in any letter case, with 409 on body.email', async () => {
    const first = await newTenant(app);
    for (const email of [first.ownerEmail, first.ownerEmail.toUpperCase()]) {
      const attempt = signupBody({ email });
      const res = await app.http.post('/api/v1/signup').send(attempt);
      expect(res.status, email).toBe(409);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.code).toBe('email_taken');
      expect(res.body.errors).toEqual([{ path: 'body.email', message: 'Taken' }]);
      expect((await app.http.get(`/api/v1/public/tenants/${attempt.slug}`)).status).toBe(404);
    }
  });

  it('names each bad field', async () => {
    const res = await app.http.post('/api/v1/signup').send(signupBody({ email: 'nope', password: 'short', slug: 'Bad Slug' }));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.email', 'body.password', 'body.slug']);
  });

  it('is closed with 403 signup_closed on a production server that has a retailer', async () => {
    const closed = await createTestApp({ KARTU_SIGNUP: 'off', KARTU_DEMO: 'off' });
    try {
      // Open while the server has no retailer yet (a fresh PGlite); the shared Postgres already has some.
      const anyTenant = await closed.deps.db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
      if (!anyTenant) expect((await closed.http.post('/api/v1/signup').send(signupBody())).status).toBe(201);

      const attempt = signupBody();
      const res = await closed.http.post('/api/v1/signup').send(attempt);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.code).toBe('signup_closed');
      expect(setCookie(res, 'kartu_session').line).toBeUndefined();
      expect(await closed.deps.db.selectFrom('tenants').select('id').where('slug', '=', attempt.slug).executeTakeFirst()).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});

describe('sign-in', () => {
  it('signs staff in by email (any case) and returns who they are', async () => {
    const tenant = await newTenant(app);
    const agent = app.agent();
    const res = await agent.post('/api/v1/auth/login').send({ email: tenant.ownerEmail.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ staff: { id: tenant.ownerId, name: expect.any(String), role: 'owner', tenantId: tenant.id } });
    expect(setCookie(res, 'kartu_session').line).toMatch(/;\s*httponly/i);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('answers a wrong password and an unknown email alike: 401 with the same body, and no cookie', async () => {
    const tenant = await newTenant(app);
    const wrongPassword = await app.http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: 'not the password' });
    const unknownEmail = await app.http.post('/api/v1/auth/login').send({ email: `nobody-${unique()}@test.kartu`, password: PASSWORD });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.headers['content-type']).toContain(PROBLEM);
    expect(wrongPassword.body.code).toBe('unauthenticated');
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(setCookie(wrongPassword, 'kartu_session').line).toBeUndefined();
    expect(setCookie(unknownEmail, 'kartu_session').line).toBeUndefined();
  });

  it('locks an email out after 10 failed sign-ins: 429 with Retry-After, even for the right password', async () => {
    const tenant = await newTenant(app);
    for (let i = 0; i < 10; i++) {
      expect((await app.http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: `wrong ${i}` })).status).toBe(401);
    }
    const locked = await app.http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers['content-type']).toContain(PROBLEM);
    expect(locked.body.code).toBe('rate_limited');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(setCookie(locked, 'kartu_session').line).toBeUndefined();
    // The owner's existing session is unaffected.
    expect((await tenant.owner.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('logs out with 204, after which the session cookie no longer works', async () => {
    const tenant = await newTenant(app);
    const agent = app.agent();
    const login = await agent.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD });
    const token = setCookie(login, 'kartu_session').value!;
    expect((await app.http.get('/api/v1/auth/me').set('Cookie', `kartu_session=${token}`)).status).toBe(200);

    const out = await agent.post('/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(401);
    const replayed = await app.http.get('/api/v1/auth/me').set('Cookie', `kartu_session=${token}`);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('unauthenticated');
    // Another session of the same owner is untouched.
    expect((await tenant.owner.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('a staff session stops working once its staff member is inactive, and is no member session', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const login = await app.agent().post('/api/v1/auth/login').send({ email: cashier.email, password: PASSWORD });
    const token = setCookie(login, 'kartu_session').value!;
    expect((await app.http.get('/api/v1/auth/me').set('Cookie', `kartu_session=${token}`)).status).toBe(200);
    expect((await app.http.get('/api/v1/me').set('Cookie', `kartu_member=${token}`)).status).toBe(401);

    // Not through the API, which ends the sessions as well: the session alone must not be enough.
    await app.deps.db.updateTable('staff').set({ active: false }).where('tenant_id', '=', tenant.id).where('id', '=', cashier.id).execute();
    const inactive = await app.http.get('/api/v1/auth/me').set('Cookie', `kartu_session=${token}`);
    expect(inactive.status).toBe(401);
    expect(inactive.body.code).toBe('unauthenticated');
  });

  it('answers 401 without credentials, or with a forged session cookie', async () => {
    const tenant = await newTenant(app);
    for (const req of [
      app.http.get('/api/v1/members'),
      app.http.get('/api/v1/auth/me'),
      app.http.post('/api/v1/members').send({ name: 'Ani', phone: '081234567890' }),
      app.http.get('/api/v1/auth/me').set('Cookie', 'kartu_session=garbage'),
      app.http.get('/api/v1/auth/me').set('Cookie', `kartu_session=ks_${tenant.id}_${randomUUID()}_secret`),
    ]) {
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.code).toBe('unauthenticated');
    }
    expect((await tenant.owner.get('/api/v1/members')).body.items).toEqual([]);
  });
});

describe('roles', () => {
  it('a cashier may not add staff or create API keys (403), and nothing is added', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const staff = await cashier.agent.post('/api/v1/staff').send({ email: `x-${unique()}@test.kartu`, name: 'X', role: 'admin', password: PASSWORD });
    expect(staff.status).toBe(403);
    expect(staff.headers['content-type']).toContain(PROBLEM);
    expect(staff.body.code).toBe('forbidden');
    const key = await cashier.agent.post('/api/v1/api-keys').send({ name: 'till', scopes: ['admin'] });
    expect(key.status).toBe(403);
    expect(key.body.code).toBe('forbidden');

    expect((await staffRows(tenant.id)).map((s) => s.role)).toEqual(['owner', 'cashier']);
    expect(await app.deps.db.selectFrom('api_keys').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
  });

  it('an admin may add staff but not another owner', async () => {
    const tenant = await newTenant(app);
    const admin = await newStaff(app, tenant, 'admin');
    const cashier = await admin.agent.post('/api/v1/staff').send({ email: `c-${unique()}@test.kartu`, name: 'Kasir', role: 'cashier', password: PASSWORD });
    expect(cashier.status).toBe(201);
    const owner = await admin.agent.post('/api/v1/staff').send({ email: `o-${unique()}@test.kartu`, name: 'Owner 2', role: 'owner', password: PASSWORD });
    expect(owner.status).toBe(403);
    expect((await staffRows(tenant.id)).map((s) => s.role)).toEqual(['owner', 'admin', 'cashier']);
  });

  it('a marketer reads members but may not adjust points (403), and the balance stays', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const marketer = await newStaff(app, tenant, 'marketer');
    const list = await marketer.agent.get('/api/v1/members');
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { id: string }) => m.id)).toEqual([member.id]);
    expect((await marketer.agent.get(`/api/v1/members/${member.id}`)).status).toBe(200);

    const adjust = await marketer.agent.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 100, reason: 'goodwill' });
    expect(adjust.status).toBe(403);
    expect(adjust.body.code).toBe('forbidden');
    const points = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(points.body.balance).toBe(0);
    expect(points.body.entries.items).toEqual([]);
  });
});

describe('API keys', () => {
  it('a read key may read members but not post sales (403), and nothing is posted', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const key = await newApiKey(tenant, ['read']);
    const list = await app.http.get('/api/v1/members').set('Authorization', `Bearer ${key}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { id: string }) => m.id)).toEqual([member.id]);

    const sale = await app.http.post('/api/v1/transactions').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', 'read-1').send(saleBody({ memberId: member.id }));
    expect(sale.status).toBe(403);
    expect(sale.headers['content-type']).toContain(PROBLEM);
    expect(sale.body.code).toBe('forbidden');
    expect((await tenant.owner.get('/api/v1/transactions')).body.items).toEqual([]);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.points.balance).toBe(0);
  });

  it('a revoked key, a key with a wrong secret and a garbage bearer all get 401', async () => {
    const tenant = await newTenant(app);
    const key = await newApiKey(tenant, ['read']);
    expect((await app.http.get('/api/v1/members').set('Authorization', `Bearer ${key}`)).status).toBe(200);

    const wrongSecret = `${key.slice(0, key.lastIndexOf('_'))}_${'A'.repeat(43)}`;
    for (const bearer of [wrongSecret, 'garbage', `kk_${tenant.id}_${randomUUID()}_secret`]) {
      const res = await app.http.get('/api/v1/members').set('Authorization', `Bearer ${bearer}`);
      expect(res.status, bearer).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
    }

    const [, , keyId] = key.split('_');
    await app.deps.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('tenant_id', '=', tenant.id).where('id', '=', keyId).execute();
    const revoked = await app.http.get('/api/v1/members').set('Authorization', `Bearer ${key}`);
    expect(revoked.status).toBe(401);
    expect(revoked.headers['content-type']).toContain(PROBLEM);
    expect(revoked.body.code).toBe('unauthenticated');
  });
});

describe('staff', () => {
  it('keeps staff emails unique across retailers: 409 on body.email, and nobody is added', async () => {
    const first = await newTenant(app);
    const second = await newTenant(app);
    for (const email of [first.ownerEmail, first.ownerEmail.toUpperCase()]) {
      const res = await second.owner.post('/api/v1/staff').send({ email, name: 'Copycat', role: 'cashier', password: PASSWORD });
      expect(res.status, email).toBe(409);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.code).toBe('email_taken');
      expect(res.body.errors).toEqual([{ path: 'body.email', message: 'Taken' }]);
    }
    expect((await staffRows(second.id)).map((s) => s.role)).toEqual(['owner']);
    // The first owner still signs in to their own retailer.
    const login = await app.http.post('/api/v1/auth/login').send({ email: first.ownerEmail, password: PASSWORD });
    expect(login.body.staff.tenantId).toBe(first.id);
  });

  it('refuses a store of another retailer on body.storeId, and adds nobody', async () => {
    const tenant = await newTenant(app);
    const other = await newTenant(app);
    const foreignStore = await newStore(other);
    const res = await tenant.owner.post('/api/v1/staff').send({ email: `c-${unique()}@test.kartu`, name: 'Kasir', role: 'cashier', password: PASSWORD, storeId: foreignStore.id });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.storeId']);
    expect((await staffRows(tenant.id)).map((s) => s.role)).toEqual(['owner']);
  });

  it('writes an audit-log row when staff is created', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const email = `kasir-${unique()}@test.kartu`;
    const res = await tenant.owner.post('/api/v1/staff').send({ email, name: 'Kasir Satu', role: 'cashier', password: PASSWORD, storeId: store.id });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String), email, name: 'Kasir Satu', role: 'cashier', storeId: store.id, active: true, mustChangePassword: false, createdAt: expect.any(String),
    });
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('passwordHash');

    const rows = await app.deps.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'action', 'target_type', 'target_id', 'details'])
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'staff.created')
      .execute();
    expect(rows).toEqual([
      { actor_kind: 'staff', actor_id: tenant.ownerId, action: 'staff.created', target_type: 'staff', target_id: res.body.id, details: { email, name: 'Kasir Satu', role: 'cashier', storeId: store.id } },
    ]);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  });
});
