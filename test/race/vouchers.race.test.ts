import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newTenant, type Tenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();

async function batchCode(tenant: Tenant, body: Record<string, unknown>) {
  const created = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: 1_000_000, expiresAt: inDays(7), ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const csv = await tenant.owner.get(`/api/v1/vouchers/batches/${created.body.batchId}/codes.csv`);
  return csv.text.trimEnd().split('\r\n')[1].split(',')[0];
}

const redeem = (tenant: Tenant, code: string, key: string, body: Record<string, unknown> = {}) =>
  tenant.owner.post(`/api/v1/vouchers/${code}/redemptions`).set('Idempotency-Key', key).send(body);

async function usesOf(tenant: Tenant, code: string) {
  const voucher = await app.deps.db.selectFrom('vouchers').select(['id', 'uses']).where('tenant_id', '=', tenant.id).where('code', '=', code).executeTakeFirstOrThrow();
  const redemptions = await app.deps.db
    .selectFrom('voucher_redemptions').select(['member_id']).where('tenant_id', '=', tenant.id).where('voucher_id', '=', voucher.id).where('status', '=', 'redeemed').execute();
  return { uses: voucher.uses, redemptions };
}

const statusCounts = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

describe('concurrent voucher redemptions', () => {
  it('100 concurrent redemptions of a single-use code: exactly one succeeds', async () => {
    const tenant = await newTenant(app);
    const code = await batchCode(tenant, {});
    const results = await Promise.all(Array.from({ length: concurrent(100) }, (_, i) => redeem(tenant, code, `single-${i}`)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 1, 409: results.length - 1 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'voucher_used_up')).toBe(true);
    const { uses, redemptions } = await usesOf(tenant, code);
    expect(uses).toBe(1);
    expect(redemptions).toHaveLength(1);
  });

  it('a public code with a total limit of 10 under 100 concurrent members: exactly 10', async () => {
    const tenant = await newTenant(app);
    const code = await batchCode(tenant, { code: 'SERBU-10', usesPerCode: 10, perMemberLimit: 1 });
    const members = await Promise.all(Array.from({ length: concurrent(100) }, () => newMember(tenant)));
    const results = await Promise.all(members.map((m, i) => redeem(tenant, code, `public-${i}`, { memberId: m.id })));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 10, 409: members.length - 10 });
    const { uses, redemptions } = await usesOf(tenant, 'SERBU10');
    expect(uses).toBe(10);
    expect(new Set(redemptions.map((r) => r.member_id)).size).toBe(10);
  });

  it('a per-member limit of 1 under 20 concurrent attempts by one member: exactly one', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const code = await batchCode(tenant, { code: 'SATU-KALI', perMemberLimit: 1 });
    const results = await Promise.all(Array.from({ length: concurrent(20) }, (_, i) => redeem(tenant, code, `member-${i}`, { memberId: member.id })));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 1, 409: results.length - 1 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.reason === 'member_limit')).toBe(true);
    const { uses, redemptions } = await usesOf(tenant, 'SATUKALI');
    expect(uses).toBe(1);
    expect(redemptions).toHaveLength(1);
  });

  it('concurrent uses and cancellations keep uses equal to the live redemptions', async () => {
    const tenant = await newTenant(app);
    const code = await batchCode(tenant, { usesPerCode: 5 });
    const first = await Promise.all(Array.from({ length: 5 }, (_, i) => redeem(tenant, code, `fill-${i}`)));
    expect(first.every((r) => r.status === 201)).toBe(true);
    const mixed = await Promise.all([
      ...first.map((r) => tenant.owner.post(`/api/v1/vouchers/redemptions/${r.body.id}/cancel`)),
      ...first.map((r) => tenant.owner.post(`/api/v1/vouchers/redemptions/${r.body.id}/cancel`)),
      ...Array.from({ length: concurrent(10) }, (_, i) => redeem(tenant, code, `refill-${i}`)),
    ]);
    expect(mixed.slice(0, 10).every((r) => r.status === 200)).toBe(true);
    expect(mixed.slice(10).map((r) => r.status).filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const { uses, redemptions } = await usesOf(tenant, code);
    expect(uses).toBe(redemptions.length);
    expect(uses).toBe(mixed.slice(10).filter((r) => r.status === 201).length);
    expect(uses).toBeLessThanOrEqual(5);
  });
});
