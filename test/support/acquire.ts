import { expect } from 'vitest';
import { normalisePhone } from '../../api/src/members/phone.ts';
import { newPhone, type Tenant } from './factories.ts';
import type { TestApp } from './test-app.ts';

/** The six digits of the newest one-time code sent to `phone`, straight from the outbox. */
export async function codeSentTo(app: TestApp, tenantId: string, phone: string): Promise<string> {
  const row = await app.deps.db
    .selectFrom('outbox_messages')
    .select('body')
    .where('tenant_id', '=', tenantId)
    .where('recipient', '=', normalisePhone(phone)!)
    .where('purpose', '=', 'otp')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const code = row && /(?<!\d)(\d{6})(?!\d)/.exec(row.body)?.[1];
  expect(code, `a code sent to ${phone}`).toMatch(/^\d{6}$/);
  return code!;
}

/** A prospect joining through the public form, as the member app does it; returns the cookie-keeping client and the answer. */
export async function joinWithCode(app: TestApp, tenant: Tenant, fields: Record<string, unknown> = {}) {
  const phone = (fields.phone as string | undefined) ?? newPhone();
  const client = app.agent();
  const sent = await client.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone, intent: 'sign_up' });
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  const code = await codeSentTo(app, tenant.id, phone);
  const res = await client.post('/api/v1/member-auth/signup').send({ slug: tenant.slug, name: 'Dewi Lestari', ...fields, phone, code });
  return { client, res, phone };
}

export async function setReferralRules(tenant: Tenant, rules: Record<string, unknown>) {
  const res = await tenant.owner.patch('/api/v1/settings/referrals').send(rules);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A member enrolled at the till with a proven phone: the code sent to it, then POST /members with phoneCode. */
export async function newVerifiedMember(app: TestApp, tenant: Tenant, fields: Record<string, unknown> = {}) {
  const phone = (fields.phone as string | undefined) ?? newPhone();
  const sent = await tenant.owner.post('/api/v1/members/phone-codes').send({ phone });
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  const res = await tenant.owner.post('/api/v1/members').send({ name: 'Member', ...fields, phone, phoneCode: await codeSentTo(app, tenant.id, phone) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; phone: string; referralCode: string; points: { balance: number } };
}
