import type { Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { credit, lockAccount, reclaim, type LockedAccount } from '../ledger/ledger.service.ts';
import { expiresAt, policyOf } from '../points/policy.ts';
import { memberSegmentCodes } from '../segments/segments.service.ts';
import { activeSegmentCodes } from '../segments/segments.repository.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import type { TenantRow } from '../tenants/tenants.repository.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { issuePersonalVoucher, type RewardVoucherTerms } from '../vouchers/reward-vouchers.ts';
import { chooseOffers, isSuggested, type Bought } from './offer-engine.ts';
import type { OfferInput, OfferPatchInput } from './offer-schema.ts';
import { toOfferView, toRule, toShownOffer, toTotals, type ShownOffer } from './offers.mapper.ts';
import * as repo from './offers.repository.ts';

/** What a member "recently bought", for offers triggered by history (the till after a scan, the app). */
const HISTORY_DAYS = 90;
const RESULTS_DAYS = 30;
const DAY = 86400e3;

export type StatusAction = 'pause' | 'resume' | 'archive';
const statusAfter: Record<StatusAction, repo.OfferStatus> = { pause: 'paused', resume: 'active', archive: 'archived' };

function valuesOf(input: OfferInput) {
  return {
    name: input.name, kind: input.kind, trigger: JSON.stringify(input.trigger), suggestion: JSON.stringify(input.suggestion),
    message: JSON.stringify(input.message), voucher: input.voucher ? JSON.stringify(input.voucher) : null, bonus_points: input.bonusPoints ?? null,
    segment_code: input.segment ?? null, starts_at: input.startsAt, ends_at: input.endsAt, max_shows: input.maxShows ?? 3,
    cap_days: input.capDays ?? 7, conversion_days: input.conversionDays ?? 14, priority: input.priority ?? 0,
    mined: input.mined ? JSON.stringify(input.mined) : null,
  };
}

async function checkSegment(db: Db, tenantId: string, segment: string | null | undefined) {
  if (segment && !(await activeSegmentCodes(db, tenantId, [segment])).has(segment)) {
    throw invalidField('body.segment', `No active segment with code ${segment}`);
  }
}

const lastDays = (days: number) => ({ from: new Date(Date.now() - days * DAY), to: new Date() });

async function withTotals(db: Db, tenantId: string, rows: repo.OfferRow[]) {
  const totals = await repo.offerTotals(db, tenantId, rows.map((r) => r.id), lastDays(RESULTS_DAYS));
  return rows.map((row) => toOfferView(row, toTotals(totals.find((t) => t.offer_id === row.id))));
}

export async function listOffers(db: Db, principal: Principal, filter: { status?: repo.OfferStatus }, cursor?: string, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listOffers(db, principal.tenantId, filter, limit, cursor), limit);
  return { items: await withTotals(db, principal.tenantId, page), nextCursor };
}

export async function getOffer(db: Db, principal: Principal, id: string) {
  const row = await repo.findOffer(db, principal.tenantId, id);
  if (!row) throw notFound('Offer');
  return (await withTotals(db, principal.tenantId, [row]))[0];
}

export async function createOffer(db: Db, principal: Principal, input: OfferInput) {
  return inTransaction(db, async (trx) => {
    await checkSegment(trx, principal.tenantId, input.segment);
    const id = newId();
    await repo.insertOffer(trx, { tenant_id: principal.tenantId, id, ...valuesOf(input), ...(input.status ? { status: input.status } : {}) });
    await recordAudit(trx, principal, { action: 'offer.created', targetType: 'offer', targetId: id, details: { ...input } });
    return getOffer(trx, principal, id);
  });
}

export async function updateOffer(db: Db, principal: Principal, id: string, patch: OfferPatchInput) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockOffer(trx, principal.tenantId, id);
    if (!row) throw notFound('Offer');
    if (row.status === 'archived') throw new DomainError('conflict', 'An archived offer cannot change');
    const merged = { ...inputOf(row), ...patch };
    if (Date.parse(merged.endsAt) < Date.parse(merged.startsAt)) throw invalidField(patch.endsAt !== undefined ? 'body.endsAt' : 'body.startsAt', 'endsAt must not be before startsAt');
    await checkSegment(trx, principal.tenantId, patch.segment);
    await repo.updateOffer(trx, principal.tenantId, id, valuesOf(merged));
    await recordAudit(trx, principal, { action: 'offer.updated', targetType: 'offer', targetId: id, details: { ...patch } });
    return getOffer(trx, principal, id);
  });
}

