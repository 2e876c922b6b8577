import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, PASSWORD } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp();
});
afterAll(() => app?.close());

describe('the last active owner under concurrent changes', () => {
  it('two owners demoting or deactivating each other at once leave exactly one active owner', async () => {
    for (const change of [{ role: 'admin' }, { active: false }]) {
      const tenant = await newTenant(app);
      const email = `owner2-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@test.kartu`;
      const second = await tenant.owner.post('/api/v1/staff').send({ email, name: 'Pemilik Dua', role: 'owner', password: PASSWORD });
      expect(second.status).toBe(201);
      const secondAgent = app.agent();
      expect((await secondAgent.post('/api/v1/auth/login').send({ email, password: PASSWORD })).status).toBe(200);

      const [one, two] = await Promise.all([
        tenant.owner.patch(`/api/v1/staff/${second.body.id}`).send(change),
        secondAgent.patch(`/api/v1/staff/${tenant.ownerId}`).send(change),
      ]);
      // One wins; the other is refused: the last owner (409), or, once the winner's change committed,
      // as no longer an owner (403) or no longer signed in (401, deactivated).
      const [won, lost] = [one, two].sort((a, b) => a.status - b.status);
      expect(won.status, JSON.stringify([one.body, two.body])).toBe(200);
      expect([401, 403, 409], JSON.stringify([one.body, two.body])).toContain(lost.status);
      if (lost.status === 409) expect(lost.body.code).toBe('last_owner');
      const owners = await app.deps.db
        .selectFrom('staff').select('id').where('tenant_id', '=', tenant.id).where('role', '=', 'owner').where('active', '=', true).execute();
      expect(owners).toHaveLength(1);
    }
  });
});
