import { z } from 'zod';
import { page } from '../http/schemas.ts';
import { Balances } from '../members/members.mapper.ts';
import { ChannelSchema, VoucherKindSchema } from '../vouchers/vouchers.mapper.ts';
import { RewardVoucherSchema, type RewardVoucher } from './reward-schema.ts';
import type { RedemptionRow, RewardRow } from './rewards.repository.ts';

const iso = (at: Date | null) => (at ? new Date(at).toISOString() : null);

const ImageUrl = z.string().nullable().meta({
  description: 'The public image (`/api/v1/public/tenants/{slug}/rewards/{id}/image`, versioned so a new image is fetched at once); null without one',
});

const imageUrlOf = (row: Pick<RewardRow, 'id' | 'slug' | 'image_type' | 'image_updated_at'>) =>
  row.image_type && row.image_updated_at
    ? `/api/v1/public/tenants/${encodeURIComponent(row.slug)}/rewards/${row.id}/image?v=${new Date(row.image_updated_at).getTime()}`
    : null;

const catalogTerms = {
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  pointsCost: z.number().int(),
  perMemberLimit: z.number().int().nullable().meta({ description: 'Redemptions per member; null: no limit' }),
  startsAt: z.string().nullable().meta({ description: 'Inclusive; null: from the start' }),
  endsAt: z.string().nullable().meta({ description: 'Inclusive; null: no end' }),
  fulfilment: z.enum(['voucher', 'physical']),
  voucher: RewardVoucherSchema.nullable().meta({ description: 'The voucher a redemption issues (fulfilment voucher)' }),
  imageUrl: ImageUrl,
};

