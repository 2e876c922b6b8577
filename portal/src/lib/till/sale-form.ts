import type { components } from '@kartu/api/client';

// What the cashier has entered on the till's sale form, as plain data: kept with an unconfirmed sale
// so that after a reload the till shows the same sale again.

/** A code on the sale: looked up once when applied; an unknown one is never sent again. */
export interface AppliedCode {
  code: string;
  checking: boolean;
  unknown: boolean;
  lookup: components['schemas']['VoucherLookup'] | null;
}

/** A line for the item a free-item voucher gives, priced by the cashier so that the discount can be worked out. */
export interface FreeItem {
  sku: string;
  code: string;
  price: string;
}

/** The item an offer suggests, taken by the member: a line of its own, priced by the cashier, so that the sale converts the offer. */
export interface OfferItem {
  offerId: string;
  sku: string;
  category?: string;
  name: string;
  price: string;
}

export interface SaleForm {
  totalText: string;
  /** Absent in sales kept before the till could take items. */
  mode?: 'total' | 'items';
  lines?: SaleLine[];
  pointsText: string;
  codes: AppliedCode[];
  freeItems: FreeItem[];
  offerItems: OfferItem[];
  /** Whether the member's scan let the till spend (a QR, or the one-time code), as the scan said. */
  canSpend: boolean;
}

/** A line of a sale entered as items: its price from the catalogue, or typed when the catalogue has none. */
export interface SaleLine {
  sku: string;
  name: string;
  category?: string;
  quantity: string;
  /** Known to the catalogue: its name is shown, not typed. */
  catalogued: boolean;
  catalogPrice: number | null;
  price: string;
}
