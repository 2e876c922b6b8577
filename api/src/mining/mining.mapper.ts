import { z } from 'zod';
import type { PairRow, UpSellRow } from './mining.repository.ts';

const Money = z.number().int().meta({ description: 'Minor units of the tenant currency' });
const Ratio = z.number().meta({ description: 'Rounded to 4 decimals' });
const DRAFT_DAYS = 30;

const MinedItemSchema = z
  .object({
    sku: z.string().optional(),
    category: z.string().optional(),
    name: z.string().nullable().optional().meta({ description: 'SKU level: a name the SKU was sold under in the window (the greatest when it varied); null if none' }),
  })
  .meta({ id: 'MinedItem', description: 'A SKU (`sku`, `name`) or, at category level, a category (`category`)' });

export const OfferDraftSchema = z
  .object({
    kind: z.enum(['cross_sell', 'up_sell']),
    name: z.string(),
    trigger: z.object({ skus: z.array(z.string()).optional(), categories: z.array(z.string()).optional() }),
    suggestion: z.object({ sku: z.string().optional(), category: z.string().optional(), name: z.string().optional() }),
    message: z.object({ id: z.string(), en: z.string() }).meta({ description: 'Bahasa Indonesia and English' }),
    startsAt: z.string().meta({ description: 'Now' }),
    endsAt: z.string().meta({ description: `${DRAFT_DAYS} days from now` }),
    mined: z.record(z.string(), z.unknown()).meta({ description: 'The figures and the window the suggestion comes from' }),
  })
  .meta({ id: 'OfferDraft', description: 'A body for `POST /api/v1/offers`, to adjust before sending (or send as it is)' });

const CrossSellItemSchema = z
  .object({
    from: MinedItemSchema.meta({ description: 'A: what the member buys' }),
    to: MinedItemSchema.meta({ description: 'B: what goes with it' }),
    support: Ratio.meta({ description: 'withBoth / all' }),
    confidence: Ratio.meta({ description: 'withBoth / withFrom' }),
    lift: Ratio.meta({ description: 'confidence / (withTo / all)' }),
    baskets: z.object({
      all: z.number().int(),
      withFrom: z.number().int(),
      withTo: z.number().int(),
      withBoth: z.number().int(),
    }),
    offerDraft: OfferDraftSchema,
  })
  .meta({ id: 'CrossSellSuggestion' });

const PricedSkuSchema = z
  .object({ sku: z.string(), name: z.string().nullable(), price: Money.meta({ description: 'Median unit price in the window' }) })
  .meta({ id: 'PricedSku' });

const UpSellItemSchema = z
  .object({
    from: PricedSkuSchema.meta({ description: 'X: what the members bought first' }),
    to: PricedSkuSchema.meta({ description: 'Y: the dearer SKU of the same category they bought later' }),
    category: z.string(),
    buyers: z.number().int().meta({ description: 'Members who bought X in the window' }),
    members: z.number().int().meta({ description: 'Of them, those who bought Y later' }),
    share: Ratio.meta({ description: 'members / buyers' }),
    priceDifference: Money.meta({ description: 'to.price − from.price' }),
    offerDraft: OfferDraftSchema,
  })
  .meta({ id: 'UpSellSuggestion' });

const common = {
  window: z.object({ from: z.string(), to: z.string() }).meta({ description: 'from inclusive, to exclusive' }),
  storeId: z.string().nullable().meta({ description: 'The store mined; null: all stores' }),
  baskets: z.number().int().meta({ description: 'Baskets in the window with at least one counting line (N)' }),
};

export const SuggestionsSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('cross_sell'),
      level: z.enum(['sku', 'category']),
      ...common,
      thresholds: z.object({ minSupport: z.number(), minConfidence: z.number(), minLift: z.number(), minCount: z.number().int() }),
      items: z.array(CrossSellItemSchema),
    }),
    z.object({
      kind: z.literal('up_sell'),
      level: z.literal('sku'),
      ...common,
      thresholds: z.object({ minCount: z.number().int(), minShare: z.number() }),
      items: z.array(UpSellItemSchema),
    }),
  ])
  .meta({ id: 'OfferSuggestions' });

