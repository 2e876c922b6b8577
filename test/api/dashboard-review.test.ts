import { afterAll, beforeAll, expect, it } from 'vitest';
import { newApiKey, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('a key bound to a store reads its own store’s dashboard and gets 403 for another store (API.md)', async () => {
  const tenant = await newTenant(app);
  const A = (await newStore(tenant, { code: 'A' })).id;
  const B = (await newStore(tenant, { code: 'B' })).id;
  await postSale(tenant, saleBody({ storeId: A, items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(50_000) }] }));
  await postSale(tenant, saleBody({ storeId: B, items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(70_000) }] }));
  const key = await newApiKey(tenant, ['read'], A);
  const get = (query: Record<string, string>) => app.http.get('/api/v1/reports/dashboard').set('Authorization', `Bearer ${key}`).query(query);

  const other = await get({ storeId: B });
  expect(other.status).toBe(403);
  expect(other.type).toBe('application/problem+json');
  const own = await get({});
  expect(own.status).toBe(200);
  expect(own.body.storeId).toBe(A);
  expect(own.body.sales).toMatchObject({ sales: 1, revenue: rupiah(50_000) });
  expect((await get({ storeId: A })).body.sales.revenue).toBe(rupiah(50_000));
  // The owner, bound to no store, still sees the whole retailer.
  const all = await tenant.owner.get('/api/v1/reports/dashboard').expect(200);
  expect(all.body.sales).toMatchObject({ sales: 2, revenue: rupiah(120_000) });
});
