import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { settleReferrals } from '../../api/src/referrals/referrals.service.ts';
import { codeSentTo, newVerifiedMember, setReferralRules } from '../support/acquire.ts';
import { newMember, newPhone, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

/** Every sale of a member, page by page (a page holds 25). */
async function salesOf(tenant: Tenant, memberId: string) {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const res: { body: { items: unknown[]; nextCursor: string | null } } = await tenant.owner.get('/api/v1/transactions').query({ memberId, ...(cursor ? { cursor } : {}) }).expect(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

const sale = (memberId: string, i: number) => saleBody({ memberId, receiptNo: `R-${i}-${memberId.slice(-6)}`, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000) }] });

describe('merges under load', () => {
  it.each([1, 2, 3])('a merge amid sales of both members loses and doubles nothing (round %i)', async () => {
    const tenant = await newTenant(app);
    const survivor = await newMember(tenant);
    const duplicate = await newMember(tenant);
    await tenant.owner.post(`/api/v1/members/${duplicate.id}/points/adjustments`).send({ points: 500, reason: 'opening balance' }).expect(201);
    const calls = Array.from({ length: concurrent(24) }, (_, i) => {
      if (i === 8) return tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: duplicate.id });
      const memberId = i % 2 ? survivor.id : duplicate.id;
      return tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `s-${i}`).send(sale(memberId, i));
    });
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status).filter((s) => ![200, 201, 400, 409].includes(s))).toEqual([]);
    expect(results[8].status, JSON.stringify(results[8].body)).toBe(200);
    // Every posted sale earned its points exactly once, on whichever account now holds them.
    const posted = results.filter((r, i) => i !== 8 && r.status === 201);
    const earned = posted.reduce((sum, r) => sum + r.body.pointsEarned, 0);
    const member = await tenant.owner.get(`/api/v1/members/${survivor.id}`);
    expect(member.body.points.balance + member.body.points.pending).toBe(500 + earned);
    const refusedForMerge = results.filter((r) => r.status === 400);
    for (const r of refusedForMerge) expect(r.body.errors[0].path).toBe('body.memberId');
    expect(await salesOf(tenant, survivor.id)).toHaveLength(posted.length);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('two merges of one duplicate into two members: exactly one happens', async () => {
    const tenant = await newTenant(app);
    const [a, b, dup] = [await newMember(tenant), await newMember(tenant), await newMember(tenant)];
    await tenant.owner.post(`/api/v1/members/${dup.id}/points/adjustments`).send({ points: 70, reason: 'opening balance' }).expect(201);
    const results = await Promise.all(Array.from({ length: concurrent(4) }, (_, i) => (i % 2 ? b : a)).map((s) => tenant.owner.post(`/api/v1/members/${s.id}/merge`).send({ duplicateId: dup.id })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 400 && s !== 409)).toEqual([]);
    const balances = await Promise.all([a, b].map(async (m) => (await tenant.owner.get(`/api/v1/members/${m.id}`)).body.points.balance));
    expect(balances.sort()).toEqual([0, 70]);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });
});

describe('referrals under concurrency', () => {
  it('jobs settling at once respect the monthly cap and reward each side once', async () => {
    const tenant = await newTenant(app);
    await setReferralRules(tenant, { referrerPoints: 100, refereePoints: 50, minSpend: 0, monthlyCap: 2 });
    const referrer = await newMember(tenant);
    const code = (await tenant.owner.get(`/api/v1/members/${referrer.id}`)).body.referralCode;
    const friends = [];
    for (let i = 0; i < 6; i++) friends.push(await newVerifiedMember(app, tenant, { referralCode: code }));
    for (const [i, friend] of friends.entries()) await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `f-${i}`).send(sale(friend.id, i)).expect(201);
    await Promise.all(Array.from({ length: concurrent(4) }, () => settleReferrals(app.deps.db, app.deps.config.secretKey)));
    const list = (await tenant.owner.get('/api/v1/referrals')).body.items as { status: string; reason: string | null }[];
    expect(list.filter((r) => r.status === 'rewarded')).toHaveLength(2);
    expect(list.filter((r) => r.reason === 'referrer_monthly_cap')).toHaveLength(4);
    const bonus = await app.deps.db.selectFrom('point_entries').select('points').where('tenant_id', '=', tenant.id).where('kind', '=', 'bonus').execute();
    expect(bonus.reduce((sum, e) => sum + e.points, 0)).toBe(2 * 100 + 2 * 50);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('the same sign-up sent five times at once makes one member', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone, intent: 'sign_up' }).expect(202);
    const code = await codeSentTo(app, tenant.id, phone);
    const results = await Promise.all(Array.from({ length: concurrent(5) }, () => app.http.post('/api/v1/member-auth/signup').send({ slug: tenant.slug, phone, code, name: 'Dewi' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.map((r) => r.status).filter((s) => s !== 201 && s !== 401 && s !== 409)).toEqual([]);
    expect((await tenant.owner.get('/api/v1/members')).body.items).toHaveLength(1);
  });
});