function inputOf(row: repo.OfferRow): OfferInput {
  const view = toOfferView(row);
  return {
    name: view.name, kind: view.kind, trigger: view.trigger, suggestion: view.suggestion, message: view.message,
    voucher: view.voucher as OfferInput['voucher'], bonusPoints: view.bonusPoints, segment: view.segment, startsAt: view.startsAt,
    endsAt: view.endsAt, maxShows: view.maxShows, capDays: view.capDays, conversionDays: view.conversionDays, priority: view.priority, mined: view.mined,
  };
}

/** Pause, resume or archive; archiving is final, and a repeated action changes nothing. */
export async function changeOfferStatus(db: Db, principal: Principal, id: string, action: StatusAction) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockOffer(trx, principal.tenantId, id);
    if (!row) throw notFound('Offer');
    const status = statusAfter[action];
    if (row.status !== status) {
      if (row.status === 'archived') throw new DomainError('conflict', 'An archived offer cannot change');
      await repo.updateOffer(trx, principal.tenantId, id, { status });
      await recordAudit(trx, principal, { action: `offer.${status}`, targetType: 'offer', targetId: id, details: { from: row.status, to: status } });
    }
    return getOffer(trx, principal, id);
  });
}

/** Showings, reach, conversions and revenue over a window of showings, with a line per local day. */
export async function offerResults(db: Db, principal: Principal, id: string, window: repo.ResultWindow) {
  const row = await repo.findOffer(db, principal.tenantId, id);
  if (!row) throw notFound('Offer');
  const tenant = await getTenant(db, principal.tenantId);
  const [totals, daily] = await Promise.all([
    repo.offerTotals(db, principal.tenantId, [id], window),
    repo.offerDaily(db, principal.tenantId, id, window, tenant.time_zone),
  ]);
  return { from: window.from.toISOString(), to: window.to.toISOString(), ...toTotals(totals[0]), daily };
}

/**
 * The offers for a member now (offer-engine.ts), from the cart and the last 90 days of purchases.
 * Reads only. Most tenants without live offers pay one query.
 */
export async function offersFor(db: Db, tenantId: string, memberId: string, cart: Bought[], at = new Date(), limit = 3) {
  const live = await repo.liveOffers(db, tenantId, at);
  if (!live.length) return [];
  const rules = live.map(toRule);
  const segmentCodes = [...new Set(rules.map((r) => r.segment).filter((s): s is string => s !== null))];
  const [history, shows, segments] = await Promise.all([
    repo.boughtSince(db, tenantId, memberId, new Date(at.getTime() - HISTORY_DAYS * DAY)),
    repo.showsWithinCaps(db, tenantId, memberId, rules.map((r) => r.id), at),
    segmentCodes.length ? memberSegmentCodes(db, tenantId, memberId, segmentCodes, at) : Promise.resolve([]),
  ]);
  return chooseOffers(rules, { at, cart, history, segments, shows }, limit).map((r) => r.row);
}

/** The member's voucher of this offer while it can still be used. */
async function usableVoucher(db: Db, tenantId: string, memberId: string, offerId: string, at: Date) {
  const voucher = await repo.issuedVoucher(db, tenantId, memberId, offerId);
  const usable = voucher && !voucher.voided_at && (voucher.max_uses === null || voucher.uses < voucher.max_uses) && (!voucher.expires_at || voucher.expires_at >= at);
  return { issued: Boolean(voucher), usable: usable ? voucher : null };
}

/** How offers look without being shown (a web shop's evaluation): the voucher only if one was issued. */
export async function describeOffers(db: Db, tenantId: string, memberId: string, offers: repo.OfferRow[], at = new Date()): Promise<ShownOffer[]> {
  return Promise.all(offers.map(async (offer) => toShownOffer(offer, (await usableVoucher(db, tenantId, memberId, offer.id, at)).usable)));
}

/**
 * Every path that shows offers takes the member's account lock first (DESIGN.md's lock order:
 * accounts before anything else, then the offer's row for its voucher), so that the showings
 * counted against the cap (showsWithinCaps) cannot change until it commits: concurrent showings
 * keep maxShows. A sale holds the same lock while it converts.
 */
export async function lockForShowing(trx: Db, tenantId: string, memberId: string) {
  await lockAccount(trx, tenantId, memberId);
}

/**
 * Shows offers to a member (the caller holds lockForShowing): one impression each, and the offer's personal voucher the first time
 * (issued under the offer's row lock, so a member never gets two).
 */
