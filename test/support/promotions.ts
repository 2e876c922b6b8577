import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Tenant } from './factories.ts';

// Factories and calls for the checkout suites: promotions, voucher batches (codes read back from
// the batch's CSV, as a marketer would), /checkout/evaluate and sales.

type Agent = Tenant['owner'];

export const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();

/** POST /api/v1/promotions as the owner: live from an hour ago for 30 days, 10% off unless overridden. */
export async function newPromotion(tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const res = await tenant.owner.post('/api/v1/promotions').send({
    name: `Promo ${randomUUID().slice(0, 8)}`,
    startsAt: new Date(Date.now() - 3600e3).toISOString(),
    endsAt: inDays(30),
    effect: { type: 'percent_off', value: 10 },
    ...overrides,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; priority: number };
}

/**
 * POST /api/v1/vouchers/batches as the owner and its codes from the CSV: one single-use code, by
 * default Rp 10.000 off (other kinds give their own value, sku or maxDiscount).
 */
export async function newVoucherBatch(tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const amountOff = (overrides.kind ?? 'amount') === 'amount' ? { value: 1_000_000 } : {};
  const created = await tenant.owner
    .post('/api/v1/vouchers/batches')
    .send({ count: 1, kind: 'amount', ...amountOff, expiresAt: inDays(30), ...overrides });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const batchId = created.body.batchId as string;
  const csv = await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}/codes.csv`);
  expect(csv.status, csv.text).toBe(200);
  const [header, ...rows] = csv.text.trimEnd().split('\r\n');
  expect(header.split(',')[0]).toBe('code');
  const codes = rows.map((row) => row.split(',')[0]);
  return { batchId, codes, code: codes[0] };
}

/** GET /api/v1/vouchers/{code} as the owner: status, uses and latest redemptions. */
export async function voucherOf(tenant: Tenant, code: string) {
  const res = await tenant.owner.get(`/api/v1/vouchers/${encodeURIComponent(code)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { id: string; code: string; status: string; uses: number; maxUses: number | null; redemptions: { id: string; status: string; transactionId: string | null; amount: number }[] };
}

export const evaluate = (agent: Agent, body: Record<string, unknown>) => agent.post('/api/v1/checkout/evaluate').send(body);

/** POST /api/v1/transactions under a fresh Idempotency-Key (unless given). */
export const sell = (agent: Agent, body: Record<string, unknown>, key: string = randomUUID()) =>
  agent.post('/api/v1/transactions').set('Idempotency-Key', key).send(body);

/** The tenant's sales with this receipt number (GET /api/v1/transactions?receiptNo=). */
export async function salesWithReceipt(tenant: Tenant, receiptNo: string) {
  const res = await tenant.owner.get(`/api/v1/transactions?receiptNo=${encodeURIComponent(receiptNo)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string }[];
}
