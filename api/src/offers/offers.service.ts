import type { Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { credit, type LockedAccount } from '../ledger/ledger.service.ts';
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
    if (merged.endsAt < merged.startsAt) throw invalidField(patch.endsAt !== undefined ? 'body.endsAt' : 'body.startsAt', 'endsAt must not be before startsAt');
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
 * Shows offers to a member: one impression each, and the offer's personal voucher the first time
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

/** A web shop (or other channel) records that it showed an offer to a member; answers it with the member's voucher. */
export async function recordShowing(db: Db, principal: Principal, offerId: string, input: { memberId: string; channel: 'online' | 'message' }) {
  return inTransaction(db, async (trx) => {
    const offer = await repo.findOffer(trx, principal.tenantId, offerId);
    if (!offer || offer.status !== 'active') throw notFound('Offer');
    const member = await trx.selectFrom('members').select(['id', 'status']).where('tenant_id', '=', principal.tenantId).where('id', '=', input.memberId).executeTakeFirst();
    if (!member || member.status !== 'active') throw invalidField('body.memberId', 'No such member');
    const [shown] = await showOffers(trx, await getTenant(trx, principal.tenantId), member.id, [offer], { channel: input.channel });
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
  for (const impression of open) {
    const bought = sale.lines.filter((line) => isSuggested(impression.suggestion, line));
    if (!bought.length) continue;
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

export async function memberOfferHistory(db: Db, principal: Principal, memberId: string) {
  const rows = await repo.impressionsOfMember(db, principal.tenantId, memberId, 100);
  return rows.map((r) => ({
    id: r.id, offerId: r.offer_id, name: r.name, channel: r.channel, shownAt: r.shown_at.toISOString(),
    convertedAt: r.converted_at?.toISOString() ?? null, revenue: Number(r.revenue),
  }));
}