export const RewardSchema = z
  .object({
    ...catalogTerms,
    stock: z.number().int().nullable().meta({ description: 'Units left; null: unlimited' }),
    tiers: z.array(z.string()).nullable().meta({ description: 'Tier codes that may redeem it; null: everyone' }),
    status: z.enum(['active', 'archived']),
    redeemed: z.number().int().meta({ description: 'Redemptions that stand (cancelled ones not counted)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Reward' });

export type RewardView = z.infer<typeof RewardSchema>;

function termsOf(row: RewardRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    pointsCost: row.points_cost,
    perMemberLimit: row.per_member_limit,
    startsAt: iso(row.starts_at),
    endsAt: iso(row.ends_at),
    fulfilment: row.fulfilment,
    voucher: row.voucher as RewardVoucher | null,
    imageUrl: imageUrlOf(row),
  };
}

export const toRewardView = (row: RewardRow): RewardView => ({
  ...termsOf(row),
  stock: row.stock,
  tiers: row.tiers,
  status: row.status,
  redeemed: Number(row.redeemed),
  createdAt: row.created_at.toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export const MemberRewardSchema = z
  .object({
    ...catalogTerms,
    remaining: z.number().int().nullable().meta({ description: 'Units left; 0: sold out; null: unlimited' }),
    redeemedByYou: z.number().int().meta({ description: 'The member’s redemptions that stand' }),
    limitReached: z.boolean().meta({ description: 'The member redeemed it as often as allowed' }),
    affordable: z.boolean().meta({ description: 'The member’s spendable balance covers pointsCost' }),
  })
  .meta({ id: 'MemberReward' });

export const MemberRewardPageSchema = z
  .object({
    items: z.array(MemberRewardSchema),
    nextCursor: z.string().nullable(),
    redeemableNow: z.number().int().meta({
      description: 'How many rewards of the whole catalog (every page) the member can redeem now: affordable, in stock, under the per-member limit',
    }),
  })
  .meta({ id: 'MemberRewardPage' });

export const toMemberRewardView = (row: RewardRow & { redeemed_by_member: number | null }, balance: number): z.infer<typeof MemberRewardSchema> => {
  const mine = Number(row.redeemed_by_member);
  return {
    ...termsOf(row),
    remaining: row.stock,
    redeemedByYou: mine,
    limitReached: row.per_member_limit !== null && mine >= row.per_member_limit,
    affordable: balance >= row.points_cost,
  };
};

const voucherTerms = {
  code: z.string().meta({ description: 'What the member shows (QR and text) and the till types; upper case' }),
  kind: VoucherKindSchema,
  value: z.number().int().nullable().meta({ description: 'amount: minor units off; percent: 1–100' }),
  maxDiscount: z.number().int().nullable(),
  sku: z.string().nullable().meta({ description: 'free_item: the item given free' }),
  minSpend: z.number().int().meta({ description: 'Goods subtotal (minor units, shipping excluded) needed at checkout' }),
  expiresAt: z.string().nullable().meta({ description: 'Inclusive' }),
};

export const IssuedVoucherSchema = z.object(voucherTerms).meta({ id: 'RewardVoucherCode', description: 'A single-use code for the member alone' });

export const RewardRedemptionSchema = z
  .object({
    id: z.uuid(),
    reward: z.object({ id: z.uuid(), name: z.string() }),
    memberId: z.uuid(),
    fulfilment: z.enum(['voucher', 'physical']),
    pointsSpent: z.number().int(),
    status: z.enum(['issued', 'handed_over', 'cancelled']).meta({ description: 'issued; handed_over (physical, given at a store); cancelled (points and stock returned)' }),
    voucher: IssuedVoucherSchema.nullable(),
    storeId: z.uuid().nullable().meta({ description: 'Where it was redeemed; null in the member app' }),
    createdAt: z.string(),
    handedOverAt: z.string().nullable(),
  })
  .meta({ id: 'RewardRedemption' });

export type RewardRedemptionView = z.infer<typeof RewardRedemptionSchema>;

export const RewardRedemptionPage = page(RewardRedemptionSchema, 'RewardRedemptionPage');

export const RedeemedSchema = RewardRedemptionSchema.extend({ points: Balances.meta({ description: 'The member’s balances afterwards' }) })
  .meta({ id: 'RewardRedeemed' });

export const toRedemptionView = (row: RedemptionRow): RewardRedemptionView => ({
  id: row.id,
  reward: { id: row.reward_id, name: row.reward_name },
  memberId: row.member_id,
  fulfilment: row.voucher_id ? 'voucher' : 'physical',
  pointsSpent: row.points,
  status: row.status,
  voucher: row.code && row.kind
    ? { code: row.code, kind: row.kind, value: row.value, maxDiscount: row.max_discount, sku: row.sku, minSpend: row.min_spend ?? 0, expiresAt: iso(row.voucher_expires_at) }
    : null,
  storeId: row.store_id,
  createdAt: row.created_at.toISOString(),
  handedOverAt: iso(row.handed_over_at),
});

export const MemberVoucherSchema = z
  .object({
    ...voucherTerms,
    id: z.uuid(),
    name: z.string().nullable().meta({ description: 'The batch’s name (a reward voucher: the reward’s name when issued)' }),
    startsAt: z.string().nullable().meta({ description: 'Not valid before (inclusive); null: now' }),
    usesLeft: z.number().int().nullable().meta({ description: 'null: unlimited' }),
    channels: z.array(ChannelSchema).nullable().meta({ description: 'null: in store and online' }),
    reward: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: 'The reward it came from' }),
  })
  .meta({ id: 'MemberVoucher' });

interface MemberVoucherRow {
  id: string;
  code: string;
  uses: number;
  max_uses: number | null;
  name: string | null;
  kind: z.infer<typeof VoucherKindSchema>;
  value: number | null;
  max_discount: number | null;
  sku: string | null;
  min_spend: number;
  starts_at: Date | null;
  expires_at: Date | null;
  channels: string[] | null;
  reward_id: string | null;
  reward_name: string | null;
}

export const toMemberVoucherView = (row: MemberVoucherRow): z.infer<typeof MemberVoucherSchema> => ({
  id: row.id,
  code: row.code,
  name: row.name,
  kind: row.kind,
  value: row.value,
  maxDiscount: row.max_discount,
  sku: row.sku,
  minSpend: row.min_spend,
  startsAt: iso(row.starts_at),
  expiresAt: iso(row.expires_at),
  usesLeft: row.max_uses === null ? null : row.max_uses - row.uses,
  channels: row.channels as z.infer<typeof ChannelSchema>[] | null,
  reward: row.reward_id && row.reward_name ? { id: row.reward_id, name: row.reward_name } : null,
});
