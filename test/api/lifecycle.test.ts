import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshStages } from '../../api/src/lifecycle/lifecycle.repository.ts';
import { refreshStagesIfDue } from '../../api/src/lifecycle/lifecycle.service.ts';
import { newMember, newTenant, saleBody, type Tenant } from '../support/factories.ts';
import { key, postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY = 86400e3;
const stageOf = async (tenant: Tenant, id: string) => (await tenant.owner.get(`/api/v1/members/${id}`)).body.lifecycleStage as string;
/** The scheduled job for this tenant alone, at a chosen clock (other tests' tenants are left alone). */
const clockAt = (tenant: Tenant, daysFromNow: number) => refreshStages(app.deps.db, new Date(Date.now() + daysFromNow * DAY), { tenantId: tenant.id });

async function tenantWithThresholds() {
  const tenant = await newTenant(app);
  const res = await tenant.owner.patch('/api/v1/settings/lifecycle').send({ newDays: 5, atRiskDays: 10, lapsedDays: 20 });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return tenant;
}

describe('lifecycle stages', () => {
  it('moves a member prospect → new on the first purchase, then with the clock to active, at risk and lapsed', async () => {
    const tenant = await tenantWithThresholds();
    const member = await newMember(tenant);
    expect(await stageOf(tenant, member.id)).toBe('prospect');
    await postSale(tenant, saleBody({ memberId: member.id }));
    expect(await stageOf(tenant, member.id)).toBe('new');

    expect(await clockAt(tenant, 4.9)).toBe(0);
    expect(await clockAt(tenant, 5.1)).toBe(1);
    expect(await stageOf(tenant, member.id)).toBe('active');
    await clockAt(tenant, 10.1);
    expect(await stageOf(tenant, member.id)).toBe('at_risk');
    await clockAt(tenant, 20.1);
    expect(await stageOf(tenant, member.id)).toBe('lapsed');
    expect(await clockAt(tenant, 25)).toBe(0);
  });

  it('the scheduled job moves a retailer’s members along by the clock at most once an hour', async () => {
    const tenant = await newTenant(app);
    // Thresholds beyond the clocks other files' housekeeping runs at (days ahead at most), which
    // would otherwise take this retailer's hour first.
    expect((await tenant.owner.patch('/api/v1/settings/lifecycle').send({ newDays: 1000, atRiskDays: 2000, lapsedDays: 3000 })).status).toBe(200);
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id }));
    const at = (minutesAfterNew: number) => new Date(Date.now() + 1000 * DAY + minutesAfterNew * 60e3);

    expect(await refreshStagesIfDue(app.deps.db, tenant.id, at(-30))).toBe(0);
    expect(await stageOf(tenant, member.id)).toBe('new');
    expect(await refreshStagesIfDue(app.deps.db, tenant.id, at(10))).toBe(0); // 40 minutes on
    expect(await stageOf(tenant, member.id)).toBe('new');
    expect(await refreshStagesIfDue(app.deps.db, tenant.id, at(31))).toBe(1); // an hour and a minute on
    expect(await stageOf(tenant, member.id)).toBe('active');
  });

  it('a purchase after a lapse wins the member back for newDays, and the history keeps every step', async () => {
    const tenant = await tenantWithThresholds();
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, occurredAt: new Date(Date.now() - 25 * DAY).toISOString() }));
    expect(await stageOf(tenant, member.id)).toBe('lapsed');
    await postSale(tenant, saleBody({ memberId: member.id }));
    expect(await stageOf(tenant, member.id)).toBe('won_back');
    await clockAt(tenant, 4);
    expect(await stageOf(tenant, member.id)).toBe('won_back');
    await clockAt(tenant, 6);
    expect(await stageOf(tenant, member.id)).toBe('active');

    const history = await tenant.owner.get(`/api/v1/members/${member.id}/stages`);
    expect(history.body.current).toBe('active');
    expect(history.body.items.map((h: { from: string | null; to: string }) => [h.from, h.to]).reverse()).toEqual([
      [null, 'prospect'], ['prospect', 'lapsed'], ['lapsed', 'won_back'], ['won_back', 'active'],
    ]);
  });

  it('a voided first sale makes the member a prospect again', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(await stageOf(tenant, member.id)).toBe('new');
    const voided = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key()).send({});
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(await stageOf(tenant, member.id)).toBe('prospect');
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body).toMatchObject({ firstPurchaseAt: null, lastPurchaseAt: null });
  });

  it('new thresholds apply to every member at once; at-risk must come before lapsed', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, occurredAt: new Date(Date.now() - 10 * DAY).toISOString() }));
    expect(await stageOf(tenant, member.id)).toBe('new');
    const bad = await tenant.owner.patch('/api/v1/settings/lifecycle').send({ atRiskDays: 200 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.atRiskDays');
    const saved = await tenant.owner.patch('/api/v1/settings/lifecycle').send({ newDays: 7, atRiskDays: 8, lapsedDays: 9 });
    expect(saved.body).toEqual({ newDays: 7, atRiskDays: 8, lapsedDays: 9, rfmWindowMonths: 12, clvHorizonMonths: 36 });
    expect(await stageOf(tenant, member.id)).toBe('lapsed');
    expect((await tenant.owner.patch('/api/v1/settings/lifecycle').send({ lapsedDays: 0 })).body.errors[0].path).toBe('body.lapsedDays');
  });
});
