import { z } from 'zod';
import type { MessageRow, SatisfactionRow, ThreadRow } from './feedback.repository.ts';

export const FeedbackKindSchema = z.enum(['rating', 'complaint', 'suggestion']);
export const FeedbackStatusSchema = z.enum(['open', 'in_progress', 'resolved']);

const Named = z.object({ id: z.uuid(), name: z.string() });

export const FeedbackMessageSchema = z
  .object({
    id: z.uuid(),
    authorKind: z.enum(['member', 'staff']),
    staff: Named.nullable(),
    text: z.string(),
    createdAt: z.string(),
    delivery: z
      .object({
        status: z.enum(['pending', 'sent', 'failed', 'unconfigured', 'not_sent']).meta({
          description: 'How the reply is reaching the member outside the app: `pending` (being sent, retried with backoff), `sent`, `failed` (given up; `reason` says why), `unconfigured` (no transport for the channel), `not_sent` (no message was queued; `reason`: `inactive_member`, `no_channel`)',
        }),
        channel: z.enum(['sms', 'whatsapp', 'email']).nullable(),
        reason: z.string().nullable(),
      })
      .nullable()
      .meta({ description: 'Staff replies: whether the member was told. Member messages and replies from before this was recorded: null. The app shows every reply either way' }),
  })
  .meta({ id: 'FeedbackMessage' });

export const FeedbackThreadSchema = z
  .object({
    id: z.uuid(),
    kind: FeedbackKindSchema,
    rating: z.number().int().min(1).max(5).nullable(),
    text: z.string().nullable().meta({ description: 'The member’s comment (rating) or text (complaint, suggestion)' }),
    status: FeedbackStatusSchema,
    member: Named,
    store: Named.nullable(),
    transaction: z.object({ id: z.uuid(), receiptNo: z.string() }).nullable(),
    assignee: Named.nullable(),
    firstReplyAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'FeedbackThread' });

export const FeedbackThreadDetailSchema = FeedbackThreadSchema.extend({ messages: z.array(FeedbackMessageSchema) }).meta({ id: 'FeedbackThreadDetail' });

export const MyFeedbackSchema = z
  .object({
    id: z.uuid(),
    kind: FeedbackKindSchema,
    rating: z.number().int().nullable(),
    text: z.string().nullable(),
    status: FeedbackStatusSchema,
    store: Named.nullable(),
    receiptNo: z.string().nullable(),
    createdAt: z.string(),
    replies: z.array(z.object({ id: z.uuid(), text: z.string(), createdAt: z.string() })).meta({ description: 'The shop’s replies' }),
    messages: z
      .array(z.object({ id: z.uuid(), from: z.enum(['member', 'shop']), text: z.string(), createdAt: z.string() }))
      .meta({ description: 'The whole conversation after the first text, oldest first: the shop’s replies and the member’s answers' }),
  })
  .meta({ id: 'MyFeedback' });

