import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleReferrals } from '../../api/src/referrals/referrals.service.ts';
import { codeSentTo, joinWithCode, newVerifiedMember, setReferralRules } from '../support/acquire.ts';
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
  const b = await newVerifiedMember(app, tenant, { name: 'Budi Friend', referralCode: code });
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

    const c = await newVerifiedMember(app, tenant, { name: 'Citra Friend', referralCode: code });
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
    const c = await newVerifiedMember(app, tenant, { name: 'Citra Again', phone: oldPhone, referralCode: code });
    await buy(tenant, c.id);
    await settle();
    expect(await referralOf(tenant, c.id)).toMatchObject({ status: 'refused', reason: 'phone_already_rewarded', referrerPoints: 0, refereePoints: 0 });
    expect(await referralPoints(tenant, a.id)).toBe(100);
    expect(await referralPoints(tenant, c.id)).toBe(0);
  });

  it('a cap per referrer per month: the first friend is rewarded, the second refused', async () => {
    const { tenant, a, b, code } = await fixture({ monthlyCap: 1 });
    const c = await newVerifiedMember(app, tenant, { name: 'Citra Friend', referralCode: code });
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
    const c = await newVerifiedMember(app, tenant, { name: 'Ani Again', email: 'ANI@contoh.id', referralCode: code });
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

describe('referrals: what does not qualify', () => {
  it('waits while the friend’s phone is unproven, and rewards once they prove it by signing in', async () => {
    const { tenant, code } = await fixture();
    const phone = newPhone();
    const friend = await newMember(tenant, { phone, referralCode: code });
    await buy(tenant, friend.id);
    await settle();
    expect((await referralOf(tenant, friend.id)).status).toBe('pending');
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    await settle();
    expect((await referralOf(tenant, friend.id)).status).toBe('rewarded');
  });

  it('a purchase refunded in full never qualifies, even with no minimum spend', async () => {
    const { tenant, b } = await fixture({ minSpend: 0 });
    const sale = await buy(tenant, b.id);
    expect((await refund(tenant, sale.id)).status).toBe(201);
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('pending');
  });

  it('a backdated sale waits out the return window from when it was posted', async () => {
    const { tenant, b } = await fixture();
    await setPointsPolicy(tenant, { returnWindowDays: 3 });
    await postSale(tenant, saleBody({ memberId: b.id, occurredAt: new Date(Date.now() - 10 * 86400e3).toISOString(), items: [{ sku: 'SKU-1', quantity: 1, unitPrice: rupiah(60_000) }] }));
    await settle();
    expect((await referralOf(tenant, b.id)).status).toBe('pending');
    await settle(new Date(Date.now() + 3 * 86400e3 + 60e3));
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
  });

  it('the monthly cap counts calendar months on the retailer’s clock (WIB), not UTC', async () => {
    const { tenant, a, b, code } = await fixture({ monthlyCap: 1 });
    const c = await newVerifiedMember(app, tenant, { referralCode: code });
    const d = await newVerifiedMember(app, tenant, { referralCode: code });
    await buy(tenant, b.id);
    // 31 January 23:30 WIB and 1 February 00:30 WIB are the same UTC day and month (16:30 and 17:30 UTC).
    await settle(new Date('2027-01-31T23:30:00+07:00'));
    await buy(tenant, c.id);
    await settle(new Date('2027-02-01T00:30:00+07:00'));
    await buy(tenant, d.id);
    await settle(new Date('2027-02-01T00:31:00+07:00'));
    expect((await referralOf(tenant, b.id)).status).toBe('rewarded');
    expect((await referralOf(tenant, c.id)).status).toBe('rewarded');
    expect(await referralOf(tenant, d.id)).toMatchObject({ status: 'refused', reason: 'referrer_monthly_cap' });
    expect(await referralPoints(tenant, a.id)).toBe(200);
  });

  it('merging a referrer and the friend they referred refuses the referral as self-referral', async () => {
    const { tenant, a, b } = await fixture();
    await buy(tenant, b.id);
    const merged = await tenant.owner.post(`/api/v1/members/${b.id}/merge`).send({ duplicateId: a.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    await settle();
    expect(await referralOf(tenant, b.id)).toMatchObject({ status: 'refused', reason: 'self_referral' });
    expect(await referralPoints(tenant, b.id)).toBe(0);
  });

  it('a referred duplicate merged into an unreferred member takes its referral along', async () => {
    const { tenant, a, b } = await fixture();
    const survivor = await newVerifiedMember(app, tenant, { name: 'Budi Utama' });
    expect((await tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: b.id })).status).toBe(200);
    await buy(tenant, survivor.id);
    await settle();
    expect(await referralOf(tenant, survivor.id)).toMatchObject({ status: 'rewarded' });
    expect(await referralPoints(tenant, a.id)).toBe(100);
  });
});

describe('referral report and the member’s view', () => {
  it('counts by status and reason, ranks referrers, and shows the member their code, link and friends', async () => {
    const { tenant, a, b, code } = await fixture({ monthlyCap: 1 });
    const c = await newVerifiedMember(app, tenant, { name: 'Citra Friend', referralCode: code });
    await newVerifiedMember(app, tenant, { name: 'Dodi Waiting', referralCode: code });
    await buy(tenant, b.id);
    await buy(tenant, c.id);
    await settle();

    const report = await tenant.owner.get('/api/v1/reports/referrals');
    expect(report.status).toBe(200);
    for (const since of ['0000-01-01', '2026-02-30']) {
      const bad = await tenant.owner.get('/api/v1/reports/referrals').query({ since });
      expect(bad.status, since).toBe(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.since']);
    }
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
