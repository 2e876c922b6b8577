import { z } from 'zod';
import type { DB } from '@kartu/db';
import type { Selectable } from 'kysely';
import { Balances, TierRef } from '../members/members.mapper.ts';

export const SaleLineSchema = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string().nullable(),
  category: z.string().nullable(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  amount: z.number().int(),
  discount: z.number().int().meta({ description: 'The line’s share of the sale’s goods discounts' }),
  points: z.number().int(),
  refundedQuantity: z.number().int(),
});

export const TransactionSchema = z
  .object({
    id: z.uuid(),
    receiptNo: z.string(),
    storeId: z.uuid().nullable(),
    memberId: z.uuid().nullable(),
    channel: z.enum(['store', 'online']),
    occurredAt: z.string(),
    status: z.enum(['posted', 'voided']),
    lines: z.array(SaleLineSchema),
    subtotal: z.number().int(),
    discount: z.number().int(),
    shipping: z.object({ fee: z.number().int(), discount: z.number().int() }),
    pointsValue: z.number().int(),
    total: z.number().int(),
    pointsEarned: z.number().int(),
    pointsRedeemed: z.number().int(),
    pointsReversed: z.number().int(),
    pointsReturned: z.number().int(),
    refundedAmount: z.number().int(),
  })
  .meta({ id: 'Transaction' });

export const BreakdownSchema = z
  .array(z.object({ ruleId: z.string().nullable(), rule: z.string(), points: z.number().int() }))
  .meta({ id: 'PointsBreakdown', description: 'Which rule gave how many points; a cap shows as a negative item' });

export const RejectedCodesSchema = z
  .array(z.object({ code: z.string(), reason: z.enum(['unknown', 'expired', 'not_started', 'min_spend', 'used_up', 'not_eligible', 'wrong_channel', 'wrong_store', 'not_combinable']) }))
  .meta({ id: 'RejectedVoucherCodes', description: 'Voucher codes refused, in the order given, each with its reason' });

export const PostedSaleSchema = TransactionSchema.extend({
  breakdown: BreakdownSchema,
  points: z.union([Balances, z.null()]),
  tier: z.union([TierRef, z.null()]),
  applied: z
    .array(z.object({ source: z.enum(['promotion', 'voucher', 'tier']), id: z.string(), code: z.string().optional(), name: z.string().optional(), effect: z.string(), amount: z.number().int() }))
    .meta({ description: 'The promotions and vouchers this sale got, as /checkout/evaluate reports them' }),
  rejected: RejectedCodesSchema.meta({ description: 'Codes refused and not used: only on a sale posted with `expectedTotal`, else empty' }),
}).meta({ id: 'PostedSale' });

type TransactionRow = Selectable<DB['transactions']>;
type LineRow = Selectable<DB['transaction_lines']>;

export function toTransactionView(row: TransactionRow, lines: LineRow[]): z.infer<typeof TransactionSchema> {
  return {
    id: row.id,
    receiptNo: row.receipt_no,
    storeId: row.store_id,
    memberId: row.member_id,
    channel: row.channel,
    occurredAt: new Date(row.occurred_at).toISOString(),
    status: row.status,
    lines: lines.map((line) => ({
      id: line.id, sku: line.sku, name: line.name, category: line.category, quantity: line.quantity,
      unitPrice: line.unit_price, amount: line.amount, discount: line.discount, points: line.points, refundedQuantity: line.refunded_quantity,
    })),
    subtotal: row.subtotal,
    discount: row.discount,
    shipping: { fee: row.shipping_fee, discount: row.shipping_discount },
    pointsValue: row.points_value,
    total: row.total,
    pointsEarned: row.points_earned,
    pointsRedeemed: row.points_redeemed,
    pointsReversed: row.points_reversed,
    pointsReturned: row.points_returned,
    refundedAmount: row.refunded_amount,
  };
}
