import { z } from 'zod';
import type { CardHistoryRow } from './cards.repository.ts';

export const CardSchema = z
  .object({
    id: z.uuid(),
    cardNumber: z.string().meta({ example: '7123456789012345' }),
    status: z.enum(['active', 'blocked', 'replaced']),
    reason: z.string().nullable().meta({ description: 'Why the card was replaced (lost, damaged)' }),
    issuedAt: z.string(),
    replacedAt: z.string().nullable(),
  })
  .meta({ id: 'Card' });

export type CardView = z.infer<typeof CardSchema>;

export function toCardView(row: CardHistoryRow): CardView {
  return {
    id: row.id,
    cardNumber: row.number,
    // Only a member's cards are shown: never 'unassigned'.
    status: row.status as CardView['status'],
    reason: row.reason,
    issuedAt: (row.issued_at ?? row.created_at).toISOString(),
    replacedAt: row.replaced_at ? row.replaced_at.toISOString() : null,
  };
}
