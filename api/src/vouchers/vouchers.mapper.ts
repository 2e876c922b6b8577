import { z } from 'zod';
import type { BatchRow, RedemptionRow, VoucherRow } from './vouchers.repository.ts';

const iso = (at: Date | null) => (at ? at.toISOString() : null);

export const VoucherKindSchema = z.enum(['amount', 'percent', 'free_shipping', 'free_item']);
export const ChannelSchema = z.enum(['store', 'online']);

const terms = {
  kind: VoucherKindSchema,
  value: z.number().int().nullable().meta({ description: 'amount: minor units off; percent: 1–100' }),
  maxDiscount: z.number().int().nullable().meta({ description: 'percent: the most taken off; free_shipping: the most of the fee waived' }),
  sku: z.string().nullable().meta({ description: 'free_item: the item given free' }),
  minSpend: z.number().int().meta({ description: 'Goods subtotal (minor units, shipping excluded) needed at checkout' }),
  startsAt: z.string().nullable(),
  expiresAt: z.string().nullable().meta({ description: 'Inclusive' }),
  channels: z.array(ChannelSchema).nullable().meta({ description: 'null: every channel' }),
  stores: z.array(z.uuid()).nullable().meta({ description: 'null: every store' }),
  perMemberLimit: z.number().int().nullable(),
  priority: z.number().int(),
  exclusivityGroup: z.string().nullable(),
};

export const VoucherBatchSchema = z
  .object({
    id: z.uuid(),
    name: z.string().nullable(),
    origin: z.enum(['batch', 'public', 'personal', 'reward', 'offer', 'automation']),
    ...terms,
    usesPerCode: z.number().int().nullable().meta({ description: 'Uses of each code (a public code: its total limit); null: unlimited' }),
    count: z.number().int().meta({ description: 'Codes in the batch' }),
    code: z.string().nullable().meta({ description: 'The public code (origin public)' }),
    memberId: z.uuid().nullable().meta({ description: 'The member personal codes belong to (origin personal)' }),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
  })
  .meta({ id: 'VoucherBatch' });

export const VoucherBatchDetailSchema = VoucherBatchSchema.extend({
  issued: z.number().int().meta({ description: 'Codes issued' }),
  used: z.number().int().meta({ description: 'Uses so far, over all codes (cancelled uses not counted)' }),
}).meta({ id: 'VoucherBatchDetail' });

export function toBatchView(row: BatchRow): z.infer<typeof VoucherBatchSchema> {
  return {
    id: row.id,
    name: row.name,
    origin: row.origin,
    kind: row.kind,
    value: row.value,
    maxDiscount: row.max_discount,
    sku: row.sku,
    minSpend: row.min_spend,
    startsAt: iso(row.starts_at),
    expiresAt: iso(row.expires_at),
    channels: row.channels as z.infer<typeof ChannelSchema>[] | null,
    stores: row.stores,
    perMemberLimit: row.per_member_limit,
    priority: row.priority,
    exclusivityGroup: row.exclusivity_group,
    usesPerCode: row.uses_per_code,
    count: row.count,
    code: row.public_code,
    memberId: row.member_id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

const MemberRef = z.object({ id: z.uuid(), name: z.string() }).nullable();

export const VoucherRedemptionSchema = z
  .object({
    id: z.uuid(),
    voucherId: z.uuid(),
    code: z.string(),
    member: MemberRef,
    transactionId: z.uuid().nullable(),
    amount: z.number().int().meta({ description: 'The discount given, in minor units, when the caller said' }),
    status: z.enum(['redeemed', 'cancelled']),
    actor: z.object({ kind: z.string(), id: z.string().nullable() }).meta({ description: 'Who redeemed it: a staff member, API key or member' }),
    createdAt: z.string(),
    cancelledAt: z.string().nullable(),
  })
  .meta({ id: 'VoucherRedemption' });

export function toRedemptionView(row: RedemptionRow): z.infer<typeof VoucherRedemptionSchema> {
  return {
    id: row.id,
    voucherId: row.voucher_id,
    code: row.code,
    member: row.member_id ? { id: row.member_id, name: row.member_name ?? '' } : null,
    transactionId: row.transaction_id,
    amount: row.amount,
    status: row.status,
    actor: { kind: row.actor_kind, id: row.actor_id },
    createdAt: row.created_at.toISOString(),
    cancelledAt: iso(row.cancelled_at),
  };
}

export const VoucherStatusSchema = z.enum(['active', 'used_up', 'expired', 'not_started', 'disabled', 'voided']);

export const VoucherLookupSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    status: VoucherStatusSchema.meta({ description: 'voided (its reward redemption was cancelled), then disabled, used_up, expired, not_started, else active' }),
    uses: z.number().int(),
    maxUses: z.number().int().nullable().meta({ description: 'null: unlimited' }),
    member: MemberRef.meta({ description: 'The member a personal code belongs to' }),
    batch: z.object({ id: z.uuid(), name: z.string().nullable(), origin: z.enum(['batch', 'public', 'personal', 'reward', 'offer', 'automation']), ...terms }),
    redemptions: z.array(VoucherRedemptionSchema).meta({ description: 'The latest 100, newest first' }),
  })
  .meta({ id: 'VoucherLookup' });

export type VoucherStatus = z.infer<typeof VoucherStatusSchema>;

export function toLookupView(
  row: VoucherRow,
  status: VoucherStatus,
  member: { id: string; name: string } | null,
  redemptions: RedemptionRow[],
): z.infer<typeof VoucherLookupSchema> {
  return {
    id: row.id,
    code: row.code,
    status,
    uses: row.uses,
    maxUses: row.max_uses,
    member,
    batch: {
      id: row.batch_id,
      name: row.batch_name,
      origin: row.origin,
      kind: row.kind,
      value: row.value,
      maxDiscount: row.max_discount,
      sku: row.sku,
      minSpend: row.min_spend,
      startsAt: iso(row.starts_at),
      expiresAt: iso(row.expires_at),
      channels: row.channels as z.infer<typeof ChannelSchema>[] | null,
      stores: row.stores,
      perMemberLimit: row.per_member_limit,
      priority: row.priority,
      exclusivityGroup: row.exclusivity_group,
    },
    redemptions: redemptions.map(toRedemptionView),
  };
}
