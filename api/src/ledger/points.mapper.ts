import { z } from 'zod';
import type { pointsOf } from './ledger.service.ts';

export const PointEntrySchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['earn', 'redeem', 'expire', 'adjust', 'reverse', 'return', 'bonus', 'debt', 'repay']),
    points: z.number().int(),
    balanceAfter: z.number().int(),
    createdAt: z.string(),
    reference: z.string().nullable(),
    note: z.string().nullable(),
    transactionId: z.uuid().nullable(),
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
        id: e.id, kind: e.kind, points: e.points, balanceAfter: e.balance_after, createdAt: e.created_at.toISOString(),
        reference: e.reference, note: e.note, transactionId: e.transaction_id,
      })),
      nextCursor: points.entries.nextCursor,
    },
  };
}
