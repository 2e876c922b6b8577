import type { Db } from '../deps.ts';
import { DomainError, type FieldError } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { effectiveStoreId, requireKnownStore } from '../stores/stores.service.ts';
import { crossSellItem, upSellItem, type MinedWindow } from './mining.mapper.ts';
import * as repo from './mining.repository.ts';

export const DEFAULT_WINDOW_DAYS = 90;
/** Two years, a leap day included. */
export const MAX_WINDOW_DAYS = 731;
export const DEFAULTS = { minSupport: 0.01, minConfidence: 0.1, minLift: 1.2, minCount: 3, minShare: 0, limit: 50 } as const;

export const MINING_FORMULAS = `
Suggestions mined from the tenant's own baskets, for a marketer to turn into offers (each item carries an \`offerDraft\`
that \`POST /api/v1/offers\` accepts as it is, to be adjusted first if need be).

**Window.** Posted sales with \`from ≤ occurredAt < to\` (default: the last ${DEFAULT_WINDOW_DAYS} days up to now; with only
\`from\`, up to now; with only \`to\`, the ${DEFAULT_WINDOW_DAYS} days before it), at most ${MAX_WINDOW_DAYS} days long, at one store with
\`storeId\` (a store-bound key or staff member always mines its own store). Voided sales never count. A **basket** is one
posted sale; a line counts unless it is fully refunded (partly refunded lines count); a basket counts an item once however many
units or lines hold it. \`baskets\` (N) is the number of baskets in the window with at least one counting line. At category level
lines without a category (or a blank one) are not items, but their baskets still count in N.

**Cross-sell** (\`kind=cross_sell\`, \`level=sku\` or \`category\`): for each ordered pair A → B of different items,
- \`baskets.withFrom\` = baskets containing A, \`baskets.withTo\` = baskets containing B, \`baskets.withBoth\` = baskets containing both, \`baskets.all\` = N;
- \`support = withBoth / N\`;
- \`confidence = withBoth / withFrom\` (of the baskets with A, the share that also hold B);
- \`lift = confidence / (withTo / N) = withBoth × N / (withFrom × withTo)\` (above 1: B is bought with A more often than on its own).

Computed exactly in SQL numeric and returned rounded to 4 decimals (half away from zero). A pair is listed when
\`withBoth ≥ minCount\` (default ${DEFAULTS.minCount}), \`support ≥ minSupport\` (default ${DEFAULTS.minSupport}), \`confidence ≥ minConfidence\`
(default ${DEFAULTS.minConfidence}) and \`lift ≥ minLift\` (default ${DEFAULTS.minLift}), the thresholds compared with the exact values. Sorted by lift, then
confidence, then withBoth (all descending), then A and B; the first \`limit\` (default ${DEFAULTS.limit}). Both A → B and B → A appear
when both pass: support and lift are symmetric, confidence is not.

**Up-sell** (\`kind=up_sell\`, SKU level only): within one category, SKU Y is a step up from SKU X when Y's price is higher, a
SKU's price being the median unit price of its counting lines in the window (the lower middle value with an even number:
\`percentile_disc(0.5)\`), in minor units. For each such X → Y,
- \`buyers\` = members with a counting line of X in the window (guest sales have no member and count only for prices);
- \`members\` = those of them whose last purchase of Y in the window came after their first purchase of X (strictly later; the same sale is not later);
- \`share = members / buyers\`, rounded to 4 decimals;
- \`priceDifference = to.price − from.price\` (minor units).

Listed when \`members ≥ minCount\` (default ${DEFAULTS.minCount}) and \`share ≥ minShare\` (default ${DEFAULTS.minShare}); sorted by members,
then share, then priceDifference (descending), then category, X and Y; the first \`limit\`. A line's category is the one the
sale recorded, so a SKU sold under two categories is a candidate in each.

**Parameters.** \`minSupport\`, \`minConfidence\` and \`minShare\` are between 0 and 1, \`minLift\` between 0 and 1000, \`minCount\` a whole
number from 1, \`limit\` 1–200. \`minSupport\`, \`minConfidence\`, \`minLift\` and \`level=category\` apply to cross-sell only, \`minShare\` to
up-sell only: sent with the other kind they are 400, as are \`from\` not before \`to\`, a window over ${MAX_WINDOW_DAYS} days and a store that is
not the tenant's; \`errors\` names the query field.

**The offer draft.** Cross-sell: trigger \`{skus: [A]}\` or \`{categories: [A]}\`, suggestion \`{sku: B, name}\` or \`{category: B}\`;
up-sell: trigger \`{skus: [X]}\`, suggestion \`{sku: Y, name}\`. A name and short messages in Bahasa Indonesia and English, valid for
30 days from now, and \`mined\` with the figures and the window they come from.`;

