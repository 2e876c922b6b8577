import type { Db } from '../deps.ts';

// Everything the retailer holds about one member, for their data export (SQL only). Every query
// is scoped to the tenant and the member; nothing secret is read (card signing keys, rotating-code
// secrets, one-time codes).

export function profileOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('tiers as t', (j) => j.onRef('t.tenant_id', '=', 'm.tenant_id').onRef('t.id', '=', 'm.tier_id'))
    .innerJoin('point_accounts as a', (j) => j.onRef('a.tenant_id', '=', 'm.tenant_id').onRef('a.member_id', '=', 'm.id'))
    .select([
      'm.id', 'm.name', 'm.phone', 'm.email', 'm.birth_date', 'm.language', 'm.status', 'm.source', 'm.source_tag', 'm.referral_code', 'm.tags',
      'm.phone_verified_at', 'm.created_at', 'm.marketing_opt_in', 'm.marketing_opt_in_at', 'm.lifecycle_stage', 'm.stage_changed_at',
      'm.first_purchase_at', 'm.last_purchase_at', 'm.tier_since', 'm.tier_review_at', 't.code as tier_code', 't.name as tier_name',
      'a.id as account_id', 'a.balance', 'a.pending', 'a.debt', 'a.lifetime_earned', 'a.lifetime_redeemed',
    ])
    .where('m.tenant_id', '=', tenantId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
}

export function cardsOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('cards')
    .select(['number', 'status', 'reason', 'issued_at', 'replaced_at'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .orderBy('issued_at')
    .execute();
}

export function entriesOf(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('point_entries as e')
    .leftJoin('transactions as t', (j) => j.onRef('t.tenant_id', '=', 'e.tenant_id').onRef('t.id', '=', 'e.transaction_id'))
    .select(['e.id', 'e.kind', 'e.bucket', 'e.points', 'e.balance_after', 'e.reference', 'e.note', 'e.created_at', 't.receipt_no'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.account_id', '=', accountId)
    .orderBy('e.id')
    .execute();
}

export function lotsOf(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('point_lots')
    .select(['status', 'points', 'remaining', 'expired', 'reversed', 'expires_at', 'available_at', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
}

export function transactionsOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('transactions as t')
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.store_id'))
    .select([
      't.id', 't.receipt_no', 's.name as store', 't.channel', 't.occurred_at', 't.subtotal', 't.discount', 't.points_value', 't.shipping_fee', 't.shipping_discount',
      't.total', 't.points_earned', 't.points_redeemed', 't.points_reversed', 't.points_returned', 't.refunded_amount', 't.status', 't.voided_at',
    ])
    .where('t.tenant_id', '=', tenantId)
    .where('t.member_id', '=', memberId)
    .orderBy('t.occurred_at')
    .execute();
}

export function linesOf(db: Db, tenantId: string, transactionIds: string[]) {
  if (!transactionIds.length) return Promise.resolve([]);
  return db
    .selectFrom('transaction_lines')
    .select(['transaction_id', 'sku', 'name', 'category', 'quantity', 'unit_price', 'amount', 'discount', 'points', 'refunded_quantity'])
    .where('tenant_id', '=', tenantId)
    .where('transaction_id', 'in', transactionIds)
    .orderBy('transaction_id')
    .orderBy('line_no')
    .execute();
}

export function vouchersOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('vouchers as v')
    .innerJoin('voucher_batches as b', (j) => j.onRef('b.tenant_id', '=', 'v.tenant_id').onRef('b.id', '=', 'v.batch_id'))
    .select(['v.code', 'b.kind', 'b.value', 'b.max_discount', 'b.min_spend', 'v.uses', 'v.max_uses', 'v.expires_at', 'b.expires_at as batch_expires_at', 'v.voided_at', 'v.created_at'])
    .where('v.tenant_id', '=', tenantId)
    .where('v.member_id', '=', memberId)
    .orderBy('v.created_at')
    .execute();
}

export function voucherUsesOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('voucher_redemptions as r')
    .innerJoin('vouchers as v', (j) => j.onRef('v.tenant_id', '=', 'r.tenant_id').onRef('v.id', '=', 'r.voucher_id'))
    .select(['v.code', 'r.amount', 'r.status', 'r.created_at', 'r.cancelled_at'])
    .where('r.tenant_id', '=', tenantId)
    .where('r.member_id', '=', memberId)
    .orderBy('r.created_at')
    .execute();
}

export function rewardRedemptionsOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('reward_redemptions as r')
    .innerJoin('rewards as w', (j) => j.onRef('w.tenant_id', '=', 'r.tenant_id').onRef('w.id', '=', 'r.reward_id'))
    .select(['w.name as reward', 'r.points', 'r.status', 'r.created_at', 'r.handed_over_at'])
    .where('r.tenant_id', '=', tenantId)
    .where('r.member_id', '=', memberId)
    .orderBy('r.created_at')
    .execute();
}

/** Referrals the member made or came through: status and points only, never the other member's data. */
export function referralsOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('referrals')
    .select(['referrer_id', 'status', 'reason', 'referrer_points', 'referee_points', 'created_at', 'decided_at'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('referrer_id', '=', memberId), eb('referee_id', '=', memberId)]))
    .orderBy('created_at')
    .execute();
}

