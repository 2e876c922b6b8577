import type { z } from 'zod';
import type { MemberView } from '../members/members.mapper.ts';
import type { RewardRedemptionView } from '../rewards/rewards.mapper.ts';
import type { TransactionSchema } from '../transactions/transactions.mapper.ts';
import type { VoucherRedemptionSchema } from '../vouchers/vouchers.mapper.ts';

// The `data` of each event, picked field by field from the API's views so that a change to an API
// shape does not change what receivers get unannounced. Documented in docs/webhooks.md.

type Tier = { code: string; name: string };

export const memberCreatedData = (member: MemberView) => ({
  member: {
    id: member.id, name: member.name, phone: member.phone, email: member.email, tier: member.tier, source: member.source,
    sourceTag: member.sourceTag, phoneVerified: member.phoneVerified, marketingOptIn: member.marketingOptIn, createdAt: member.createdAt,
  },
});

export const tierChangedData = (memberId: string, from: Tier | null, to: Tier, reason: 'qualified' | 'review') => ({
  memberId, from: from && { code: from.code, name: from.name }, to: { code: to.code, name: to.name }, reason,
});

export const transactionPostedData = (sale: z.infer<typeof TransactionSchema>) => ({
  transaction: {
    id: sale.id, receiptNo: sale.receiptNo, storeId: sale.storeId, memberId: sale.memberId, channel: sale.channel, occurredAt: sale.occurredAt,
    subtotal: sale.subtotal, discount: sale.discount, total: sale.total, pointsEarned: sale.pointsEarned, pointsRedeemed: sale.pointsRedeemed,
    lines: sale.lines.map((l) => ({ sku: l.sku, name: l.name, category: l.category, quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount, discount: l.discount })),
  },
});

export const transactionRefundedData = (
  sale: { id: string; receipt_no: string; member_id: string | null },
  refund: { id: string; amount: number; pointsReversed: number; pointsReturned: number },
) => ({
  transactionId: sale.id, receiptNo: sale.receipt_no, memberId: sale.member_id,
  refund: { id: refund.id, amount: refund.amount, pointsReversed: refund.pointsReversed, pointsReturned: refund.pointsReturned },
});

export const pointsExpiredData = (memberId: string, points: number, balance: number, expiredAt: Date) => ({
  memberId, points, balance, expiredAt: expiredAt.toISOString(),
});

export const voucherRedeemedData = (redemption: z.infer<typeof VoucherRedemptionSchema>) => ({
  redemption: {
    id: redemption.id, voucherId: redemption.voucherId, code: redemption.code, memberId: redemption.member?.id ?? null,
    transactionId: redemption.transactionId, amount: redemption.amount, createdAt: redemption.createdAt,
  },
});

export const rewardRedeemedData = (redemption: RewardRedemptionView) => ({
  redemption: {
    id: redemption.id, reward: redemption.reward, memberId: redemption.memberId, fulfilment: redemption.fulfilment,
    pointsSpent: redemption.pointsSpent, storeId: redemption.storeId, createdAt: redemption.createdAt,
  },
});