export type FeedbackThreadView = z.infer<typeof FeedbackThreadSchema>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toThreadView(row: ThreadRow): FeedbackThreadView {
  return {
    id: row.id,
    kind: row.kind,
    rating: row.rating,
    text: row.body,
    status: row.status,
    member: { id: row.member_id, name: row.member_name },
    store: row.store_id ? { id: row.store_id, name: row.store_name ?? '' } : null,
    transaction: row.transaction_id ? { id: row.transaction_id, receiptNo: row.receipt_no ?? '' } : null,
    assignee: row.assignee_id ? { id: row.assignee_id, name: row.assignee_name ?? '' } : null,
    firstReplyAt: iso(row.first_reply_at),
    resolvedAt: iso(row.resolved_at),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

export function toMessageView(row: MessageRow): z.infer<typeof FeedbackMessageSchema> {
  return {
    id: row.id,
    authorKind: row.author_kind,
    staff: row.staff_id ? { id: row.staff_id, name: row.staff_name ?? '' } : null,
    text: row.body,
    createdAt: iso(row.created_at)!,
    delivery: deliveryOf(row),
  };
}

function deliveryOf(row: MessageRow) {
  if (row.author_kind !== 'staff') return null;
  if (row.not_sent_reason) return { status: 'not_sent' as const, channel: null, reason: row.not_sent_reason };
  if (!row.delivery_status) return null;
  return { status: row.delivery_status, channel: row.delivery_channel, reason: row.delivery_status === 'sent' ? null : row.delivery_error };
}

export function toMyFeedback(row: ThreadRow, messages: MessageRow[]): z.infer<typeof MyFeedbackSchema> {
  return {
    id: row.id,
    kind: row.kind,
    rating: row.rating,
    text: row.body,
    status: row.status,
    store: row.store_id ? { id: row.store_id, name: row.store_name ?? '' } : null,
    receiptNo: row.receipt_no,
    createdAt: iso(row.created_at)!,
    // Staff replies only (the staff member's name stays inside the shop).
    replies: messages.filter((m) => m.author_kind === 'staff').map((m) => ({ id: m.id, text: m.body, createdAt: iso(m.created_at)! })),
    messages: messages.map((m) => ({ id: m.id, from: m.author_kind === 'staff' ? 'shop' as const : 'member' as const, text: m.body, createdAt: iso(m.created_at)! })),
  };
}

const Scores = z.object({
  count: z.number().int().meta({ description: 'Ratings' }),
  average: z.number().meta({ description: 'Average rating, 2 decimals' }),
  share4to5: z.number().meta({ description: 'Share of ratings of 4 or 5, 0–1, 4 decimals' }),
  distribution: z.array(z.number().int()).length(5).meta({ description: 'Ratings of 1, 2, 3, 4 and 5' }),
});

const StoreRef = z.object({ storeId: z.uuid().nullable().meta({ description: 'null: ratings that name no store' }), storeName: z.string().nullable() });

export const SatisfactionSchema = z
  .object({
    timeZone: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    total: Scores,
    byMonth: z.array(Scores.extend({ month: z.string().meta({ example: '2026-11' }) })),
    byStore: z.array(Scores.extend(StoreRef.shape)),
    byStoreMonth: z.array(Scores.extend(StoreRef.shape).extend({ month: z.string() })),
  })
  .meta({ id: 'FeedbackSatisfaction' });

export const ResponseTimesSchema = z
  .object({
    timeZone: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    expecting: z.number().int().meta({ description: 'Threads that expect an answer: complaints, suggestions, ratings with a comment' }),
    answered: z.number().int().meta({ description: 'Of those, threads with a staff reply' }),
    medianSeconds: z.number().nullable().meta({ description: 'Median of first staff reply − creation over answered threads, whole seconds; null when none' }),
    averageSeconds: z.number().nullable().meta({ description: 'Average of the same, whole seconds' }),
    waiting: z.number().int().meta({ description: 'Threads still waiting: no reply yet and not resolved' }),
  })
  .meta({ id: 'FeedbackResponseTimes' });

const scoresOf = (row: SatisfactionRow) => ({
  count: row.count, average: Number(row.average), share4to5: Number(row.share_4_5), distribution: [row.r1, row.r2, row.r3, row.r4, row.r5],
});

const noScores = { count: 0, average: 0, share4to5: 0, distribution: [0, 0, 0, 0, 0] };

export function toSatisfaction(rows: SatisfactionRow[]) {
  const total = rows.find((r) => !r.by_store && !r.by_month);
  return {
    total: total ? scoresOf(total) : noScores,
    byMonth: rows.filter((r) => !r.by_store && r.by_month).map((r) => ({ month: r.month!, ...scoresOf(r) })),
    byStore: rows.filter((r) => r.by_store && !r.by_month).map((r) => ({ storeId: r.store_id, storeName: r.store_name, ...scoresOf(r) })),
    byStoreMonth: rows.filter((r) => r.by_store && r.by_month).map((r) => ({ storeId: r.store_id, storeName: r.store_name, month: r.month!, ...scoresOf(r) })),
  };
}
