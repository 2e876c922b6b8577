import { z } from 'zod';

// Why a points entry happened, in terms an app can put into words ("Belanja di Toko Sudirman",
// "Hadiah: Voucher Belanja", "Retur di Toko Sudirman") instead of the ledger's raw references
// (`referral:<id>`, `welcome`, a receipt number). Derived from the entry and the sale it belongs to.

export const ENTRY_REASONS = [
  'sale', 'claim', 'sale_payment', 'refund', 'void', 'reward', 'reward_cancelled', 'spent', 'expiry', 'adjustment', 'merge',
  'welcome', 'referral', 'offer', 'offer_reversed', 'automation', 'bonus', 'opening', 'debt', 'repay',
] as const;

export const EntryReasonSchema = z
  .object({
    type: z.enum(ENTRY_REASONS).meta({
      description:
        'sale: points earned on a purchase; claim: a forgotten-card receipt attached later; sale_payment: points paid with at a sale; refund / void: a sale refunded or cancelled; ' +
        'reward: points exchanged for a reward (`name`); reward_cancelled: that exchange undone; spent: points spent at the till without a sale; expiry; adjustment: by staff (`note` says why); ' +
        'merge: moved from a duplicate membership; welcome, referral, offer (`name`), offer_reversed, automation, bonus: bonus points; opening: an imported balance; debt / repay: points owed after a refund.',
    }),
    store: z.string().nullable().meta({ description: 'The store of the sale, by name' }),
    channel: z.enum(['store', 'online']).nullable().meta({ description: 'Where the sale was made' }),
    receiptNo: z.string().nullable(),
    name: z.string().nullable().meta({ description: 'The reward or offer' }),
    note: z.string().nullable().meta({ description: 'The reason staff gave for an adjustment' }),
  })
  .meta({ id: 'PointEntryReason', description: 'Why the entry happened, for a member-facing history: the kind of event, the sale’s store, the reward or offer' });

export type EntryReason = z.infer<typeof EntryReasonSchema>;

export interface ReasonSource {
  kind: string;
  reference: string | null;
  note: string | null;
  transaction_id: string | null;
  store_name: string | null;
  sale_channel: 'store' | 'online' | null;
  sale_status: 'posted' | 'voided' | null;
}

/** Entries whose reference is the sale's receipt number. */
const SALE_REFERENCED = new Set<EntryReason['type']>(['sale', 'claim', 'sale_payment', 'refund', 'void', 'debt']);

/** Written by reward-redemptions.service when a redemption is cancelled. */
const REWARD_CANCELLED_NOTE = 'Reward redemption cancelled';

function typeOf(entry: ReasonSource): EntryReason['type'] {
  const reference = entry.reference ?? '';
  const sale = entry.transaction_id !== null;
  const undone = entry.sale_status === 'voided' ? 'void' : 'refund';
  switch (entry.kind) {
    case 'earn':
      return entry.note === 'claimed' ? 'claim' : 'sale';
    case 'redeem':
      if (sale) return 'sale_payment';
      return reference === 'redemption' ? 'spent' : 'reward';
    case 'reverse':
      if (reference.startsWith('offer:')) return 'offer_reversed';
      return undone;
    case 'return':
      if (entry.note === REWARD_CANCELLED_NOTE) return 'reward_cancelled';
      return undone;
    case 'expire':
      return 'expiry';
    case 'adjust':
      return reference.startsWith('merge:') ? 'merge' : 'adjustment';
    case 'bonus':
      if (reference === 'welcome') return 'welcome';
      if (reference.startsWith('referral:')) return 'referral';
      if (reference.startsWith('offer:')) return 'offer';
      if (reference.startsWith('automation:')) return 'automation';
      return 'bonus';
    case 'opening':
      return 'opening';
    case 'debt':
      return 'debt';
    default:
      return 'repay';
  }
}

export function entryReason(entry: ReasonSource): EntryReason {
  const type = typeOf(entry);
  const sale = entry.transaction_id !== null;
  const named = type === 'reward' || type === 'reward_cancelled' ? entry.reference : type === 'offer' ? entry.note : null;
  return {
    type,
    store: sale ? entry.store_name : null,
    channel: sale ? entry.sale_channel : null,
    receiptNo: sale && SALE_REFERENCED.has(type) ? entry.reference : null,
    name: named,
    note: type === 'adjustment' ? entry.note : null,
  };
}
