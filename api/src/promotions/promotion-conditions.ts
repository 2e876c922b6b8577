// When a promotion applies, and why a voucher code is refused. Pure; the wall clock is read once
// per evaluation through earning's `localClock` (Intl, no date library).
//
// Promotions — every condition given must hold (an empty list counts as no condition):
//  - startsAt / endsAt: instants, both inclusive, compared with the sale's `at` to the millisecond.
//  - channels; stores (a sale without a store never matches); regions (the shipping region,
//    trimmed and regardless of case: 'jawa ' is 'Jawa'; a sale without a region never matches).
//  - tiers (member.tierCode), segments (the member is in at least one), firstPurchaseOnly
//    (member.isFirstPurchase): a guest never matches any of them.
//  - minSpend: the goods subtotal (shipping excluded, before any discount) is at least minSpend.
//  - daysOfWeek (1 = Monday … 7 = Sunday) and hours ('HH:MM', from inclusive, to exclusive) on the
//    wall clock of `timeZone`, exactly as earning rules read them: a window with from > to wraps
//    midnight and its part after midnight belongs to the day it started.
// A malformed instant or 'HH:MM' makes its condition fail: a broken campaign gives nothing away.
//
// Vouchers — the first reason that applies wins: unknown (no match) → not_started (before
// startsAt) → expired (after expiresAt, inclusive; none = never) — both checked at the sale's time
// and at `now`, when the voucher is used → wrong_channel → wrong_store (a sale without
// a store is wrong for a store-bound voucher) → not_eligible (the database side says so, or the
// voucher gives nothing to this cart on its own: a free item not in the cart, free shipping on a
// fee of 0) → used_up → min_spend (goods subtotal below minSpend). `not_combinable` comes later,
// from stacking (see promotion-engine.ts).

import { localClock, minutesOf } from '../earning/rule-conditions.ts';
import type { PromotionInput, Promotion, RejectionReason, VoucherMatch } from './promotion-engine.ts';

/** What every condition reads: the input, its goods subtotal, and its wall clock (computed at most once). */
export interface Evaluation {
  input: PromotionInput;
  at: number;
  now: number;
  /** The shipping region as regions are compared (regionKey), or null. */
  region: string | null;
  subtotal: number;
  clock: () => { weekday: number; minutes: number };
}

export function evaluationOf(input: PromotionInput, subtotal: number): Evaluation {
  const at = input.at.getTime();
  let clock: { weekday: number; minutes: number } | null = null;
  const region = input.shipping.region === null ? null : regionKey(input.shipping.region);
  return { input, at, now: input.now?.getTime() ?? at, region, subtotal, clock: () => (clock ??= localClock(at, input.timeZone)) };
}

/** A shipping region as promotions compare it: trimmed, regardless of case. */
export const regionKey = (region: string) => region.trim().toLowerCase();

export function promotionApplies(promotion: Promotion, e: Evaluation): boolean {
  const { input } = e;
  const c = promotion.conditions ?? {};
  if (!(e.at >= instant(promotion.startsAt) && e.at <= instant(promotion.endsAt))) return false;
  if (given(c.channels) && !c.channels.includes(input.channel)) return false;
  if (given(c.stores) && (input.storeId === null || !c.stores.includes(input.storeId))) return false;
  if (given(c.regions) && (e.region === null || !c.regions.some((r) => regionKey(r) === e.region))) return false;
  const member = input.member;
  if (given(c.tiers) && (member === null || !c.tiers.includes(member.tierCode))) return false;
  if (given(c.segments) && (member === null || !c.segments.some((s) => member.segments.includes(s)))) return false;
  if (c.firstPurchaseOnly && !member?.isFirstPurchase) return false;
  if (c.minSpend != null && !(e.subtotal >= c.minSpend)) return false;
  if (given(c.daysOfWeek) || c.hours != null) return inWeeklyWindow(e, c.daysOfWeek, c.hours);
  return true;
}

/** Why a voucher cannot be used on this cart, or null; `givesSomething` = its discount for this cart on its own is above 0. */
export function voucherRejection(match: VoucherMatch | null, e: Evaluation, givesSomething: boolean): RejectionReason | null {
  if (match === null) return 'unknown';
  const { input } = e;
  if (match.startsAt != null && !(Math.min(e.at, e.now) >= Date.parse(match.startsAt))) return 'not_started';
  if (match.expiresAt != null && !(Math.max(e.at, e.now) <= Date.parse(match.expiresAt))) return 'expired';
  if (given(match.channels) && !match.channels.includes(input.channel)) return 'wrong_channel';
  if (given(match.stores) && (input.storeId === null || !match.stores.includes(input.storeId))) return 'wrong_store';
  if (match.state === 'not_eligible' || !givesSomething) return 'not_eligible';
  if (match.state === 'used_up') return 'used_up';
  if (!(e.subtotal >= match.minSpend)) return 'min_spend';
  return null;
}

const instants = new Map<string, number>();

/** Date.parse, remembered (bounded): every evaluation reads the same promotions' dates again. */
function instant(iso: string): number {
  let ms = instants.get(iso);
  if (ms === undefined) {
    if (instants.size >= 10_000) instants.clear();
    ms = Date.parse(iso);
    instants.set(iso, ms);
  }
  return ms;
}

function inWeeklyWindow(e: Evaluation, daysOfWeek: number[] | undefined, hours: { from: string; to: string } | undefined): boolean {
  if (!Number.isFinite(e.at)) return false;
  const { weekday, minutes } = e.clock();
  let day = weekday;
  if (hours != null) {
    const from = minutesOf(hours.from);
    const to = minutesOf(hours.to);
    if (from === null || to === null || from === to) return false;
    if (from < to) {
      if (minutes < from || minutes >= to) return false;
    } else if (minutes < to) {
      day = weekday === 1 ? 7 : weekday - 1;
    } else if (minutes < from) {
      return false;
    }
  }
  return !given(daysOfWeek) || daysOfWeek.includes(day);
}

function given<T>(list: T[] | undefined | null): list is T[] {
  return Array.isArray(list) && list.length > 0;
}
