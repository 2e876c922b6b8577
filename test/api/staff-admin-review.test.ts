import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newStaff, newTenant, PASSWORD, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Review of staff administration (rstaff): temporary passwords enforced by the API, and a rate
// limit on changing one's own password.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const unique = () => randomUUID().slice(0, 8);

async function invite(tenant: Tenant, role: string) {
  const email = `inv-${unique()}@test.kartu`;
  const res = await tenant.owner.post('/api/v1/staff').send({ email, name: `Staf ${unique()}`, role });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, email, temporaryPassword: res.body.temporaryPassword as string };
}

async function login(email: string, password: string) {
  const agent = app.agent();
  const res = await agent.post('/api/v1/auth/login').send({ email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return agent;
}

function expectPasswordChangeRequired(res: { status: number; headers: Record<string, string>; body: { type?: string } }) {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body.type).toBe('https://kartu.dev/problems/password-change-required');
}

describe('a temporary password is enforced by the API', () => {
  it('an invited admin signed in with the temporary password may only read /auth/me, change the password and sign out', async () => {
    const tenant = await newTenant(app);
    const invited = await invite(tenant, 'admin');
    const agent = await login(invited.email, invited.temporaryPassword);

    expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
    expectPasswordChangeRequired(await agent.get('/api/v1/staff'));
    expectPasswordChangeRequired(await agent.get('/api/v1/members'));
    expectPasswordChangeRequired(await agent.post('/api/v1/api-keys').send({ name: 'sneaky', scopes: ['admin'] }));
    expectPasswordChangeRequired(await agent.post('/api/v1/staff').send({ email: `x-${unique()}@test.kartu`, name: 'X', role: 'admin', password: PASSWORD }));
    // Nothing was made.
    expect((await tenant.owner.get('/api/v1/api-keys')).body.items).toHaveLength(0);
    expect((await tenant.owner.get('/api/v1/staff')).body.items).toHaveLength(2);

    expect((await agent.post('/api/v1/auth/password').send({ currentPassword: invited.temporaryPassword, newPassword: 'my own password 1' })).status).toBe(204);
    expect((await agent.get('/api/v1/staff')).status).toBe(200);
    expect((await agent.get('/api/v1/members')).status).toBe(200);
  });

  it('after a reset the temporary session is refused too, and signing out works', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const reset = await tenant.owner.post(`/api/v1/staff/${cashier.id}/password-reset`);
    expect(reset.status).toBe(200);
    const agent = await login(cashier.email, reset.body.temporaryPassword);
    expectPasswordChangeRequired(await agent.get('/api/v1/stores'));
    expect((await agent.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(401);
  });
});

describe('changing one’s own password', () => {
  it('needs the current password and is rate-limited per staff member', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    for (let i = 0; i < 5; i++) {
      const wrong = await marketer.agent.post('/api/v1/auth/password').send({ currentPassword: `guess-${i}-wrong`, newPassword: 'a new password 1' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors[0].path).toBe('body.currentPassword');
    }
    // Even the right password is refused now, from another session of the same person too.
    const limited = await marketer.agent.post('/api/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: 'a new password 1' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    const other = await login(marketer.email, PASSWORD);
    expect((await other.post('/api/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: 'a new password 1' })).status).toBe(429);
    // The password did not change; another staff member is not limited.
    await login(marketer.email, PASSWORD);
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.post('/api/v1/auth/password').send({ currentPassword: PASSWORD, newPassword: 'a new password 1' })).status).toBe(204);
  });
});

describe('secrets shown once are not kept for idempotent replays', () => {
  it('an API key, an invitation and a reset sent with an Idempotency-Key leave no secret in the idempotency table', async () => {
    const tenant = await newTenant(app);
    const key = await tenant.owner.post('/api/v1/api-keys').set('Idempotency-Key', `k-${unique()}`).send({ name: 'POS', scopes: ['pos'] });
    expect(key.status).toBe(201);
    const invited = await tenant.owner
      .post('/api/v1/staff')
      .set('Idempotency-Key', `i-${unique()}`)
      .send({ email: `inv-${unique()}@test.kartu`, name: 'Sari', role: 'cashier' });
    expect(invited.status).toBe(201);
    const reset = await tenant.owner.post(`/api/v1/staff/${invited.body.id}/password-reset`).set('Idempotency-Key', `r-${unique()}`);
    expect(reset.status).toBe(200);

    const stored = await app.deps.db.selectFrom('idempotency_keys').select('response_body').where('tenant_id', '=', tenant.id).execute();
    const text = JSON.stringify(stored);
    expect(text).not.toContain(key.body.key.split('_').at(-1));
    expect(text).not.toContain(invited.body.temporaryPassword);
    expect(text).not.toContain(reset.body.temporaryPassword);
  });
});