export interface SuggestionQuery {
  kind: 'cross_sell' | 'up_sell';
  level?: 'sku' | 'category';
  from?: string;
  to?: string;
  storeId?: string;
  minSupport?: number;
  minConfidence?: number;
  minLift?: number;
  minShare?: number;
  minCount?: number;
  limit?: number;
}

const DAY_MS = 86400e3;

/** The window to mine; every error names the query field. */
export function resolveWindow(query: Pick<SuggestionQuery, 'from' | 'to'>, now: Date): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  const errors: FieldError[] = [];
  if (from.getTime() >= to.getTime()) {
    errors.push(query.to
      ? { path: 'query.to', message: 'Must be after from' }
      : { path: 'query.from', message: 'Must be before to (now, when to is left out)' });
  } else if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    errors.push({ path: 'query.from', message: `The window from from to to may span at most ${MAX_WINDOW_DAYS} days (two years)` });
  }
  if (errors.length) throw new DomainError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {}, errors);
  return { from, to };
}

/** Exact decimal text of a threshold for SQL numeric (a JS number's shortest form, which numeric parses exactly). */
const decimal = (value: number) => String(value);

/** Cross-sell pairs or up-sell candidates of the caller's tenant, each with an offer draft. */
export async function offerSuggestions(db: Db, principal: Principal, query: SuggestionQuery, now = new Date()) {
  const { from, to } = resolveWindow(query, now);
  const storeId = effectiveStoreId(principal, query.storeId);
  const window: repo.MiningWindow = { tenantId: principal.tenantId, from, to, storeId };
  const limit = query.limit ?? DEFAULTS.limit;
  const minCount = query.minCount ?? DEFAULTS.minCount;
  const mined: MinedWindow = { from: from.toISOString(), to: to.toISOString(), storeId };
  // One read-only transaction: the store check and the mining see the same data, and the settings
  // for the mining statement (repo.tuneForMining) end with it.
  return inTransaction(db, async (trx) => {
    if (query.storeId) await requireKnownStore(trx, principal.tenantId, query.storeId, 'query.storeId');
    await repo.tuneForMining(trx);
    if (query.kind === 'up_sell') {
      const minShare = query.minShare ?? DEFAULTS.minShare;
      const rows = await repo.upSellCandidates(trx, window, { minShare: decimal(minShare), minCount, limit });
      return {
        kind: query.kind,
        level: 'sku' as const,
        window: { from: mined.from, to: mined.to },
        storeId,
        baskets: rows[0]?.baskets ?? 0,
        thresholds: { minCount, minShare },
        items: rows.filter((r) => r.x !== null).map((r) => upSellItem(r, mined, now)),
      };
    }
    const level = query.level ?? 'sku';
    const thresholds = {
      minSupport: query.minSupport ?? DEFAULTS.minSupport,
      minConfidence: query.minConfidence ?? DEFAULTS.minConfidence,
      minLift: query.minLift ?? DEFAULTS.minLift,
      minCount,
    };
    const rows = await repo.coPurchasePairs(trx, window, level, {
      minSupport: decimal(thresholds.minSupport),
      minConfidence: decimal(thresholds.minConfidence),
      minLift: decimal(thresholds.minLift),
      minCount,
      limit,
    });
    return {
      kind: query.kind,
      level,
      window: { from: mined.from, to: mined.to },
      storeId,
      baskets: rows[0]?.baskets ?? 0,
      thresholds,
      items: rows.filter((r) => r.a !== null).map((r) => crossSellItem(r, level, mined, now)),
    };
  });
}
