import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirePoints, releasePending } from '../../api/src/ledger/ledger-jobs.ts';
import { expiresAt, type PointsPolicy } from '../../api/src/points/policy.ts';
import { newMember, newTenant, rupiah, saleBody } from '../support/factories.ts';
import {
  adjust, balancesOf, daysAgoAt, expectedExpiry, expectLedgerClean, holdLedgerClockPerTest, jakarta, jakartaDate, lotsOf, plusDays, plusMs,
  pointsOf, postSale, redeem, refund, setPointsPolicy,
} from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
holdLedgerClockPerTest(() => app);

const sale = (memberId: string, rp: number, occurredAt?: Date) =>
  saleBody({ memberId, items: [{ sku: 'BERAS', quantity: 1, unitPrice: rupiah(rp) }], ...(occurredAt ? { occurredAt: occurredAt.toISOString() } : {}) });

/**
 * 00:30 local on the first of this month when that is within the last 29 days (the UTC date is
 * then still in the previous month, which catches calendar arithmetic done in UTC), else 00:30
 * local three days ago (the UTC date is the day before).
 */
function earlyMorning(): Date {
  const today = jakartaDate(new Date());
  const first = jakarta(today.year, today.month, 1, 0, 30);
  const age = Date.now() - first.getTime();
  return age > 3600e3 && age < 29 * 86400e3 ? first : daysAgoAt(3, 0, 30);
}

describe('the expiry policy (pure)', () => {
  const policy = (p: Partial<PointsPolicy>) => p;
  const full = (p: Partial<PointsPolicy>): PointsPolicy => ({
    expiryPolicy: 'months', expiryMonths: 12, expiryPeriod: 'year', returnWindowDays: 0, timeZone: 'Asia/Jakarta', ...p,
  });
  it.each([
    // 10 Nov + 1 month = 10 Dec, which ends the quarter on 31 Dec.
    ['2026-11-10T10:00:00+07:00', policy({ expiryPolicy: 'end_of_period', expiryPeriod: 'quarter', expiryMonths: 1 }), '2026-12-31T23:59:59.999+07:00'],
    ['2026-11-10T10:00:00+07:00', policy({ expiryPolicy: 'end_of_period', expiryPeriod: 'quarter', expiryMonths: 4 }), '2027-03-31T23:59:59.999+07:00'],
    ['2026-11-10T10:00:00+07:00', policy({ expiryPolicy: 'end_of_period', expiryPeriod: 'month', expiryMonths: 1 }), '2026-12-31T23:59:59.999+07:00'],
    ['2026-11-10T10:00:00+07:00', policy({ expiryPolicy: 'end_of_period', expiryPeriod: 'year', expiryMonths: 12 }), '2027-12-31T23:59:59.999+07:00'],
    ['2026-11-10T10:00:00+07:00', policy({ expiryPolicy: 'months', expiryMonths: 12 }), '2027-11-10T23:59:59.999+07:00'],
    // 31 January + 1 month is the last day of February.
    ['2026-01-31T12:00:00+07:00', policy({ expiryPolicy: 'months', expiryMonths: 1 }), '2026-02-28T23:59:59.999+07:00'],
    ['2027-12-31T12:00:00+07:00', policy({ expiryPolicy: 'months', expiryMonths: 2 }), '2028-02-29T23:59:59.999+07:00'],
    // The local date counts: 1 January 03:00 WIB is still 31 December in UTC.
    ['2027-01-01T03:00:00+07:00', policy({ expiryPolicy: 'end_of_period', expiryPeriod: 'year', expiryMonths: 12 }), '2028-12-31T23:59:59.999+07:00'],
    ['2026-10-01T00:30:00+07:00', policy({ expiryPolicy: 'end_of_period', expiryPeriod: 'month', expiryMonths: 1 }), '2026-11-30T23:59:59.999+07:00'],
    ['2026-10-01T00:30:00+07:00', policy({ expiryPolicy: 'months', expiryMonths: 1 }), '2026-11-01T23:59:59.999+07:00'],
    // WITA is UTC+8.
    ['2026-10-01T00:30:00+08:00', policy({ expiryPolicy: 'months', expiryMonths: 1, timeZone: 'Asia/Makassar' }), '2026-11-01T23:59:59.999+08:00'],
  ])('%s under %j expires at %s', (earnedAt, p, expected) => {
    expect(expiresAt(new Date(earnedAt), full(p))?.toISOString()).toBe(new Date(expected).toISOString());
  });

  it('never expires under "never"', () => {
    expect(expiresAt(new Date(), full({ expiryPolicy: 'never' }))).toBeNull();
  });
});

