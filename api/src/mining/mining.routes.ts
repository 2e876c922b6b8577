import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { Instant } from '../http/schemas.ts';
import { SuggestionsSchema } from './mining.mapper.ts';
import { DEFAULTS, MINING_FORMULAS, offerSuggestions } from './mining.service.ts';

/**
 * A decimal query parameter. Documented by hand: the generator would call a coerced number that
 * accepts 0 nullable (null coerces to 0).
 */
const Decimal = (minimum: number, maximum: number, description: string) =>
  z.coerce.number().min(minimum, `Must be between ${minimum} and ${maximum}`).max(maximum, `Must be between ${minimum} and ${maximum}`).optional()
    .openapi({ type: 'number', minimum, maximum, description });
const Fraction = (what: string, fallback: number) => Decimal(0, 1, `${what}; default ${fallback}`);

const CROSS_SELL_ONLY = ['minSupport', 'minConfidence', 'minLift'] as const;

export const SuggestionsQuery = z
  .object({
    kind: z.enum(['cross_sell', 'up_sell'], 'Must be cross_sell or up_sell'),
    level: z.enum(['sku', 'category'], 'Must be sku or category').optional().meta({ description: 'Cross-sell: pairs of SKUs (default) or of categories' }),
    from: Instant.optional().meta({ description: 'Inclusive; default `to` − 90 days' }),
    to: Instant.optional().meta({ description: 'Exclusive; default now' }),
    storeId: z.uuid('Must be a store id').optional().meta({ description: 'Only this store’s sales' }),
    minSupport: Fraction('Cross-sell: least support', DEFAULTS.minSupport),
    minConfidence: Fraction('Cross-sell: least confidence', DEFAULTS.minConfidence),
    minLift: Decimal(0, 1000, `Cross-sell: least lift; default ${DEFAULTS.minLift}`),
    minShare: Fraction('Up-sell: least share of X’s buyers who traded up', DEFAULTS.minShare),
    minCount: z.coerce.number().int('Must be a whole number').min(1, 'At least 1').max(1e9, 'At most 1,000,000,000').optional()
      .meta({ description: `Cross-sell: least baskets with both; up-sell: least members who traded up. Default ${DEFAULTS.minCount}` }),
    limit: z.coerce.number().int('Must be a whole number').min(1, 'At least 1').max(200, 'At most 200').optional()
      .meta({ description: `Default ${DEFAULTS.limit}` }),
  })
  .superRefine((q, ctx) => {
    if (q.kind !== 'up_sell') {
      if (q.minShare !== undefined) ctx.addIssue({ code: 'custom', path: ['minShare'], message: 'Applies to kind=up_sell only' });
      return;
    }
    for (const field of CROSS_SELL_ONLY) {
      if (q[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'Applies to kind=cross_sell only' });
    }
    if (q.level === 'category') ctx.addIssue({ code: 'custom', path: ['level'], message: 'Up-sell is mined at SKU level only' });
  });

export function miningRoutes(routes: Routes) {
  // The literal path is registered before the offers' `/api/v1/offers/{id}` (app.ts lists this module
  // first), and an offer id is a UUID, which `suggestions` never is.
  routes.add({
    method: 'get',
    path: '/api/v1/offers/suggestions',
    summary: 'Cross-sell pairs and up-sell candidates mined from the tenant’s baskets, each with an offer draft',
    description: `Permission \`reports.read\` (owners, admins, marketers, \`read\` and \`admin\` API keys); it reads and changes nothing.\n${MINING_FORMULAS}`,
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    query: SuggestionsQuery,
    responses: { 200: { description: 'The suggestions', schema: SuggestionsSchema } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await offerSuggestions(db, principal, query) }),
  });
}
