import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleReferrals } from '../../api/src/referrals/referrals.service.ts';
import { codeSentTo, joinWithCode, setReferralRules } from '../support/acquire.ts';
import { newMember, newPhone, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { expectLedgerClean, pointsOf, postSale, refund, setPointsPolicy } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

// Each farming rule has its own three-member fixture: referrer A, and B and C who join with A's
// code. The rules: A earns 100 points and the friend 50, once the friend's first purchase of at
// least Rp 50.000 is past the return window.
const RULES = { referrerPoints: 100, refereePoints: 50, minSpend: rupiah(50_000), monthlyCap: null };

const settle = (now = new Date()) => settleReferrals(app.deps.db, app.deps.config.secretKey, now);

async function referralCodeOf(tenant: Tenant, memberId: string): Promise<string> {
  return (await tenant.owner.get(`/api/v1/members/${memberId}`)).body.referralCode;
}

/** The member's referral bonus points, from the ledger's entries. */
async function referralPoints(tenant: Tenant, memberId: string): Promise<number> {
  const { entries } = await pointsOf(tenant, memberId);
  return entries.items.filter((e) => e.kind === 'bonus' && e.reference?.startsWith('referral:')).reduce((sum, e) => sum + e.points, 0);
}

async function referralOf(tenant: Tenant, refereeId: string) {
  const res = await tenant.owner.get(`/api/v1/members/${refereeId}/referrals`);
  expect(res.status).toBe(200);
  return res.body.referredBy as { status: string; reason: string | null; referrerPoints: number; refereePoints: number; transactionId: string | null };
}

const buy = (tenant: Tenant, memberId: string, amount = rupiah(60_000)) =>
  postSale(tenant, saleBody({ memberId, items: [{ sku: 'SKU-1', quantity: 1, unitPrice: amount }] }));

async function fixture(rules: Record<string, unknown> = {}, emails: { a?: string; c?: string } = {}) {
  const tenant = await newTenant(app);
  await setReferralRules(tenant, { ...RULES, ...rules });
  const a = await newMember(tenant, { name: 'Ani Referrer', email: emails.a });
  const code = await referralCodeOf(tenant, a.id);
  const b = await newMember(tenant, { name: 'Budi Friend', referralCode: code });
  return { tenant, a, b, code };
}

describe('referrals: rewarded once, after a qualifying purchase', () => {
  it('waits for a purchase of the minimum spend, rewards both sides once, and records the purchase', async () => {
    const { tenant, a, b, code } = await fixture();
    expect((await tenant.owner.get(`/api/v1/members/${b.id}`)).body.source).toBe('referral');
    expect(await referralOf(tenant, b.id)).toMatchObject({ status: 'pending', reason: null });

    await buy(tenant, b.id, rupiah(49_999));
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('pending');

    const sale = await buy(tenant, b.id, rupiah(50_000));
    await settle();
    await settle();
    expect(await referralOf(tenant, b.id)).toMatchObject({ status: 'rewarded', reason: null, referrerPoints: 100, refereePoints: 50, transactionId: sale.id });
    expect(await referralPoints(tenant, a.id)).toBe(100);
    expect(await referralPoints(tenant, b.id)).toBe(50);

    const c = await newMember(tenant, { name: 'Citra Friend', referralCode: code });
    await buy(tenant, c.id);
    await settle();
    expect((await referralOf(tenant, c.id)).status).toBe('rewarded');
    expect(await referralPoints(tenant, a.id)).toBe(200);
    await expectLedgerClean(app, tenant.id);
  });

  it('rewards nobody for a purchase refunded within the return window, and waits for the window', async () => {
    const { tenant, a, b } = await fixture();
    await setPointsPolicy(tenant, { returnWindowDays: 3 });
    const refunded = await buy(tenant, b.id);
    expect((await refund(tenant, refunded.id)).status).toBe(201);
    await buy(tenant, b.id);
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('pending');
    await settle(new Date(Date.now() + 3 * 86400e3 + 60e3));
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
    expect(await referralPoints(tenant, a.id)).toBe(100);
  });
});

describe('referrals: limits against farming, each with the reason recorded', () => {
  it('one reward per phone number, ever: a number that brought a reward brings none again', async () => {
    const { tenant, a, b, code } = await fixture();
    await buy(tenant, b.id);
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
    // B moves to a new number; C signs up with B's old one through A's link.
    const oldPhone = (await tenant.owner.get(`/api/v1/members/${b.id}`)).body.phone as string;
    const next = newPhone();
    await tenant.owner.post(`/api/v1/members/${b.id}/phone-change`).send({ phone: next });
    const changed = await tenant.owner.post(`/api/v1/members/${b.id}/phone-change/verify`).send({ phone: next, code: await codeSentTo(app, tenant.id, next) });
    expect(changed.status).toBe(200);
    const c = await newMember(tenant, { name: 'Citra Again', phone: oldPhone, referralCode: code });
    await buy(tenant, c.id);
    await settle();
    expect(await referralOf(tenant, c.id)).toMatchObject({ status: 'refused', reason: 'phone_already_rewarded', referrerPoints: 0, refereePoints: 0 });
    expect(await referralPoints(tenant, a.id)).toBe(100);
    expect(await referralPoints(tenant, c.id)).toBe(0);
  });

  it('a cap per referrer per month: the first friend is rewarded, the second refused', async () => {
    const { tenant, a, b, code } = await fixture({ monthlyCap: 1 });
    const c = await newMember(tenant, { name: 'Citra Friend', referralCode: code });
    await buy(tenant, b.id);
    await buy(tenant, c.id);
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
    expect(await referralOf(tenant, c.id)).toMatchObject({ status: 'refused', reason: 'referrer_monthly_cap' });
    expect(await referralPoints(tenant, a.id)).toBe(100);
    expect(await referralPoints(tenant, c.id)).toBe(0);
  });

  it('no self-referral: the referrer’s own email joining through the referrer’s link is refused', async () => {
    const { tenant, a, b, code } = await fixture({}, { a: 'ani@contoh.id' });
    const c = await newMember(tenant, { name: 'Ani Again', email: 'ANI@contoh.id', referralCode: code });
    await buy(tenant, b.id);
    await buy(tenant, c.id);
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
    expect(await referralOf(tenant, c.id)).toMatchObject({ status: 'refused', reason: 'self_referral' });
    expect(await referralPoints(tenant, a.id)).toBe(100);
  });

  it('no self-referral: a number the referrer used to have joining through the referrer’s link is refused', async () => {
    const { tenant, a, b, code } = await fixture();
    const oldPhone = (await tenant.owner.get(`/api/v1/members/${a.id}`)).body.phone as string;
    const next = newPhone();
    await tenant.owner.post(`/api/v1/members/${a.id}/phone-change`).send({ phone: next });
    await tenant.owner.post(`/api/v1/members/${a.id}/phone-change/verify`).send({ phone: next, code: await codeSentTo(app, tenant.id, next) });
    const { res } = await joinWithCode(app, tenant, { phone: oldPhone, referralCode: code });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const c = res.body.member as { id: string };
    await buy(tenant, b.id);
    await buy(tenant, c.id);
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
    expect(await referralOf(tenant, c.id)).toMatchObject({ status: 'refused', reason: 'self_referral' });
  });
});

describe('referral report and the member’s view', () => {
  it('counts by status and reason, ranks referrers, and shows the member their code, link and friends', async () => {
    const { tenant, a, b, code } = await fixture({ monthlyCap: 1 });
    const c = await newMember(tenant, { name: 'Citra Friend', referralCode: code });
    await newMember(tenant, { name: 'Dodi Waiting', referralCode: code });
    await buy(tenant, b.id);
    await buy(tenant, c.id);
    await settle();

    const report = await tenant.owner.get('/api/v1/reports/referrals');
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      pending: 1, rewarded: 1, refused: 1, refusedBy: { referrer_monthly_cap: 1 }, pointsAwarded: 150,
      topReferrers: [{ id: a.id, name: 'Ani Referrer', referred: 3, rewarded: 1, points: 100 }],
    });
    const refused = await tenant.owner.get('/api/v1/referrals').query({ status: 'refused' });
    expect(refused.body.items).toEqual([expect.objectContaining({ reason: 'referrer_monthly_cap', referee: { id: c.id, name: 'Citra Friend' } })]);

    const phone = (await tenant.owner.get(`/api/v1/members/${a.id}`)).body.phone as string;
    const signIn = app.agent();
    await signIn.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await signIn.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    const mine = await signIn.get('/api/v1/me/referrals');
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ code, joinPath: `/app/${tenant.slug}/join?ref=${code}`, referrerPoints: 100, refereePoints: 50, minSpend: rupiah(50_000) });
    expect(mine.body.items.map((i: { friend: string; status: string }) => [i.friend, i.status]).sort()).toEqual([['Budi', 'rewarded'], ['Citra', 'refused'], ['Dodi', 'pending']]);
  });

  it('keeps settings to whole rupiah and valid numbers, and another tenant cannot see the referrals', async () => {
    const { tenant, b } = await fixture();
    const bad = await tenant.owner.patch('/api/v1/settings/referrals').send({ minSpend: 150 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.minSpend');
    expect((await tenant.owner.patch('/api/v1/settings/referrals').send({ monthlyCap: -1 })).body.errors[0].path).toBe('body.monthlyCap');
    const other = await newTenant(app);
    expect((await other.owner.get(`/api/v1/members/${b.id}/referrals`)).status).toBe(404);
    expect((await other.owner.get('/api/v1/referrals')).body.items).toEqual([]);
  });
});
