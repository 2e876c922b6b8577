import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { postSale, setPointsPolicy } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PATHS = ['acquisition', 'retention', 'rfm-grid', 'active-members', 'redemption', 'offers'];

describe('program reports: review', () => {
  it('answers a new retailer with zeros, and every odd but well-formed date with 200 or a 400 naming the field', async () => {
    const tenant = await newTenant(app);
    for (const path of PATHS) {
      const res = await tenant.owner.get(`/api/v1/reports/${path}`);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
    }
    const odd = [
      { from: '0000-01-01', to: '0000-12-31' }, { from: '0001-01-01', to: '0001-01-31' }, { from: '9999-12-01', to: '9999-12-31' },
      { from: '2024-02-29', to: '2024-02-29' }, { from: '2026-01-01', to: '2026-12-31', bucket: 'day' }, { from: '2026-12-31', to: '2026-01-01' },
    ];
    const wrong: string[] = [];
    for (const path of [...PATHS.map((p) => `reports/${p}`), 'feedback', 'feedback/response-times', 'feedback/satisfaction']) {
      for (const query of odd) {
        const res = await tenant.owner.get(`/api/v1/${path}`).query(query);
        if (res.status !== 200 && !(res.status === 400 && /query\.(from|to)/.test(JSON.stringify(res.body)))) wrong.push(`${path} ${JSON.stringify(query)} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a voided sale issues no points', async () => {
    const tenant = await newTenant(app);
    await setPointsPolicy(tenant, { returnWindowDays: 0 });
    const A = (await newStore(tenant, { code: 'A' })).id;
    const member = await newMember(tenant);
    const one = (amount: number) => [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(amount) }];
    const kept = await postSale(tenant, saleBody({ memberId: member.id, storeId: A, items: one(150_000) }));
    const voided = await postSale(tenant, saleBody({ memberId: member.id, storeId: A, items: one(250_000) }));
    expect(voided.pointsEarned).toBeGreaterThan(0);
    const res = await tenant.owner.post(`/api/v1/transactions/${voided.id}/void`).set('Idempotency-Key', randomUUID()).send({});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = await tenant.owner.get('/api/v1/reports/redemption');
    expect(report.status).toBe(200);
    expect(report.body.points).toMatchObject({ issued: kept.pointsEarned, redeemed: 0 });
  });
});