describe('expiry dates of lots, set through the points settings', () => {
  it('"months" 12 expires at the end of the local day 12 months after the sale', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const settings = await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 12 });
    expect(settings).toMatchObject({ expiryPolicy: 'months', expiryMonths: 12, returnWindowDays: 0 });
    const at = daysAgoAt(2, 0, 30);
    const posted = await postSale(tenant, sale(member.id, 150_000, at));

    const want = expectedExpiry(at, { expiryPolicy: 'months', expiryMonths: 12 });
    const { year, month, day } = jakartaDate(at);
    if (!(month === 2 && day === 29)) expect(want).toBe(jakarta(year + 1, month, day, 23, 59, 59, 999).toISOString());
    expect((await lotsOf(tenant, member.id)).map((l) => [l.transactionId, l.status, l.points, l.remaining, l.expiresAt, l.availableAt])).toEqual([
      [posted.id, 'posted', 15, 15, want, null],
    ]);
    expect((await pointsOf(tenant, member.id)).expiring).toEqual([{ points: 15, expiresAt: want }]);
    await expectLedgerClean(app, tenant.id);
  });

  it.each([
    ['month', 1],
    ['quarter', 1],
    ['quarter', 4],
    ['year', 12],
  ] as const)('"end_of_period" %s after %i month(s) expires at the end of that local period', async (period, months) => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await setPointsPolicy(tenant, { expiryPolicy: 'end_of_period', expiryPeriod: period, expiryMonths: months });
    const at = earlyMorning();
    await postSale(tenant, sale(member.id, 150_000, at));
    const [lot] = await lotsOf(tenant, member.id);
    expect(lot.expiresAt).toBe(expectedExpiry(at, { expiryPolicy: 'end_of_period', expiryPeriod: period, expiryMonths: months }));
    // It is the last millisecond of a local day that ends a month.
    const end = plusMs(lot.expiresAt!, 1);
    expect(jakartaDate(end).day).toBe(1);
    expect(new Date(end).getTime() % 86400e3).toBe(17 * 3600e3); // local midnight = 17:00 UTC
  });

  it('a policy change applies to points earned from then on; lots already earned keep their date', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 10); // default policy: never
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 6 });
    const at = daysAgoAt(5, 14, 0);
    await postSale(tenant, sale(member.id, 150_000, at));
    await setPointsPolicy(tenant, { expiryPolicy: 'never' });
    const lots = await lotsOf(tenant, member.id);
    expect(lots.map((l) => [l.points, l.expiresAt])).toEqual([
      [15, expectedExpiry(at, { expiryPolicy: 'months', expiryMonths: 6 })],
      [10, null],
    ]);
    await expectLedgerClean(app, tenant.id);
  });
});

