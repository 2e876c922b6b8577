import { parseRupiah, type components } from '@kartu/api/client';
import { wholeNumber } from '$lib/forms';
import type { SaleLine } from './sale-form';

type Product = components['schemas']['Product'];

/**
 * A scanned SKU on the sale: the same SKU again adds one to its line; a product the catalogue does
 * not know (null) still makes a line, priced and named by the cashier, so the till never blocks a sale.
 */
export function addScanned(lines: SaleLine[], sku: string, product: Product | null): { lines: SaleLine[]; index: number } {
  const index = lines.findIndex((line) => line.sku.toLowerCase() === sku.toLowerCase());
  if (index >= 0) {
    const quantity = (wholeNumber(lines[index].quantity) ?? 0) + 1;
    return { lines: lines.map((line, i) => (i === index ? { ...line, quantity: String(quantity) } : line)), index };
  }
  const line: SaleLine = {
    sku: product?.sku ?? sku,
    name: product?.name ?? '',
    category: product?.category ?? undefined,
    quantity: '1',
    catalogued: product !== null,
    catalogPrice: product?.unitPrice ?? null,
    price: '',
  };
  return { lines: [...lines, line], index: lines.length };
}

export const unitPriceOf = (line: SaleLine) => line.catalogPrice ?? parseRupiah(line.price);

/** A line the sale can be worked out with: a whole quantity of at least 1 and a price above 0. */
export function lineItem(line: SaleLine) {
  const quantity = wholeNumber(line.quantity);
  const unitPrice = unitPriceOf(line);
  if (quantity === null || quantity < 1 || unitPrice === null || unitPrice <= 0) return null;
  return { sku: line.sku, name: line.name.trim() || undefined, category: line.category, quantity, unitPrice };
}

export const subtotalOf = (lines: SaleLine[]) =>
  lines.reduce((sum, line) => {
    const item = lineItem(line);
    return item ? sum + item.quantity * item.unitPrice : sum;
  }, 0);
