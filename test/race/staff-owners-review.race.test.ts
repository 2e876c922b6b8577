import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newStaff, newTenant, PASSWORD } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp();
});
afterAll(() => app?.close());

type Answer = { status: number; body: { code?: string } };

describe('an owner demoted while acting as an owner', () => {
  it('cannot make or add an owner once the demotion commits', async () => {
    const tenant = await newTenant(app);
    const email = `owner2-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@test.kartu`;
    const second = await tenant.owner.post('/api/v1/staff').send({ email, name: 'Pemilik Dua', role: 'owner', password: PASSWORD });
    expect(second.status).toBe(201);
    const secondAgent = app.agent();
    expect((await secondAgent.post('/api/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
    const cashier = await newStaff(app, tenant, 'cashier');

    // The first owner demotes the second; while that is not yet committed, the second (whose
    // session still says owner) promotes a cashier and adds a new owner.
    let promote!: Promise<Answer>;
    let add!: Promise<Answer>;
    await app.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('staff').set({ role: 'admin' }).where('tenant_id', '=', tenant.id).where('id', '=', second.body.id).execute();
      promote = secondAgent.patch(`/api/v1/staff/${cashier.id}`).send({ role: 'owner' }).then((res) => res);
      add = secondAgent
        .post('/api/v1/staff')
        .send({ email: `owner3-${Date.now()}@test.kartu`, name: 'Pemilik Tiga', role: 'owner', password: PASSWORD })
        .then((res) => res);
      await sleep(600);
    });
    const [promoted, added] = await Promise.all([promote, add]);
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(403);
    expect(added.status, JSON.stringify(added.body)).toBe(403);
    const owners = await app.deps.db
      .selectFrom('staff').select('id').where('tenant_id', '=', tenant.id).where('role', '=', 'owner').execute();
    expect(owners.map((o) => o.id)).toEqual([tenant.ownerId]);
  });
});
