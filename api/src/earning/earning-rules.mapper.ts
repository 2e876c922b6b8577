import { z } from 'zod';
import type { EarningRule } from './earning-engine.ts';
import type { RuleRow } from './earning-rules.repository.ts';
import { RuleConditionsSchema, RuleEffectSchema } from './rule-schema.ts';

export const EarningRuleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(['active', 'paused']),
    priority: z.number().int(),
    exclusivityGroup: z.string().nullable(),
    conditions: RuleConditionsSchema,
    effect: RuleEffectSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'EarningRule' });

export const toRuleView = (row: RuleRow): z.infer<typeof EarningRuleSchema> => ({
  id: row.id,
  name: row.name,
  status: row.status,
  priority: row.priority,
  exclusivityGroup: row.exclusivity_group,
  conditions: row.conditions as z.infer<typeof RuleConditionsSchema>,
  effect: row.effect as z.infer<typeof RuleEffectSchema>,
  createdAt: row.created_at.toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** A stored rule as the engine reads it. */
export const toEngineRule = (row: RuleRow): EarningRule => ({
  id: row.id,
  name: row.name,
  priority: row.priority,
  exclusivityGroup: row.exclusivity_group,
  conditions: row.conditions as EarningRule['conditions'],
  effect: row.effect as EarningRule['effect'],
});