export interface MinedWindow {
  from: string;
  to: string;
  storeId: string | null;
}

type CrossSellItem = z.infer<typeof CrossSellItemSchema>;
type UpSellItem = z.infer<typeof UpSellItemSchema>;
type OfferDraft = z.infer<typeof OfferDraftSchema>;

/** At most `max` characters, an ellipsis marking a cut. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** What a message calls an item: its name, else its code. */
const label = (code: string, name: string | null) => clip(name?.trim() || code, 100);
const named = (name: string | null) => (name?.trim() ? { name: clip(name.trim(), 200) } : {});

function draft(now: Date, fields: Omit<OfferDraft, 'startsAt' | 'endsAt'>): OfferDraft {
  return {
    ...fields,
    name: clip(fields.name, 200),
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + DRAFT_DAYS * 86400e3).toISOString(),
  };
}

export function crossSellItem(row: PairRow, level: 'sku' | 'category', window: MinedWindow, now: Date): CrossSellItem {
  const a = row.a!;
  const b = row.b!;
  const baskets = { all: row.baskets, withFrom: row.with_a, withTo: row.with_b, withBoth: row.with_both };
  const figures = { support: row.support, confidence: row.confidence, lift: row.lift };
  const mined = { source: 'basket_mining', kind: 'cross_sell', level, ...figures, baskets, window: { from: window.from, to: window.to }, storeId: window.storeId };
  if (level === 'category') {
    return {
      from: { category: a },
      to: { category: b },
      ...figures,
      baskets,
      offerDraft: draft(now, {
        kind: 'cross_sell',
        name: `Cross-sell: ${a} → ${b}`,
        trigger: { categories: [a] },
        suggestion: { category: b, name: clip(b, 200) },
        message: {
          id: `Yang membeli ${clip(a, 100)} sering juga membeli ${clip(b, 100)}. Lihat pilihannya!`,
          en: `People who buy ${clip(a, 100)} often buy ${clip(b, 100)} too. Take a look!`,
        },
        mined,
      }),
    };
  }
  const from = label(a, row.a_name);
  const to = label(b, row.b_name);
  return {
    from: { sku: a, name: row.a_name },
    to: { sku: b, name: row.b_name },
    ...figures,
    baskets,
    offerDraft: draft(now, {
      kind: 'cross_sell',
      name: `Cross-sell: ${from} → ${to}`,
      trigger: { skus: [a] },
      suggestion: { sku: b, ...named(row.b_name) },
      message: { id: `Sering dibeli bersama ${from}: ${to}. Mau sekalian?`, en: `Often bought with ${from}: ${to}. Add one too?` },
      mined,
    }),
  };
}

export function upSellItem(row: UpSellRow, window: MinedWindow, now: Date): UpSellItem {
  const x = row.x!;
  const y = row.y!;
  const priceDifference = row.y_price - row.x_price;
  const from = label(x, row.x_name);
  const to = label(y, row.y_name);
  return {
    from: { sku: x, name: row.x_name, price: row.x_price },
    to: { sku: y, name: row.y_name, price: row.y_price },
    category: row.category!,
    buyers: row.buyers,
    members: row.members,
    share: row.share,
    priceDifference,
    offerDraft: draft(now, {
      kind: 'up_sell',
      name: `Up-sell: ${from} → ${to}`,
      trigger: { skus: [x] },
      suggestion: { sku: y, ...named(row.y_name) },
      message: { id: `Coba ${to}: naik kelas dari ${from}.`, en: `Try ${to}: a step up from ${from}.` },
      mined: {
        source: 'basket_mining', kind: 'up_sell', category: row.category, buyers: row.buyers, members: row.members, share: row.share,
        priceDifference, fromPrice: row.x_price, toPrice: row.y_price, window: { from: window.from, to: window.to }, storeId: window.storeId,
      },
    }),
  };
}