describe('spending and expiring lots', () => {
  it('spends the soonest-expiring lot first, expires exactly its remainder once, and leaves the other lot alone', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 12 });
    const late = await postSale(tenant, sale(member.id, 150_000)); // 15 points, 12 months
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const soon = await postSale(tenant, sale(member.id, 200_000)); // 20 points, 1 month: posted later, expires first

    await redeem(tenant, member.id, 8).expect(201);
    const lots = await lotsOf(tenant, member.id);
    const soonLot = lots.find((l) => l.transactionId === soon.id)!;
    const lateLot = lots.find((l) => l.transactionId === late.id)!;
    expect([soonLot.remaining, lateLot.remaining]).toEqual([12, 15]);
    expect(soonLot.expiresAt).toBe(expectedExpiry(new Date(soon.occurredAt), { expiryPolicy: 'months', expiryMonths: 1 }));
    expect(lateLot.expiresAt).toBe(expectedExpiry(new Date(late.occurredAt), { expiryPolicy: 'months', expiryMonths: 12 }));
    expect((await pointsOf(tenant, member.id)).expiring).toEqual([
      { points: 12, expiresAt: soonLot.expiresAt },
      { points: 15, expiresAt: lateLot.expiresAt },
    ]);

    // A millisecond before the date nothing expires; at it, exactly the soon lot's 12.
    await expirePoints(app.deps.db, plusMs(soonLot.expiresAt!, -1));
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 27, pending: 0, debt: 0 });
    await expirePoints(app.deps.db, new Date(soonLot.expiresAt!));
    const after = await pointsOf(tenant, member.id);
    expect(after.balance).toBe(15);
    expect(after.entries.items[0]).toMatchObject({ kind: 'expire', bucket: 'balance', points: -12, balanceAfter: 15, reference: 'expiry', transactionId: null });
    expect(after.expiring).toEqual([{ points: 15, expiresAt: lateLot.expiresAt }]);
    expect((await lotsOf(tenant, member.id)).map((l) => [l.id, l.remaining, l.expired])).toEqual([[lateLot.id, 15, 0]]);

    // Run again (also later, but before the other lot's date): the same result as one run.
    await expirePoints(app.deps.db, new Date(soonLot.expiresAt!));
    await expirePoints(app.deps.db, plusMs(lateLot.expiresAt!, -1));
    expect(await pointsOf(tenant, member.id)).toEqual(after);
    await expectLedgerClean(app, tenant.id);
  });

  it('expires several lots of one account in one entry, partly spent ones by their remainder', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 7); // never expires
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    await postSale(tenant, sale(member.id, 150_000, daysAgoAt(20, 10)));
    await postSale(tenant, sale(member.id, 90_000, daysAgoAt(10, 10)));
    await redeem(tenant, member.id, 10).expect(201); // from the older lot, which expires first
    const lots = await lotsOf(tenant, member.id);
    expect(lots.map((l) => [l.points, l.remaining])).toEqual([[15, 5], [9, 9], [7, 7]]);
    expect((await pointsOf(tenant, member.id)).expiring).toEqual([
      { points: 5, expiresAt: lots[0].expiresAt },
      { points: 9, expiresAt: lots[1].expiresAt },
    ]);

    await expirePoints(app.deps.db, new Date(lots[1].expiresAt!));
    const points = await pointsOf(tenant, member.id);
    expect(points.balance).toBe(7);
    expect(points.expiring).toEqual([]);
    expect(points.entries.items.filter((e) => e.kind === 'expire').map((e) => [e.points, e.balanceAfter])).toEqual([[-14, 7]]);
    await expectLedgerClean(app, tenant.id);
  });

  it('walks due lots of many dates and accounts in small batches: every due lot expires once, one entry per account', async () => {
    const tenant = await newTenant(app);
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const members = [];
    for (let i = 0; i < 5; i++) members.push(await newMember(tenant));
    // Dates in another order than the accounts', two members' lots on the same day, one member with three.
    for (const [m, days, rp] of [[3, 20, 100_000], [0, 20, 110_000], [4, 18, 120_000], [1, 15, 130_000], [0, 12, 140_000], [2, 11, 150_000], [0, 10, 160_000], [4, 2, 170_000]] as const) {
      await postSale(tenant, sale(members[m].id, rp, daysAgoAt(days, 10)));
    }
    const lots = await Promise.all(members.map((m) => lotsOf(tenant, m.id)));
    const cutoff = new Date(lots[0].at(-1)!.expiresAt!); // member 0's last lot (10 days ago) is the last one due

    await expirePoints(app.deps.db, cutoff, 2);
    const expired = await Promise.all(members.map(async (m) => (await pointsOf(tenant, m.id)).entries.items.filter((e) => e.kind === 'expire').map((e) => e.points)));
    expect(expired).toEqual([[-(11 + 14 + 16)], [-13], [-15], [-10], [-12]]);
    expect((await lotsOf(tenant, members[4].id)).map((l) => l.remaining)).toEqual([17]); // the lot not due yet
    await expirePoints(app.deps.db, cutoff, 2);
    expect((await app.deps.db.selectFrom('point_entries').select('id').where('tenant_id', '=', tenant.id).where('kind', '=', 'expire').execute()).length).toBe(5);
    await expectLedgerClean(app, tenant.id);
  });
});

