import { z } from 'zod';
import { Minor } from '../http/schemas.ts';
import { BreakdownSchema, RejectedCodesSchema } from '../transactions/transactions.mapper.ts';

export const CartItemSchema = z.object({
  sku: z.string().trim().min(1).max(64),
  name: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  quantity: z.number().int().positive().max(100_000),
  unitPrice: Minor,
});

export const CartSchema = z.object({
  storeId: z.uuid().optional(),
  channel: z.enum(['store', 'online']).default('store'),
  items: z.array(CartItemSchema).min(1).max(500),
  shipping: z.object({ fee: Minor, region: z.string().max(100).optional() }).optional(),
});

const PromotionName = z.string().optional().meta({ description: 'The promotion’s (or tier’s) name, for promotions' });

export const EvaluationSchema = z
  .object({
    subtotal: z.number().int(),
    discounts: z
      .array(z.object({ source: z.enum(['promotion', 'voucher']), id: z.string(), code: z.string().optional(), name: PromotionName, amount: z.number().int() }))
      .meta({ description: 'Goods discounts in the order they applied (their sum is `discount`)' }),
    discount: z.number().int().meta({ description: 'All goods discounts: subtotal − discount − pointsValue + shipping.fee − shipping.discount = total' }),
    shipping: z.object({ fee: z.number().int(), discount: z.number().int() }),
    pointsValue: z.number().int(),
    total: z.number().int(),
    pointsToEarn: z.number().int(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), amount: z.number().int(), discount: z.number().int(), points: z.number().int() })),
    breakdown: BreakdownSchema,
    applied: z
      .array(
        z.object({
          source: z.enum(['promotion', 'voucher', 'tier']),
          id: z.string(),
          code: z.string().optional(),
          name: PromotionName,
          effect: z.enum(['free_shipping', 'percent_off', 'amount_off', 'bonus_points', 'amount', 'percent', 'free_item']),
          amount: z.number().int().meta({ description: 'What it gives in minor units (0 for bonus points)' }),
        }),
      )
      .meta({ description: 'Promotions and vouchers that apply: goods discounts, then the shipping discount, then bonus points. A tier with free shipping shows as source `tier`.' }),
    rejected: RejectedCodesSchema,
  })
  .meta({ id: 'CheckoutEvaluation' });
