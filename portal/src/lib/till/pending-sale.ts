import type { paths } from '@kartu/api/client';
import type { Failure } from '$lib/api';
import type { SaleForm } from './sale-form';

// A sale sent to the server but not confirmed yet (the connection failed, the server was busy, the
// tablet reloaded while it was on its way). It is kept in the browser with its Idempotency-Key and
// the exact body until the server gives a final answer: a retry sends both again, so the server
// posts it once whether or not the first request had reached it. The key is scoped to the staff
// member, so the sale is kept per staff member.

export type SaleBody = paths['/api/v1/transactions']['post']['requestBody']['content']['application/json'];

export interface PendingSale {
  key: string;
  body: SaleBody;
  memberName?: string;
  /** Codes the till left out of the sale, with the reason, to show once it is posted. */
  notUsed: { code: string; reason: string }[];
  savedAt: string;
  /** The form as the cashier filled it in, to show it again after a reload. */
  form?: SaleForm;
}

const storageKey = (tenantId: string, staffId: string) => `kartu.till.pendingSale.${tenantId}.${staffId}`;

export function loadPendingSale(tenantId: string, staffId: string): PendingSale | null {
  try {
    const sale = JSON.parse(localStorage.getItem(storageKey(tenantId, staffId)) ?? 'null') as PendingSale | null;
    return sale && typeof sale.key === 'string' && typeof sale.body?.receiptNo === 'string' ? { ...sale, notUsed: sale.notUsed ?? [] } : null;
  } catch {
    return null;
  }
}

/** Kept before the request is sent, so that a reload in flight still finds it. */
export function keepPendingSale(tenantId: string, staffId: string, sale: PendingSale) {
  try {
    localStorage.setItem(storageKey(tenantId, staffId), JSON.stringify(sale));
  } catch {
    // Storage full or switched off: the page still holds the sale and its key until it is confirmed.
  }
}

/**
 * Lets go of this sale (by its key) only: another tab of the same till may have kept its own
 * unconfirmed sale since, and that one must stay until it has its answer.
 */
export function forgetPendingSale(tenantId: string, staffId: string, key: string) {
  try {
    if (loadPendingSale(tenantId, staffId)?.key === key) localStorage.removeItem(storageKey(tenantId, staffId));
  } catch {
    // Nothing was kept.
  }
}

/**
 * Whether the server decided about the sale (posted it, or refused it for good). A failure that
 * could have happened before or after the sale was stored is not: no answer (network), a 5xx, the
 * first request still running (409 idempotency-in-progress), a rate limit, a timeout, or a sign-in
 * that expired (401: signing in again and retrying posts it).
 */
export function isFinal(failure: Failure): boolean {
  if (failure.status < 400 || failure.status >= 500) return false;
  if ([401, 408, 429].includes(failure.status)) return false;
  return !failure.problem?.type?.endsWith('idempotency-in-progress');
}