export async function showOffers(
  trx: Db,
  tenant: TenantRow,
  memberId: string,
  offers: repo.OfferRow[],
  where: { channel: 'till' | 'app' | 'online' | 'message'; storeId?: string | null },
  at = new Date(),
): Promise<ShownOffer[]> {
  const shown: ShownOffer[] = [];
  const impressions = [];
  for (const offer of offers) {
    let { issued, usable } = await usableVoucher(trx, tenant.id, memberId, offer.id, at);
    let voucherId = usable?.id ?? null;
    if (offer.voucher && !issued) {
      await repo.lockOffer(trx, tenant.id, offer.id);
      ({ issued, usable } = await usableVoucher(trx, tenant.id, memberId, offer.id, at));
      if (!issued) {
        const voucher = await issuePersonalVoucher(trx, tenant, { origin: 'offer', id: offer.id, name: offer.name }, offer.voucher as unknown as RewardVoucherTerms, memberId, at);
        usable = { id: voucher.id, code: voucher.code, expires_at: voucher.expiresAt, uses: 0, max_uses: 1, voided_at: null };
      }
      voucherId = usable?.id ?? null;
    }
    impressions.push({ tenant_id: tenant.id, id: newId(), offer_id: offer.id, member_id: memberId, channel: where.channel, store_id: where.storeId ?? null, voucher_id: voucherId, shown_at: at });
    shown.push(toShownOffer(offer, usable));
  }
  await repo.insertImpressions(trx, impressions);
  return shown;
}

/** The member app: the member's offers, each counted as shown at most once a day. */
export async function memberOffers(db: Db, tenantId: string, memberId: string) {
  return inTransaction(db, async (trx) => {
    await lockForShowing(trx, tenantId, memberId);
    const tenant = await getTenant(trx, tenantId);
    const at = new Date();
    const offers = await offersFor(trx, tenantId, memberId, [], at, 10);
    const today = await repo.shownSince(trx, tenantId, memberId, 'app', new Date(at.getTime() - DAY));
    const fresh = offers.filter((o) => !today.has(o.id));
    const shown = await showOffers(trx, tenant, memberId, fresh, { channel: 'app' }, at);
    const again = await describeOffers(trx, tenantId, memberId, offers.filter((o) => today.has(o.id)), at);
    return [...shown, ...again];
  });
}

const notApplicable = (message: string, reason: 'not_live' | 'not_in_segment' | 'capped') => new DomainError('conflict', message, { reason });

/** A web shop (or other channel) records that it showed an offer to a member; answers it with the member's voucher. */
export async function recordShowing(db: Db, principal: Principal, offerId: string, input: { memberId: string; channel: 'online' | 'message' }) {
  return inTransaction(db, async (trx) => {
    if (!(await repo.findOffer(trx, principal.tenantId, offerId))) throw notFound('Offer');
    const member = await trx.selectFrom('members').select(['id', 'status']).where('tenant_id', '=', principal.tenantId).where('id', '=', input.memberId).executeTakeFirst();
    if (!member || member.status !== 'active') throw invalidField('body.memberId', 'No such member');
    // The member's account, then the offer (the lock order): the cap and the offer's state hold until this commits.
    await lockForShowing(trx, principal.tenantId, member.id);
    const offer = await repo.lockOffer(trx, principal.tenantId, offerId);
    if (!offer || offer.status !== 'active') throw notFound('Offer');
    // The rules the till and the app obey (offer-engine.ts) but the trigger, which only the shop's cart shows.
    const at = new Date();
    const rule = toRule(offer);
    if (at < rule.startsAt || at > rule.endsAt) throw notApplicable('The offer is not running now', 'not_live');
    if (rule.segment !== null && !(await memberSegmentCodes(trx, principal.tenantId, member.id, [rule.segment], at)).includes(rule.segment)) {
      throw notApplicable(`The member is not in the offer's segment ${rule.segment}`, 'not_in_segment');
    }
    if (((await repo.showsWithinCaps(trx, principal.tenantId, member.id, [offer.id], at)).get(offer.id) ?? 0) >= rule.maxShows) {
      throw notApplicable(`The member was shown this offer ${rule.maxShows} times in the last ${offer.cap_days} days already`, 'capped');
    }
    const [shown] = await showOffers(trx, await getTenant(trx, principal.tenantId), member.id, [offer], { channel: input.channel }, at);
    return shown;
  });
}

/**
 * A posted sale converts the member's open showings of offers whose suggestion it contains (the
 * newest showing per offer, once: see offers.repository openImpressions), records what the
 * suggested lines paid as revenue, and gives the offer's bonus points. The caller holds the
 * member's account lock.
 */
