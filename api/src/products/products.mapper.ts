import { z } from 'zod';
import type { ProductTable } from '@kartu/db';
import type { Selectable } from 'kysely';
import { Minor } from '../http/schemas.ts';

export const ProductSchema = z
  .object({
    id: z.uuid(),
    sku: z.string(),
    name: z.string(),
    category: z.string().nullable(),
    unitPrice: Minor.nullable().meta({ description: 'Minor units; null when the price is typed at the till' }),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });

export const toProduct = (p: Selectable<ProductTable>): z.infer<typeof ProductSchema> => ({
  id: p.id,
  sku: p.sku,
  name: p.name,
  category: p.category,
  unitPrice: p.unit_price,
  active: p.active,
  createdAt: p.created_at.toISOString(),
  updatedAt: p.updated_at.toISOString(),
});
