import { z } from 'zod';
import type { Promotion } from './promotion-engine.ts';
import { PromotionConditionsSchema, PromotionEffectSchema, type PromotionConditions, type PromotionEffect } from './promotion-schema.ts';
import type { PromotionRow } from './promotions.repository.ts';

export const PromotionSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(['active', 'paused', 'archived']),
    startsAt: z.string().meta({ description: 'Inclusive instant (UTC)' }),
    endsAt: z.string().meta({ description: 'Inclusive instant (UTC)' }),
    priority: z.number().int(),
    exclusivityGroup: z.string().nullable(),
    conditions: PromotionConditionsSchema,
    effect: PromotionEffectSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Promotion' });

export type PromotionView = z.infer<typeof PromotionSchema>;

export const toPromotionView = (row: PromotionRow): PromotionView => ({
  id: row.id,
  name: row.name,
  status: row.status,
  startsAt: row.starts_at.toISOString(),
  endsAt: row.ends_at.toISOString(),
  priority: row.priority,
  exclusivityGroup: row.exclusivity_group,
  conditions: row.conditions as PromotionConditions,
  effect: row.effect as PromotionEffect,
  createdAt: row.created_at.toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** A stored promotion as the checkout engine reads it. */
export const toEnginePromotion = (row: PromotionRow): Promotion => ({
  id: row.id,
  name: row.name,
  priority: row.priority,
  exclusivityGroup: row.exclusivity_group,
  startsAt: row.starts_at.toISOString(),
  endsAt: row.ends_at.toISOString(),
  conditions: row.conditions as PromotionConditions,
  effect: row.effect as PromotionEffect,
});

// What the API accepts is what the engine reads (a compile error here means they drifted apart).
const fitsEngine: [PromotionConditions, PromotionEffect] extends [Promotion['conditions'], Promotion['effect']] ? true : false = true;
void fitsEngine;
