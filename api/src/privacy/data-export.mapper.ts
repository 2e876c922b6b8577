import { z } from 'zod';
import type * as repo from './data-export.repository.ts';

// The member's data export (UU PDP's right of access): one JSON document, field names in the API's
// camelCase, times ISO 8601, money in minor units of `retailer.currency`.

type Rows<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
type Row<F extends (...args: never[]) => Promise<unknown>> = NonNullable<Rows<F>> extends (infer R)[] ? R : NonNullable<Rows<F>>;

const iso = (at: Date | null | undefined) => at?.toISOString() ?? null;
const list = (description: string) => z.array(z.record(z.string(), z.unknown())).meta({ description });

export const DataExportSchema = z
  .object({
    format: z.literal('kartu-member-export/1'),
    exportedAt: z.string(),
    retailer: z.object({ name: z.string(), slug: z.string(), currency: z.string(), timeZone: z.string() }),
    profile: z.record(z.string(), z.unknown()).meta({ description: 'Name, phone, email, birth date, language, how and when the member joined, tags' }),
    consents: list('Each consent, whether given, and since when (`since` null: as given when joining)'),
    membership: z.record(z.string(), z.unknown()).meta({ description: 'Tier, lifecycle stage with its history, RFM scores, current segments' }),
    cards: list('Card numbers and their status (no signing or rotating-code keys)'),
    points: z.record(z.string(), z.unknown()).meta({ description: 'Balances, every ledger entry with its kind, reference and note, and the lots with their expiry' }),
    transactions: list('Purchases with their lines'),
    vouchers: list('Personal vouchers'),
    voucherUses: list('Vouchers used'),
    rewardRedemptions: list('Rewards exchanged for points'),
    referrals: list('Friends invited (`role: referrer`) or the invitation the member joined with (`role: friend`); never the other member’s data'),
    feedback: list('Ratings, complaints and suggestions with the replies'),
    messages: list('Messages sent to the member; the text of one-time codes is left out'),
    offersShown: list('Offers shown to the member and whether they bought them'),
  })
  .meta({ id: 'MemberDataExport' });

export type DataExport = z.infer<typeof DataExportSchema>;

/** Purposes whose text is a one-time code. */
const CODE_PURPOSES: ReadonlySet<string> = new Set(['otp', 'presence']);

export interface ExportRows {
  retailer: Row<typeof repo.retailerOf>;
  profile: Row<typeof repo.profileOf>;
  segments: { code: string; name: string }[];
  stages: Row<typeof repo.stageHistoryOf>[];
  rfm: Row<typeof repo.rfmOf> | undefined;
  cards: Row<typeof repo.cardsOf>[];
  entries: Row<typeof repo.entriesOf>[];
  lots: Row<typeof repo.lotsOf>[];
  transactions: Row<typeof repo.transactionsOf>[];
  lines: Row<typeof repo.linesOf>[];
  vouchers: Row<typeof repo.vouchersOf>[];
  voucherUses: Row<typeof repo.voucherUsesOf>[];
  rewardRedemptions: Row<typeof repo.rewardRedemptionsOf>[];
  referrals: Row<typeof repo.referralsOf>[];
  feedback: Row<typeof repo.feedbackOf>[];
  feedbackMessages: Row<typeof repo.feedbackMessagesOf>[];
  messages: Row<typeof repo.messagesOf>[];
  offersShown: Row<typeof repo.offersShownOf>[];
}