export async function convertOffers(
  trx: Db,
  tenant: TenantRow,
  account: LockedAccount,
  memberId: string,
  sale: { id: string; receiptNo: string; at: Date; lines: (Bought & { amount: number; discount: number })[] },
) {
  const open = await repo.openImpressions(trx, tenant.id, memberId, sale.at);
  if (!open.length) return;
  // A line is attributed to one offer only (else two offers suggesting one SKU would share its revenue
  // and both pay bonus points): to the offer shown last, then the higher priority, then by id.
  open.sort((a, b) => b.shown_at.getTime() - a.shown_at.getTime() || b.priority - a.priority || (a.offer_id < b.offer_id ? -1 : 1));
  const claimed = new Set<number>();
  for (const impression of open) {
    const indexes = sale.lines.flatMap((line, i) => (!claimed.has(i) && isSuggested(impression.suggestion, line) ? [i] : []));
    if (!indexes.length) continue;
    for (const i of indexes) claimed.add(i);
    const bought = indexes.map((i) => sale.lines[i]);
    const revenue = bought.reduce((sum, line) => sum + line.amount - line.discount, 0);
    await repo.markConverted(trx, tenant.id, impression.id, sale.id, sale.at, revenue);
    if (impression.bonus_points) {
      await credit(trx, tenant.id, account, {
        kind: 'bonus', points: impression.bonus_points, reference: `offer:${impression.offer_id}`, note: impression.name,
        transactionId: sale.id, actor: { actor_kind: 'system', actor_id: null },
      }, { expiresAt: expiresAt(sale.at, policyOf(tenant)) });
    }
  }
}

type Actor = { actor_kind: string; actor_id: string | null };

/** Takes back the bonus points the offers' conversions by the sale gave (the caller holds the account lock). */
async function reclaimBonuses(trx: Db, tenantId: string, account: LockedAccount | null, transactionId: string, offerIds: string[], actor: Actor) {
  if (!account || !offerIds.length) return;
  const bonuses = await repo.conversionBonuses(trx, tenantId, account.id, transactionId);
  for (const offerId of offerIds) {
    const points = bonuses.get(offerId) ?? 0;
    if (points > 0) await reclaim(trx, tenantId, account, { kind: 'reverse', points, transactionId, reference: `offer:${offerId}`, actor });
  }
}

/**
 * A voided sale's conversions are undone: their showings are open again, and the bonus points they
 * gave are taken back (after the sale's own points; the caller holds the account lock).
 */
export async function undoConversions(trx: Db, tenantId: string, account: LockedAccount | null, memberId: string, transactionId: string, actor: Actor) {
  const converted = await repo.convertedBy(trx, tenantId, memberId, transactionId);
  if (!converted.length) return;
  await repo.unconvert(trx, tenantId, memberId, transactionId);
  await reclaimBonuses(trx, tenantId, account, transactionId, converted.map((c) => c.offer_id), actor);
}

/** What is left of `whole` after `part` of `of` units went back (floored like the refund's own share, in BigInt). */
const keptShare = (whole: number, part: number, of: number) => whole - Number((BigInt(whole) * BigInt(part)) / BigInt(of));

/**
 * A refund of a converting sale: each conversion's revenue becomes what its suggested lines still
 * hold; a conversion whose suggested lines are refunded in full is undone (its showing open again)
 * and its bonus points are taken back (the caller holds the account lock).
 * `refunded` is each line's refunded quantity after this refund.
 */
export async function refundConversions(
  trx: Db,
  tenantId: string,
  account: LockedAccount | null,
  memberId: string,
  transactionId: string,
  lines: (Bought & { quantity: number; refunded: number; amount: number; discount: number })[],
  actor: Actor,
) {
  const undone: string[] = [];
  for (const conversion of await repo.convertedBy(trx, tenantId, memberId, transactionId)) {
    const kept = lines.filter((line) => isSuggested(conversion.suggestion, line) && line.refunded < line.quantity);
    if (kept.length) {
      // Never above what the conversion counted: a line another offer's conversion was attributed (convertOffers) is not its own.
      const revenue = Math.min(Number(conversion.revenue), kept.reduce((sum, line) => sum + keptShare(line.amount - line.discount, line.refunded, line.quantity), 0));
      await repo.reviseConversion(trx, tenantId, conversion.id, revenue);
    } else {
      await repo.reviseConversion(trx, tenantId, conversion.id, null);
      undone.push(conversion.offer_id);
    }
  }
  await reclaimBonuses(trx, tenantId, account, transactionId, undone, actor);
}

export async function memberOfferHistory(db: Db, principal: Principal, memberId: string) {
  const rows = await repo.impressionsOfMember(db, principal.tenantId, memberId, 100);
  return rows.map((r) => ({
    id: r.id, offerId: r.offer_id, name: r.name, channel: r.channel, shownAt: r.shown_at.toISOString(),
    convertedAt: r.converted_at?.toISOString() ?? null, revenue: Number(r.revenue),
  }));
}
