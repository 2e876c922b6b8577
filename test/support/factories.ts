import { randomInt, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { cardOfMember } from '../../api/src/cards/cards.service.ts';
import type { TestApp } from './test-app.ts';

export const PASSWORD = 'correct horse battery';

const unique = () => randomUUID().slice(0, 8);
/** A random Indonesian mobile number in national form, e.g. 081234567890. */
export const newPhone = (): string => `0812${String(randomInt(1e8)).padStart(8, '0')}`;

export async function newTenant(app: TestApp, overrides: Record<string, unknown> = {}) {
  const id = unique();
  const owner = app.agent();
  const email = `owner-${id}@test.kartu`;
  const res = await owner
    .post('/api/v1/signup')
    .send({ retailerName: `Toko ${id}`, email, password: PASSWORD, slug: `t-${id}`, ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.tenantId as string, slug: res.body.slug as string, ownerId: res.body.ownerId as string, owner, ownerEmail: email };
}

export type Tenant = Awaited<ReturnType<typeof newTenant>>;

export async function newStore(tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const res = await tenant.owner.post('/api/v1/stores').send({ code: `S${unique()}`, name: 'Toko Cabang', ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; code: string; name: string };
}

/** A signed-in staff member of the tenant, as a cookie-keeping agent. */
export async function newStaff(app: TestApp, tenant: Tenant, role: 'admin' | 'marketer' | 'cashier', storeId?: string) {
  const email = `${role}-${unique()}@test.kartu`;
  const created = await tenant.owner.post('/api/v1/staff').send({ email, name: `${role} ${unique()}`, role, password: PASSWORD, storeId });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const agent = app.agent();
  const login = await agent.post('/api/v1/auth/login').send({ email, password: PASSWORD });
  expect(login.status).toBe(200);
  return { id: created.body.id as string, email, agent };
}

export async function newApiKey(tenant: Tenant, scopes: string[], storeId?: string) {
  const res = await tenant.owner.post('/api/v1/api-keys').send({ name: `key ${unique()}`, scopes, storeId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.key as string;
}

export async function newMember(tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const res = await tenant.owner.post('/api/v1/members').send({ name: `Member ${unique()}`, phone: newPhone(), ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; phone: string; cardNumber: string; points: { balance: number } };
}

/** The signed code the member's printed card and app QR carry. */
export async function cardCodeOf(app: TestApp, tenant: Tenant, memberId: string) {
  return (await cardOfMember(app.deps.db, app.deps.config.secretKey, tenant.id, memberId)).code;
}

let receiptCounter = 0;
export const newReceipt = () => `R-${unique()}-${++receiptCounter}`;

export const rupiah = (amount: number) => amount * 100;

/** A simple one-line sale body. */
export function saleBody(overrides: Record<string, unknown> = {}) {
  return { receiptNo: newReceipt(), items: [{ sku: 'SKU-1', quantity: 1, unitPrice: rupiah(150_000) }], ...overrides };
}
