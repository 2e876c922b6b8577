import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { IdParams, Instant } from '../http/schemas.ts';
import { CartSchema, EvaluationSchema } from '../checkout/checkout.schemas.ts';
import { evaluateCheckout } from '../checkout/checkout.service.ts';
import { EarningRuleSchema } from './earning-rules.mapper.ts';
import { createEarningRule, getEarningRule, listEarningRules, updateEarningRule } from './earning.service.ts';
import { RuleConditionsSchema, RuleEffectSchema } from './rule-schema.ts';

const RuleFields = z.object({
  name: z.string().trim().min(1).max(100),
  status: z.enum(['active', 'paused']).optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  exclusivityGroup: z.string().trim().min(1).max(50).nullable().optional()
    .meta({ description: 'Rules sharing a group do not stack: only the one giving the most points applies' }),
  conditions: RuleConditionsSchema.optional(),
  effect: RuleEffectSchema,
});

// Only one base rule and the strictest cap ever apply, so a group would mean nothing on them.
const groupless = (rule: { effect?: { type: string }; exclusivityGroup?: string | null }) =>
  !rule.exclusivityGroup || !rule.effect || (rule.effect.type !== 'base' && rule.effect.type !== 'cap');
const groupMessage = { message: 'Base and cap rules take no exclusivity group', path: ['exclusivityGroup'] };
const RuleBody = RuleFields.refine(groupless, groupMessage);

export function earningRuleRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/earning-rules',
    summary: 'The tenant’s earning rules, highest priority first',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Rules', schema: z.object({ items: z.array(EarningRuleSchema) }) } },
    handler: async ({ db, principal }) => ({ status: 200, body: { items: await listEarningRules(db, principal) } }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/earning-rules',
    summary: 'Create an earning rule (base rate, multiplier, bonus, first purchase, cap), audit-logged',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: RuleBody,
    responses: { 201: { description: 'Created', schema: EarningRuleSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createEarningRule(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/earning-rules/{id}',
    summary: 'One earning rule',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The rule', schema: EarningRuleSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getEarningRule(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/earning-rules/{id}',
    summary: 'Change, pause (status: paused) or resume a rule, audit-logged',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: RuleFields.partial().refine(groupless, groupMessage),
    responses: { 200: { description: 'Updated', schema: EarningRuleSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateEarningRule(db, principal, params.id, body) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/earning-rules/preview',
    summary: 'What a cart would earn under the active rules (nothing is posted)',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    body: CartSchema.extend({
      memberId: z.uuid().optional().meta({ description: 'Preview as this member (tier, first purchase, today’s points)' }),
      occurredAt: Instant.optional(),
    }),
    responses: { 200: { description: 'The evaluation', schema: EvaluationSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await evaluateCheckout(db, principal, body) }),
  });
}
