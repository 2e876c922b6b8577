import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race. A tier deletion locks all the
// tenant's tiers in id order, so a second deletion waits for the first and then sees its tier gone;
// a sale moving a member up shares the lock on the tier it picked, and keeps the member where they
// are if that tier went meanwhile.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp();
});
afterAll(() => app?.close());

/** Runs `change` in a transaction held open until the returned release is called. */
async function holdOpen(change: (trx: TestApp['deps']['db']) => Promise<unknown>) {
  let release!: () => void;
  let changed!: () => void;
  const ready = new Promise<void>((resolve) => (changed = resolve));
  const done = app.deps.db.transaction().execute(async (trx) => {
    await change(trx);
    changed();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await ready;
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await done;
  };
}

describe('a sale qualifying a member for a tier being deleted', () => {
  it('succeeds, leaving the member in their tier', async () => {
    const tenant = await newTenant(app);
    const created = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const member = await newMember(tenant);

    const commit = await holdOpen((trx) => trx.deleteFrom('tiers').where('tenant_id', '=', tenant.id).where('id', '=', created.body.id).execute());
    const sale = tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', randomUUID()).send(saleBody({ memberId: member.id })).then((res) => res);
    await commit();

    const res = await sale;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}/tier`)).body.current.code).toBe('member');
  });
});

describe('two deletions of the last two tiers', () => {
  it('leave one tier: the second waits for the first and refuses the last', async () => {
    const tenant = await newTenant(app);
    const entry = (await tenant.owner.get('/api/v1/tiers')).body.items[0];
    const created = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(1_000_000), earnMultiplier: 1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    // The first deletion, held open after deleting its tier (as the service would, row lock and all).
    const commit = await holdOpen((trx) => trx.deleteFrom('tiers').where('tenant_id', '=', tenant.id).where('id', '=', entry.id).execute());
    const racing = tenant.owner.delete(`/api/v1/tiers/${created.body.id}`).then((res) => res);
    await commit();

    const res = await racing;
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect((await tenant.owner.get('/api/v1/tiers')).body.items.map((t: { code: string }) => t.code)).toEqual(['gold']);
  });
});
