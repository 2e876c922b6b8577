// Which offers to show a member now: plain functions of plain data, no database.
//
// An offer is a candidate when it is live (startsAt ≤ at ≤ endsAt), the member is in its segment
// (if it names one), it was shown fewer than maxShows times in the last capDays days, and its
// trigger meets what the member is buying (the cart) or recently bought (the history). An offer
// whose suggestion is already in the cart is left out: the member is buying it. Candidates are
// ranked by priority (higher first), then those the cart triggered before those the history did,
// then by id, and the first `limit` are shown.

export interface OfferRule {
  id: string;
  trigger: { skus?: string[]; categories?: string[] };
  suggestion: { sku?: string; category?: string };
  segment: string | null;
  startsAt: Date;
  endsAt: Date;
  priority: number;
  maxShows: number;
}

export interface Bought {
  sku: string;
  category: string | null;
}

export interface OfferContext {
  at: Date;
  cart: Bought[];
  history: Bought[];
  segments: string[];
  /** Showings per offer within that offer's capDays. */
  shows: ReadonlyMap<string, number>;
}

const triggeredBy = (offer: OfferRule, items: Bought[]) =>
  items.some((item) => offer.trigger.skus?.includes(item.sku) || (item.category !== null && offer.trigger.categories?.includes(item.category)));

/** Whether a bought item is what the offer suggests. */
export const isSuggested = (suggestion: OfferRule['suggestion'], item: Bought) =>
  suggestion.sku !== undefined ? item.sku === suggestion.sku : suggestion.category !== undefined && item.category === suggestion.category;

export function chooseOffers<T extends OfferRule>(offers: T[], ctx: OfferContext, limit = 3): T[] {
  const at = ctx.at.getTime();
  const ranked: { offer: T; byCart: boolean }[] = [];
  for (const offer of offers) {
    if (at < offer.startsAt.getTime() || at > offer.endsAt.getTime()) continue;
    if (offer.segment !== null && !ctx.segments.includes(offer.segment)) continue;
    if ((ctx.shows.get(offer.id) ?? 0) >= offer.maxShows) continue;
    if (ctx.cart.some((item) => isSuggested(offer.suggestion, item))) continue;
    const byCart = triggeredBy(offer, ctx.cart);
    if (!byCart && !triggeredBy(offer, ctx.history)) continue;
    ranked.push({ offer, byCart });
  }
  ranked.sort((a, b) => b.offer.priority - a.offer.priority || Number(b.byCart) - Number(a.byCart) || (a.offer.id < b.offer.id ? -1 : 1));
  return ranked.slice(0, limit).map((r) => r.offer);
}