export function feedbackOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('feedback_threads as f')
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'f.tenant_id').onRef('s.id', '=', 'f.store_id'))
    .select(['f.id', 'f.kind', 'f.rating', 'f.body', 's.name as store', 'f.status', 'f.created_at', 'f.resolved_at'])
    .where('f.tenant_id', '=', tenantId)
    .where('f.member_id', '=', memberId)
    .orderBy('f.created_at')
    .execute();
}

export function feedbackMessagesOf(db: Db, tenantId: string, threadIds: string[]) {
  if (!threadIds.length) return Promise.resolve([]);
  return db
    .selectFrom('feedback_messages')
    .select(['thread_id', 'author_kind', 'body', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('thread_id', 'in', threadIds)
    .orderBy('created_at')
    .execute();
}

/** Messages sent to the member, and codes sent to their number or address (bodies of codes are left out by the caller). */
export function messagesOf(db: Db, tenantId: string, memberId: string, contacts: string[]) {
  return db
    .selectFrom('outbox_messages')
    .select(['channel', 'recipient', 'purpose', 'subject', 'body', 'secret', 'status', 'created_at', 'sent_at'])
    .where('tenant_id', '=', tenantId)
    // Codes sent before the member existed carry no member; another member's messages to a number this one took over are not theirs.
    .where((eb) => eb.or([eb('member_id', '=', memberId), ...(contacts.length ? [eb.and([eb('member_id', 'is', null), eb('recipient', 'in', contacts)])] : [])]))
    .orderBy('created_at')
    .execute();
}

export function offersShownOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('offer_impressions as i')
    .innerJoin('offers as o', (j) => j.onRef('o.tenant_id', '=', 'i.tenant_id').onRef('o.id', '=', 'i.offer_id'))
    .select(['o.name as offer', 'i.channel', 'i.shown_at', 'i.converted_at'])
    .where('i.tenant_id', '=', tenantId)
    .where('i.member_id', '=', memberId)
    .orderBy('i.shown_at')
    .execute();
}

export function stageHistoryOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('member_stage_history')
    .select(['from_stage', 'to_stage', 'changed_at'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .orderBy('changed_at')
    .execute();
}

export function rfmOf(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('member_rfm')
    .select(['recency_days', 'frequency', 'monetary', 'r', 'f', 'm', 'clv', 'computed_at'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
}

export function retailerOf(db: Db, tenantId: string) {
  return db.selectFrom('tenants').select(['name', 'slug', 'currency', 'time_zone']).where('id', '=', tenantId).executeTakeFirstOrThrow();
}
