import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Minor, page } from '../http/schemas.ts';
import { ProductSchema, toProduct } from './products.mapper.ts';
import { listProducts, productBySku, syncProducts, updateProduct, upsertProduct } from './products.service.ts';

const Sku = z.string().trim().min(1).max(64);
const fields = {
  sku: Sku,
  name: z.string().trim().min(1).max(200),
  category: z.string().trim().max(100).nullable().optional(),
  unitPrice: Minor.nullable().optional().meta({ description: 'Minor units; omitted or null: typed at the till' }),
  active: z.boolean().optional(),
};
const ProductInput = z.object(fields);

export const MAX_SYNC_ITEMS = 1000;

export function productRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/products',
    summary: 'Search the product catalogue by SKU or name prefix',
    description: 'Case-insensitive prefix of the SKU or the name (an exact SKU is a prefix of itself); ordered by name.',
    tags: ['Products'],
    auth: { principals: ['staff', 'api_key'], permission: 'products.read' },
    query: CursorQuery.extend({
      query: z.string().trim().max(200).optional(),
      active: z.enum(['true', 'false']).optional().meta({ description: 'Only active (true) or deactivated (false) products' }),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    responses: { 200: { description: 'A page of products', schema: page(ProductSchema, 'ProductPage') } },
    handler: async ({ db, principal, query }) => {
      const active = query.active === undefined ? undefined : query.active === 'true';
      const result = await listProducts(db, principal, { query: query.query || undefined, active }, query.limit, query.cursor);
      return { status: 200, body: { items: result.items.map(toProduct), nextCursor: result.nextCursor } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/products/by-sku/{sku}',
    summary: 'Look a product up by its SKU (what a barcode scanner typed), regardless of case',
    tags: ['Products'],
    auth: { principals: ['staff', 'api_key'], permission: 'products.read' },
    params: z.object({ sku: Sku }),
    responses: { 200: { description: 'The product', schema: ProductSchema }, 404: { description: 'No product has this SKU' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: toProduct(await productBySku(db, principal, params.sku)) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/products',
    summary: 'Create a product, or replace the one with the same SKU',
    description: 'Matched by SKU regardless of case; every field is replaced by what is sent (`active` omitted: active). Audit-logged.',
    tags: ['Products'],
    auth: { principals: ['staff', 'api_key'], permission: 'products.manage' },
    idempotency: 'optional',
    body: ProductInput,
    responses: {
      201: { description: 'Created', schema: ProductSchema },
      200: { description: 'Replaced the product with this SKU', schema: ProductSchema },
    },
    handler: async ({ db, principal, body }) => {
      const { product, created } = await upsertProduct(db, principal, body);
      return { status: created ? 201 : 200, body: toProduct(product) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/products/{id}',
    summary: 'Change a product (a field left out stays; `active: false` deactivates it)',
    tags: ['Products'],
    auth: { principals: ['staff', 'api_key'], permission: 'products.manage' },
    params: IdParams,
    body: z.object({ ...fields, sku: Sku.optional(), name: fields.name.optional() }),
    responses: { 200: { description: 'Changed', schema: ProductSchema }, 409: { description: 'Another product has this SKU' } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: toProduct(await updateProduct(db, principal, params.id, body)) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/products',
    summary: `Sync a POS's catalogue: upsert up to ${MAX_SYNC_ITEMS} products by SKU at once`,
    description: 'One transaction: when any item is wrong nothing changes, and `errors` names it as `body.items.<index>.<field>`. Products not sent stay as they are (deactivate them with `active: false`). Audit-logged.',
    tags: ['Products'],
    auth: { principals: ['staff', 'api_key'], permission: 'products.sync' },
    body: z.object({ items: z.array(ProductInput).min(1).max(MAX_SYNC_ITEMS) }),
    responses: { 200: { description: 'Synced', schema: z.object({ created: z.number().int(), updated: z.number().int() }).meta({ id: 'ProductSync' }) } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await syncProducts(db, principal, body.items) }),
  });
}