describe('pending points (the return window)', () => {
  it('keeps a sale’s points pending for returnWindowDays, not spendable, and posts them once when the window is over', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 5);
    await setPointsPolicy(tenant, { returnWindowDays: 7 });
    const posted = await postSale(tenant, sale(member.id, 150_000));
    expect(posted.points).toEqual({ balance: 5, pending: 15, debt: 0 });
    const availableAt = plusDays(new Date(posted.occurredAt), 7).toISOString();
    expect((await lotsOf(tenant, member.id)).map((l) => [l.status, l.points, l.remaining, l.availableAt])).toEqual([
      ['pending', 15, 15, availableAt],
      ['posted', 5, 5, null],
    ]);

    const spend = await redeem(tenant, member.id, 6);
    expect(spend.status).toBe(409);
    expect(spend.body.code).toBe('insufficient_points');
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 5, pending: 15, debt: 0 });

    await releasePending(app.deps.db, plusDays(new Date(), 6));
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 5, pending: 15, debt: 0 });

    const at = plusDays(new Date(), 8);
    await releasePending(app.deps.db, at);
    const after = await pointsOf(tenant, member.id);
    expect({ balance: after.balance, pending: after.pending, debt: after.debt }).toEqual({ balance: 20, pending: 0, debt: 0 });
    const released = after.entries.items.slice(0, 2).map((e) => [e.kind, e.bucket, e.points, e.balanceAfter]).sort();
    expect(released).toEqual([
      ['earn', 'balance', 15, 20],
      ['earn', 'pending', -15, 20],
    ]);
    expect((await lotsOf(tenant, member.id)).map((l) => [l.status, l.remaining])).toEqual([['posted', 5], ['posted', 15]]);

    await releasePending(app.deps.db, at);
    await releasePending(app.deps.db, plusDays(at, 30));
    expect(await pointsOf(tenant, member.id)).toEqual(after);

    await redeem(tenant, member.id, 20).expect(201);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
  });

  it('repays debt from points when they leave the return window', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const first = await postSale(tenant, sale(member.id, 150_000)); // posted at once
    await redeem(tenant, member.id, 15).expect(201);
    await setPointsPolicy(tenant, { returnWindowDays: 7 });
    await postSale(tenant, sale(member.id, 200_000)); // 20 pending
    const refunded = await refund(tenant, first.id);
    expect(refunded.body).toMatchObject({ pointsReversed: 15, debtAdded: 15, points: { balance: 0, pending: 20, debt: 15 } });

    await releasePending(app.deps.db, plusDays(new Date(), 8));
    const after = await pointsOf(tenant, member.id);
    expect({ balance: after.balance, pending: after.pending, debt: after.debt }).toEqual({ balance: 5, pending: 0, debt: 0 });
    expect(after.entries.items.filter((e) => e.kind === 'repay').map((e) => [e.bucket, e.points]).sort()).toEqual([
      ['balance', -15],
      ['debt', -15],
    ]);
    await expectLedgerClean(app, tenant.id);
  });
});
