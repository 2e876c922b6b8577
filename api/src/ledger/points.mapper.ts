import { z } from 'zod';
import { entryReason, EntryReasonSchema } from './entry-reason.ts';
import type { pointsOf } from './ledger.service.ts';

export const PointEntrySchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['earn', 'redeem', 'expire', 'adjust', 'reverse', 'return', 'bonus', 'debt', 'repay', 'opening']),
    bucket: z.enum(['balance', 'pending', 'debt']).meta({ description: 'Which balance the entry moves: spendable, pending (return window) or debt' }),
    points: z.number().int(),
    balanceAfter: z.number().int(),
    createdAt: z.string(),
    reference: z.string().nullable(),
    note: z.string().nullable(),
    transactionId: z.uuid().nullable(),
    reason: EntryReasonSchema,
  })
  .meta({ id: 'PointEntry' });

export const PointsSchema = z
  .object({
    balance: z.number().int(),
    pending: z.number().int(),
    debt: z.number().int(),
    expiring: z.array(z.object({ points: z.number().int(), expiresAt: z.string() })),
    entries: z.object({ items: z.array(PointEntrySchema), nextCursor: z.string().nullable() }),
  })
  .meta({ id: 'Points' });

export function toPointsView(points: Awaited<ReturnType<typeof pointsOf>>): z.infer<typeof PointsSchema> {
  return {
    balance: points.balance,
    pending: points.pending,
    debt: points.debt,
    expiring: points.expiring.map((e) => ({ points: e.points, expiresAt: new Date(e.expiresAt).toISOString() })),
    entries: {
      items: points.entries.items.map((e) => ({
        id: e.id, kind: e.kind, bucket: e.bucket, points: e.points, balanceAfter: e.balance_after, createdAt: e.created_at.toISOString(),
        reference: e.reference, note: e.note, transactionId: e.transaction_id, reason: entryReason(e),
      })),
      nextCursor: points.entries.nextCursor,
    },
  };
}

export const LotSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['posted', 'pending']),
    points: z.number().int(),
    remaining: z.number().int(),
    expired: z.number().int(),
    reversed: z.number().int(),
    expiresAt: z.string().nullable(),
    availableAt: z.string().nullable().meta({ description: 'When pending points become spendable' }),
    createdAt: z.string(),
    transactionId: z.uuid().nullable(),
  })
  .meta({ id: 'PointLot' });

type LotRow = { id: string; status: 'posted' | 'pending'; points: number; remaining: number; expired: number; reversed: number; expires_at: Date | string | null; available_at: Date | string | null; created_at: Date; transaction_id: string | null };

const iso = (value: Date | string | null) => (value ? new Date(value).toISOString() : null);

export const toLotView = (lot: LotRow): z.infer<typeof LotSchema> => ({
  id: lot.id, status: lot.status, points: lot.points, remaining: lot.remaining, expired: lot.expired, reversed: lot.reversed,
  expiresAt: iso(lot.expires_at), availableAt: iso(lot.available_at), createdAt: lot.created_at.toISOString(), transactionId: lot.transaction_id,
});
