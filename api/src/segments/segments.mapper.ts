import { z } from 'zod';
import { TierRef } from '../members/members.mapper.ts';
import { SegmentRulesSchema, type SegmentRules } from './segment-rules.ts';
import type { SegmentMemberRow, SegmentRow } from './segments.repository.ts';

export const SegmentSchema = z
  .object({
    id: z.uuid(),
    code: z.string().meta({ description: 'What promotions, offers and automations refer to the segment by; never changes' }),
    name: z.string(),
    description: z.string().nullable(),
    rules: SegmentRulesSchema,
    status: z.enum(['active', 'archived']).meta({ description: '`archived`: kept for history; promotions naming it no longer apply' }),
    memberCount: z.number().int().meta({ description: 'Members in the segment now (evaluated live)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Segment' });

export type SegmentView = z.infer<typeof SegmentSchema>;

export const SegmentMemberSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    phone: z.string(),
    tier: TierRef,
    lifecycleStage: z.enum(['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back']),
  })
  .meta({ id: 'SegmentMember' });

export type SegmentMemberView = z.infer<typeof SegmentMemberSchema>;

/** Stored rules were validated when written. */
export const rulesOf = (row: Pick<SegmentRow, 'rules'>) => row.rules as unknown as SegmentRules;

export const toSegmentView = (row: SegmentRow, memberCount: number): SegmentView => ({
  id: row.id,
  code: row.code,
  name: row.name,
  description: row.description,
  rules: rulesOf(row),
  status: row.status,
  memberCount,
  createdAt: row.created_at.toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export const toSegmentMemberView = (row: SegmentMemberRow): SegmentMemberView => ({
  id: row.id,
  name: row.name,
  phone: row.phone,
  tier: { code: row.tier_code, name: row.tier_name },
  lifecycleStage: row.lifecycle_stage,
});
