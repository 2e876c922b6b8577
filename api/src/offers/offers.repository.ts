import { sql, type Insertable, type Updateable } from 'kysely';
import type { OfferTable } from '@kartu/db';
import type { Db } from '../deps.ts';

export type OfferStatus = 'active' | 'paused' | 'archived';

export async function insertOffer(db: Db, row: Insertable<OfferTable>) {
  await db.insertInto('offers').values(row).execute();
}

export async function updateOffer(db: Db, tenantId: string, id: string, patch: Updateable<OfferTable>) {
  await db.updateTable('offers').set({ ...patch, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export function findOffer(db: Db, tenantId: string, id: string) {
  return db.selectFrom('offers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export type OfferRow = NonNullable<Awaited<ReturnType<typeof findOffer>>>;

export function lockOffer(db: Db, tenantId: string, id: string) {
  return db.selectFrom('offers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listOffers(db: Db, tenantId: string, filter: { status?: OfferStatus }, limit: number, beforeId?: string) {
  let query = db.selectFrom('offers').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  query = filter.status ? query.where('status', '=', filter.status) : query.where('status', '<>', 'archived');
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

/** Active offers whose window contains `at`. */
export function liveOffers(db: Db, tenantId: string, at: Date) {
  return db
    .selectFrom('offers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('starts_at', '<=', at)
    .where('ends_at', '>=', at)
    .execute();
}

/** What the member bought (posted, not fully refunded) since `since`: the history offers are triggered by. */
export function boughtSince(db: Db, tenantId: string, memberId: string, since: Date) {
  return db
    .selectFrom('transaction_lines as l')
    .innerJoin('transactions as t', (j) => j.onRef('t.tenant_id', '=', 'l.tenant_id').onRef('t.id', '=', 'l.transaction_id'))
    .select(['l.sku', 'l.category'])
    .distinct()
    .where('t.tenant_id', '=', tenantId)
    .where('t.member_id', '=', memberId)
    .where('t.status', '=', 'posted')
    .where('t.occurred_at', '>=', since)
    .whereRef('l.refunded_quantity', '<', 'l.quantity')
    .limit(500)
    .execute();
}

/** Showings of each offer to the member within that offer's capDays before `at`. */
export async function showsWithinCaps(db: Db, tenantId: string, memberId: string, offerIds: string[], at: Date): Promise<Map<string, number>> {
  if (!offerIds.length) return new Map();
  const { rows } = await sql<{ offer_id: string; shows: number }>`
    select i.offer_id, count(*)::int as shows
    from offer_impressions i join offers o on o.tenant_id = i.tenant_id and o.id = i.offer_id
    where i.tenant_id = ${tenantId} and i.member_id = ${memberId} and i.offer_id in (${sql.join(offerIds)})
      and i.shown_at > ${at}::timestamptz - make_interval(days => o.cap_days)
    group by i.offer_id`.execute(db);
  return new Map(rows.map((r) => [r.offer_id, Number(r.shows)]));
}

/** The voucher a member was issued with an offer before (newest first), with whether it can still be used. */
export function issuedVoucher(db: Db, tenantId: string, memberId: string, offerId: string) {
  return db
    .selectFrom('offer_impressions as i')
    .innerJoin('vouchers as v', (j) => j.onRef('v.tenant_id', '=', 'i.tenant_id').onRef('v.id', '=', 'i.voucher_id'))
    .select(['v.id', 'v.code', 'v.expires_at', 'v.uses', 'v.max_uses', 'v.voided_at'])
    .where('i.tenant_id', '=', tenantId)
    .where('i.member_id', '=', memberId)
    .where('i.offer_id', '=', offerId)
    .orderBy('i.shown_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertImpressions(db: Db, rows: Insertable<import('@kartu/db').OfferImpressionTable>[]) {
  if (rows.length) await db.insertInto('offer_impressions').values(rows).execute();
}

/** Offers shown to the member today (since `since`), for the app's once-a-day showing. */
export async function shownSince(db: Db, tenantId: string, memberId: string, channel: string, since: Date): Promise<Set<string>> {
  const rows = await db
    .selectFrom('offer_impressions')
    .select('offer_id')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('channel', '=', channel as 'app')
    .where('shown_at', '>=', since)
    .execute();
  return new Set(rows.map((r) => r.offer_id));
}

/**
 * How long after a sale's occurredAt a showing still counts for it, when it was made before the sale
 * was posted: a POS dates a sale when it was rung up (before the card scan whose suggestion it
 * follows), or by a clock a little behind the server's.
 */
export const SHOWN_AFTER_SALE_MS = 30 * 60e3;

/**
 * Per offer, the member's newest impression that can still convert at `at`: unconverted, within
 * the offer's conversionDays, shown before the sale was posted (`postedAt`) and no later than
 * SHOWN_AFTER_SALE_MS after `at`, and after the member's last conversion of that offer (a
 * conversion ends the showings before it, so buying twice converts once).
 */
export async function openImpressions(db: Db, tenantId: string, memberId: string, at: Date, postedAt = new Date()) {
  const shownBy = new Date(Math.min(at.getTime() + SHOWN_AFTER_SALE_MS, Math.max(postedAt.getTime(), at.getTime())));
  const { rows } = await sql<{
    id: string; offer_id: string; suggestion: { sku?: string; category?: string }; bonus_points: number | null; name: string; shown_at: Date; priority: number;
  }>`
    select distinct on (i.offer_id) i.id, i.offer_id, o.suggestion, o.bonus_points, o.name, i.shown_at, o.priority
    from offer_impressions i join offers o on o.tenant_id = i.tenant_id and o.id = i.offer_id
    where i.tenant_id = ${tenantId} and i.member_id = ${memberId} and i.converted_at is null
      and i.shown_at <= ${shownBy} and i.shown_at >= ${at}::timestamptz - make_interval(days => o.conversion_days)
      and not exists (
        select 1 from offer_impressions c
        where c.tenant_id = i.tenant_id and c.member_id = i.member_id and c.offer_id = i.offer_id
          and c.converted_at is not null and c.shown_at >= i.shown_at)
    order by i.offer_id, i.shown_at desc`.execute(db);
  return rows;
}

export async function markConverted(db: Db, tenantId: string, impressionId: string, transactionId: string, at: Date, revenue: number) {
  await db
    .updateTable('offer_impressions')
    .set({ converted_at: at, conversion_transaction_id: transactionId, revenue })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', impressionId)
    .execute();
}

/** A voided sale converts nothing. By the sale's member, so that the member's index finds the rows. */
export async function unconvert(db: Db, tenantId: string, memberId: string, transactionId: string) {
  await db
    .updateTable('offer_impressions')
    .set({ converted_at: null, conversion_transaction_id: null, revenue: 0 })
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('conversion_transaction_id', '=', transactionId)
    .execute();
}

/** The bonus points each offer's conversion by the sale gave the member (convertOffers: kind bonus, reference offer:{id}). */
export async function conversionBonuses(db: Db, tenantId: string, accountId: string, transactionId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('point_entries')
    .select(['reference', sql<string>`sum(points)`.as('points')])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('transaction_id', '=', transactionId)
    .where('kind', '=', 'bonus')
    .where('reference', 'like', 'offer:%')
    .groupBy('reference')
    .execute();
  return new Map(rows.map((r) => [r.reference!.slice('offer:'.length), Number(r.points)]));
}

/** The showings a sale converted, with what their offers suggest. */
export async function convertedBy(db: Db, tenantId: string, memberId: string, transactionId: string) {
  const { rows } = await sql<{ id: string; offer_id: string; suggestion: { sku?: string; category?: string }; revenue: number }>`
    select i.id, i.offer_id, o.suggestion, i.revenue
    from offer_impressions i join offers o on o.tenant_id = i.tenant_id and o.id = i.offer_id
    where i.tenant_id = ${tenantId} and i.member_id = ${memberId} and i.conversion_transaction_id = ${transactionId}`.execute(db);
  return rows;
}

/** A converted showing's revenue after a partial refund, or the showing open again (revenue null) when all of it was refunded. */
export async function reviseConversion(db: Db, tenantId: string, impressionId: string, revenue: number | null) {
  await db
    .updateTable('offer_impressions')
    .set(revenue === null ? { converted_at: null, conversion_transaction_id: null, revenue: 0 } : { revenue })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', impressionId)
    .execute();
}

export interface ResultWindow {
  from: Date;
  to: Date;
}

/** Showings, members reached, conversions and revenue per offer over a window of showings (`to` inclusive), optionally at one store. */
export function offerTotals(db: Db, tenantId: string, offerIds: string[], window: ResultWindow, storeId?: string | null) {
  if (!offerIds.length) return Promise.resolve([]);
  return db
    .selectFrom('offer_impressions')
    .select([
      'offer_id',
      sql<number>`count(*)::int`.as('shown'),
      sql<number>`count(distinct member_id)::int`.as('reached'),
      sql<number>`(count(*) filter (where converted_at is not null))::int`.as('converted'),
      sql<number>`(count(distinct member_id) filter (where converted_at is not null))::int`.as('converted_members'),
      sql<number>`coalesce(sum(revenue), 0)::int8`.as('revenue'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('offer_id', 'in', offerIds)
    .where('shown_at', '>=', window.from)
    .where('shown_at', '<=', window.to)
    .$if(Boolean(storeId), (q) => q.where('store_id', '=', storeId!))
    .groupBy('offer_id')
    .execute();
}

/** Per local day of showing: showings, conversions and revenue, for the results chart. */
export async function offerDaily(db: Db, tenantId: string, offerId: string, window: ResultWindow, timeZone: string) {
  const { rows } = await sql<{ day: string; shown: number; converted: number; revenue: number }>`
    select to_char(shown_at at time zone ${timeZone}, 'YYYY-MM-DD') as day, count(*)::int as shown,
           (count(*) filter (where converted_at is not null))::int as converted, coalesce(sum(revenue), 0)::int8 as revenue
    from offer_impressions
    where tenant_id = ${tenantId} and offer_id = ${offerId} and shown_at >= ${window.from} and shown_at <= ${window.to}
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ day: r.day, shown: Number(r.shown), converted: Number(r.converted), revenue: Number(r.revenue) }));
}

export function impressionsOfMember(db: Db, tenantId: string, memberId: string, limit: number) {
  return db
    .selectFrom('offer_impressions as i')
    .innerJoin('offers as o', (j) => j.onRef('o.tenant_id', '=', 'i.tenant_id').onRef('o.id', '=', 'i.offer_id'))
    .select(['i.id', 'i.offer_id', 'o.name', 'i.channel', 'i.shown_at', 'i.converted_at', 'i.revenue'])
    .where('i.tenant_id', '=', tenantId)
    .where('i.member_id', '=', memberId)
    .orderBy('i.shown_at', 'desc')
    .limit(limit)
    .execute();
}
