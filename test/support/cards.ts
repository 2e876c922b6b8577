import { expect } from 'vitest';
import { counterAt, rotatingCode, rotatingQrText } from '../../api/client/rotating-code.ts';
import { newMember, newPhone, type Tenant } from './factories.ts';
import type { TestApp } from './test-app.ts';

export interface MemberCard {
  cardNumber: string;
  code: string;
  rotating: { secret: string; periodSeconds: number; digits: number };
  serverTime: string;
}

/** A member signed in to the phone app (one-time code read from the outbox table), as a cookie-keeping agent. */
export async function signedInMember(app: TestApp, tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const phone = newPhone();
  const member = await newMember(tenant, { phone, ...overrides });
  const sent = await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  const message = await app.deps.db
    .selectFrom('outbox_messages')
    .select('body')
    .where('tenant_id', '=', tenant.id)
    .where('purpose', '=', 'otp')
    .where('recipient', '=', `+62${phone.slice(1)}`)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const code = /(?<!\d)(\d{6})(?!\d)/.exec(message.body)![1];
  const phoneApp = app.agent();
  const verified = await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  return { member, phone, phoneApp, code };
}

/** GET /api/v1/me/card as the signed-in member. */
export async function memberCard(phoneApp: ReturnType<TestApp['agent']>): Promise<MemberCard> {
  const res = await phoneApp.get('/api/v1/me/card');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as MemberCard;
}

/** The app's QR text for a time step, computed like the phone does, with the shared function. */
export function rotatingQrOf(card: Pick<MemberCard, 'cardNumber' | 'rotating'>, counter: number): string {
  return rotatingQrText(card.cardNumber, rotatingCode(Buffer.from(card.rotating.secret, 'base64url'), counter));
}

/** The current time step (of the possibly faked Date). */
export const currentStep = (card?: Pick<MemberCard, 'rotating'>) => counterAt(Date.now(), card?.rotating.periodSeconds ?? 30);

/** A batch of `count` pre-printed stock cards and its print-shop CSV rows, made by the owner. */
export async function newCardStock(tenant: Tenant, count: number) {
  const created = await tenant.owner.post('/api/v1/cards/stock').send({ count });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const batchId = created.body.batchId as string;
  const csv = await tenant.owner.get(`/api/v1/cards/stock/${batchId}/codes.csv`);
  expect(csv.status, csv.text).toBe(200);
  const [header, ...lines] = csv.text.trimEnd().split('\r\n');
  expect(header).toBe('card_number,code');
  const cards = lines.map((line) => {
    const [cardNumber, code] = line.split(',');
    return { cardNumber, code };
  });
  return { batchId, cards, csv };
}

/** The member's card history, newest first. */
export async function cardHistoryOf(tenant: Tenant, memberId: string) {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/cards`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; cardNumber: string; status: string; reason: string | null; issuedAt: string; replacedAt: string | null }[];
}