export function toDataExport(rows: ExportRows, now: Date): DataExport {
  const p = rows.profile;
  return {
    format: 'kartu-member-export/1',
    exportedAt: now.toISOString(),
    retailer: { name: rows.retailer.name, slug: rows.retailer.slug, currency: rows.retailer.currency, timeZone: rows.retailer.time_zone },
    profile: {
      id: p.id, name: p.name, phone: p.phone, email: p.email, birthDate: p.birth_date, language: p.language, status: p.status,
      source: p.source, sourceTag: p.source_tag, referralCode: p.referral_code, tags: p.tags,
      phoneVerifiedAt: iso(p.phone_verified_at), joinedAt: iso(p.created_at),
    },
    consents: [{ purpose: 'marketing', given: p.marketing_opt_in, since: iso(p.marketing_opt_in_at) }],
    membership: {
      tier: { code: p.tier_code, name: p.tier_name, since: iso(p.tier_since), reviewAt: iso(p.tier_review_at) },
      lifecycleStage: p.lifecycle_stage, stageChangedAt: iso(p.stage_changed_at),
      stageHistory: rows.stages.map((s) => ({ from: s.from_stage, to: s.to_stage, at: iso(s.changed_at) })),
      firstPurchaseAt: iso(p.first_purchase_at), lastPurchaseAt: iso(p.last_purchase_at),
      rfm: rows.rfm ? { recencyDays: rows.rfm.recency_days, frequency: rows.rfm.frequency, monetary: rows.rfm.monetary, r: rows.rfm.r, f: rows.rfm.f, m: rows.rfm.m, clv: rows.rfm.clv, computedAt: iso(rows.rfm.computed_at) } : null,
      segments: rows.segments.map((s) => ({ code: s.code, name: s.name })),
    },
    cards: rows.cards.map((c) => ({ number: c.number, status: c.status, reason: c.reason, issuedAt: iso(c.issued_at), replacedAt: iso(c.replaced_at) })),
    points: {
      balance: p.balance, pending: p.pending, debt: p.debt, lifetimeEarned: p.lifetime_earned, lifetimeRedeemed: p.lifetime_redeemed,
      entries: rows.entries.map((e) => ({
        kind: e.kind, bucket: e.bucket, points: e.points, balanceAfter: e.balance_after, reference: e.reference, note: e.note, receiptNo: e.receipt_no, at: iso(e.created_at),
      })),
      lots: rows.lots.map((l) => ({
        status: l.status, points: l.points, remaining: l.remaining, expired: l.expired, reversed: l.reversed,
        expiresAt: iso(l.expires_at), availableAt: iso(l.available_at), earnedAt: iso(l.created_at),
      })),
    },
    transactions: rows.transactions.map((t) => ({
      receiptNo: t.receipt_no, store: t.store, channel: t.channel, occurredAt: iso(t.occurred_at), status: t.status, voidedAt: iso(t.voided_at),
      subtotal: t.subtotal, discount: t.discount, pointsValue: t.points_value, shippingFee: t.shipping_fee, shippingDiscount: t.shipping_discount, total: t.total,
      refundedAmount: t.refunded_amount, pointsEarned: t.points_earned, pointsRedeemed: t.points_redeemed, pointsReversed: t.points_reversed, pointsReturned: t.points_returned,
      items: rows.lines.filter((l) => l.transaction_id === t.id).map((l) => ({
        sku: l.sku, name: l.name, category: l.category, quantity: l.quantity, unitPrice: l.unit_price, amount: l.amount, discount: l.discount,
        points: l.points, refundedQuantity: l.refunded_quantity,
      })),
    })),
    vouchers: rows.vouchers.map((v) => ({
      code: v.code, kind: v.kind, value: v.value, maxDiscount: v.max_discount, minSpend: v.min_spend, uses: v.uses, maxUses: v.max_uses,
      expiresAt: iso(v.expires_at ?? v.batch_expires_at), voidedAt: iso(v.voided_at), issuedAt: iso(v.created_at),
    })),
    voucherUses: rows.voucherUses.map((u) => ({ code: u.code, amount: u.amount, status: u.status, at: iso(u.created_at), cancelledAt: iso(u.cancelled_at) })),
    rewardRedemptions: rows.rewardRedemptions.map((r) => ({ reward: r.reward, points: r.points, status: r.status, at: iso(r.created_at), handedOverAt: iso(r.handed_over_at) })),
    referrals: rows.referrals.map((r) => {
      const role = r.referrer_id === p.id ? 'referrer' : 'friend';
      return { role, status: r.status, reason: r.reason, points: role === 'referrer' ? r.referrer_points : r.referee_points, startedAt: iso(r.created_at), decidedAt: iso(r.decided_at) };
    }),
    feedback: rows.feedback.map((f) => ({
      kind: f.kind, rating: f.rating, text: f.body, store: f.store, status: f.status, at: iso(f.created_at), resolvedAt: iso(f.resolved_at),
      conversation: rows.feedbackMessages.filter((m) => m.thread_id === f.id).map((m) => ({ from: m.author_kind, text: m.body, at: iso(m.created_at) })),
    })),
    messages: rows.messages.map((m) => {
      const code = m.secret !== null || CODE_PURPOSES.has(m.purpose);
      return { channel: m.channel, to: m.recipient, purpose: m.purpose, subject: m.subject, text: code ? null : m.body, status: m.status, at: iso(m.created_at), sentAt: iso(m.sent_at) };
    }),
    offersShown: rows.offersShown.map((o) => ({ offer: o.offer, channel: o.channel, shownAt: iso(o.shown_at), convertedAt: iso(o.converted_at) })),
  };
}
