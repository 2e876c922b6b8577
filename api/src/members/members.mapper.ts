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
    status: z.enum(['active', 'blocked']),
    lifecycleStage: z.enum(['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back']),
    tier: TierRef,
    points: Balances,
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
    createdAt: row.created_at.toISOString(),
  };
}
