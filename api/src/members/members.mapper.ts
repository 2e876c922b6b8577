import { z } from 'zod';
import type { MemberRow } from './members.repository.ts';

export const TierRef = z.object({ code: z.string(), name: z.string() }).meta({ id: 'TierRef' });
export const Balances = z.object({ balance: z.number().int(), pending: z.number().int(), debt: z.number().int() }).meta({ id: 'Balances' });

export const MemberSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    phone: z.string().meta({ example: '+6281234567890' }),
    email: z.string().nullable(),
    birthDate: z.string().nullable().meta({ description: 'YYYY-MM-DD' }),
    cardNumber: z.string().nullable(),
    status: z.enum(['active', 'blocked', 'merged', 'erased']).meta({ description: '`merged`: a duplicate merged into `mergedInto`; its cards no longer scan. `erased`: personal data erased on the member’s request (`erasedAt`); the sales and points history stay, anonymised' }),
    lifecycleStage: z.enum(['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back']),
    tier: TierRef,
    points: Balances,
    marketingOptIn: z.boolean(),
    source: z.enum(['in_store', 'web_form', 'referral', 'import', 'campaign']).meta({ description: 'How the member joined' }),
    sourceTag: z.string().nullable().meta({ description: 'The campaign tag of the link the member joined through' }),
    referralCode: z.string().meta({ description: 'The member’s own code to share; the app’s link is `/app/{slug}/join?ref={referralCode}`' }),
    tags: z.array(z.string()),
    phoneVerified: z.boolean().meta({ description: 'The phone was proven with a one-time code' }),
    firstPurchaseAt: z.string().nullable(),
    lastPurchaseAt: z.string().nullable(),
    mergedInto: z.uuid().nullable(),
    erasedAt: z.string().nullable().meta({ description: 'When the member’s personal data was erased (status `erased`)' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Member' });

export type MemberView = z.infer<typeof MemberSchema>;

export function toMemberView(row: MemberRow): MemberView {
  return {
    id: row.id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    birthDate: row.birth_date,
    cardNumber: row.card_number,
    status: row.status,
    lifecycleStage: row.lifecycle_stage,
    tier: { code: row.tier_code, name: row.tier_name },
    points: { balance: row.balance, pending: row.pending, debt: row.debt },
    marketingOptIn: row.marketing_opt_in,
    source: row.source,
    sourceTag: row.source_tag,
    referralCode: row.referral_code,
    tags: row.tags,
    phoneVerified: row.phone_verified_at !== null,
    firstPurchaseAt: row.first_purchase_at?.toISOString() ?? null,
    lastPurchaseAt: row.last_purchase_at?.toISOString() ?? null,
    mergedInto: row.merged_into,
    erasedAt: row.erased_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}
