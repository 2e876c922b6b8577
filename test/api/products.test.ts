import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey, newStaff, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

async function newProduct(tenant: Tenant, body: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/products').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; sku: string; name: string; category: string | null; unitPrice: number | null; active: boolean };
}

describe('products', () => {
  it('are upserted by SKU regardless of case, looked up by SKU, changed and audit-logged', async () => {
    const tenant = await newTenant(app);
    const created = await newProduct(tenant, { sku: 'KOPI-250', name: 'Kopi Gayo 250 g', category: 'coffee', unitPrice: rupiah(85_000) });
    expect(created).toMatchObject({ sku: 'KOPI-250', category: 'coffee', unitPrice: 8_500_000, active: true });

    const replaced = await tenant.owner.post('/api/v1/products').send({ sku: 'kopi-250', name: 'Kopi Gayo 250 gr' }).expect(200);
    expect(replaced.body).toMatchObject({ id: created.id, sku: 'kopi-250', name: 'Kopi Gayo 250 gr', category: null, unitPrice: null });

    const found = await tenant.owner.get('/api/v1/products/by-sku/KOPI-250').expect(200);
    expect(found.body.id).toBe(created.id);
    await tenant.owner.get('/api/v1/products/by-sku/NOPE').expect(404);

    const patched = await tenant.owner.patch(`/api/v1/products/${created.id}`).send({ unitPrice: rupiah(90_000), active: false }).expect(200);
    expect(patched.body).toMatchObject({ name: 'Kopi Gayo 250 gr', unitPrice: 9_000_000, active: false });

    await newProduct(tenant, { sku: 'TEH-1', name: 'Teh' });
    const taken = await tenant.owner.patch(`/api/v1/products/${created.id}`).send({ sku: 'teh-1' }).expect(409);
    expect(taken.body.errors).toEqual([{ path: 'body.sku', message: 'Taken' }]);

    const audit = (await tenant.owner.get('/api/v1/audit').query({ targetId: created.id }).expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(audit.sort()).toEqual(['product.created', 'product.updated', 'product.updated']);
  });

  it('are searched by SKU or name prefix and paged in name order', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.put('/api/v1/products').send({
      items: [
        { sku: 'B-100', name: 'Beras 5 kg', unitPrice: rupiah(70_000) },
        { sku: 'G-1', name: 'Gula 1 kg' },
        { sku: 'B-200', name: 'Minyak 1 l' },
        { sku: 'X_1', name: 'beras merah' },
        { sku: 'X1', name: 'Susu' },
      ],
    }).expect(200, { created: 5, updated: 0 });

    const search = async (query: Record<string, string | number>) => (await tenant.owner.get('/api/v1/products').query(query).expect(200)).body;
    expect((await search({ query: 'BeRaS' })).items.map((p: { sku: string }) => p.sku)).toEqual(['B-100', 'X_1']);
    expect((await search({ query: 'b-' })).items.map((p: { name: string }) => p.name)).toEqual(['Beras 5 kg', 'Minyak 1 l']);
    // LIKE wildcards in the query are literal characters.
    expect((await search({ query: 'x_' })).items.map((p: { sku: string }) => p.sku)).toEqual(['X_1']);

    const first = await search({ limit: 2 });
    expect(first.items.map((p: { name: string }) => p.name)).toEqual(['Beras 5 kg', 'beras merah']);
    const second = await search({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((p: { name: string }) => p.name)).toEqual(['Gula 1 kg', 'Minyak 1 l']);
    const third = await search({ limit: 2, cursor: second.nextCursor });
    expect(third).toMatchObject({ items: [{ name: 'Susu' }], nextCursor: null });
  });

  it('sync a POS catalogue in one transaction, naming the wrong item by index', async () => {
    const tenant = await newTenant(app);
    const pos = await newApiKey(tenant, ['pos']);
    const put = (items: unknown[]) => app.http.put('/api/v1/products').set('Authorization', `Bearer ${pos}`).send({ items });

    const many = Array.from({ length: 1000 }, (_, i) => ({ sku: `SKU-${i}`, name: `Item ${i}`, category: i % 2 ? 'snacks' : null, unitPrice: 100 * i }));
    expect((await put(many).expect(200)).body).toEqual({ created: 1000, updated: 0 });
    expect((await put([...many, { sku: 'ONE-MORE', name: 'x' }]).expect(400)).body.errors[0].path).toBe('body.items');

    const badPrice = await put([{ sku: 'SKU-1', name: 'Renamed' }, { sku: 'NEW', name: 'New', unitPrice: -1 }]).expect(400);
    expect(badPrice.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.items.1.unitPrice']);
    const duplicate = await put([{ sku: 'NEW', name: 'New' }, { sku: 'SKU-2', name: 'Two' }, { sku: 'new', name: 'Again' }]).expect(400);
    expect(duplicate.body.errors).toEqual([{ path: 'body.items.2.sku', message: 'Same SKU as item 0' }]);
    // Nothing of the refused syncs happened.
    await app.http.get('/api/v1/products/by-sku/NEW').set('Authorization', `Bearer ${pos}`).expect(404);
    expect((await app.http.get('/api/v1/products/by-sku/SKU-1').set('Authorization', `Bearer ${pos}`).expect(200)).body.name).toBe('Item 1');

    expect((await put([{ sku: 'sku-1', name: 'Renamed', active: false }, { sku: 'NEW', name: 'New' }]).expect(200)).body).toEqual({ created: 1, updated: 1 });
    expect((await app.http.get('/api/v1/products/by-sku/SKU-1').set('Authorization', `Bearer ${pos}`).expect(200)).body).toMatchObject({ name: 'Renamed', active: false, unitPrice: null });
    const audit = (await tenant.owner.get('/api/v1/audit').query({ action: 'products.synced' }).expect(200)).body.items;
    expect(audit.map((e: { details: unknown }) => e.details)).toEqual([{ created: 1, updated: 1 }, { created: 1000, updated: 0 }]);
  });

  it('refuse bad input naming the field, and let each role do only its part', async () => {
    const tenant = await newTenant(app);
    const bad = async (body: object, path: string) => {
      const res = await tenant.owner.post('/api/v1/products').send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad({ name: 'No SKU' }, 'body.sku');
    await bad({ sku: ' ', name: 'Blank SKU' }, 'body.sku');
    await bad({ sku: 'A', name: '' }, 'body.name');
    await bad({ sku: 'A', name: 'A', unitPrice: 1.5 }, 'body.unitPrice');
    await bad({ sku: 'x'.repeat(65), name: 'A' }, 'body.sku');
    await tenant.owner.patch('/api/v1/products/not-a-uuid').send({}).expect(400);

    const cashier = await newStaff(app, tenant, 'cashier');
    const marketer = await newStaff(app, tenant, 'marketer');
    const readKey = await newApiKey(tenant, ['read']);
    const posKey = await newApiKey(tenant, ['pos']);
    const product = (await marketer.agent.post('/api/v1/products').send({ sku: 'M-1', name: 'By marketer' }).expect(201)).body;
    await cashier.agent.get('/api/v1/products/by-sku/M-1').expect(200);
    await cashier.agent.get('/api/v1/products').query({ query: 'm' }).expect(200);
    await cashier.agent.post('/api/v1/products').send({ sku: 'C-1', name: 'x' }).expect(403);
    await cashier.agent.patch(`/api/v1/products/${product.id}`).send({ name: 'x' }).expect(403);
    await cashier.agent.put('/api/v1/products').send({ items: [{ sku: 'C-1', name: 'x' }] }).expect(403);
    await app.http.get('/api/v1/products').set('Authorization', `Bearer ${readKey}`).expect(200);
    await app.http.put('/api/v1/products').set('Authorization', `Bearer ${readKey}`).send({ items: [{ sku: 'C-1', name: 'x' }] }).expect(403);
    await app.http.post('/api/v1/products').set('Authorization', `Bearer ${posKey}`).send({ sku: 'C-1', name: 'x' }).expect(403);
    await app.http.get('/api/v1/products').expect(401);
  });

  it('belong to one retailer: another retailer’s products are not found and its SKUs are free', async () => {
    const mine = await newTenant(app);
    const theirs = await newTenant(app);
    const product = await newProduct(mine, { sku: 'SAME', name: 'Mine' });
    await theirs.owner.get('/api/v1/products/by-sku/SAME').expect(404);
    await theirs.owner.patch(`/api/v1/products/${product.id}`).send({ name: 'Stolen' }).expect(404);
    expect((await theirs.owner.get('/api/v1/products').expect(200)).body.items).toEqual([]);
    await newProduct(theirs, { sku: 'same', name: 'Theirs' });
    expect((await mine.owner.get('/api/v1/products/by-sku/SAME').expect(200)).body.name).toBe('Mine');
  });
});
