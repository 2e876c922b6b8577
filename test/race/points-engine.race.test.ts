import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { runLedgerJobs } from '../../api/src/jobs/scheduler.ts';
import { expirePoints, releasePending } from '../../api/src/ledger/ledger-jobs.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { adjust, balancesOf, daysAgoAt, holdLedgerClockPerTest, key, plusDays, pointsOf, postSale, setPointsPolicy } from '../support/points.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());
holdLedgerClockPerTest(() => app);

const threeUnits = (occurredAt?: Date) =>
  ({
    items: [
      { sku: 'A', quantity: 3, unitPrice: rupiah(40_000) },
      { sku: 'B', quantity: 2, unitPrice: rupiah(35_000) },
    ],
    ...(occurredAt ? { occurredAt: occurredAt.toISOString() } : {}),
  });

/** A job's outcome as a status, so it can sit among HTTP answers: 200 when it finished, 500 when it threw. */
const job = (work: Promise<unknown>) =>
  work.then(
    () => ({ status: 200, body: null as unknown }),
    (error: Error) => ({ status: 500, body: String(error?.stack ?? error) }),
  );

async function expireEntriesOf(tenant: Tenant, memberId: string) {
  return (await pointsOf(tenant, memberId)).entries.items.filter((e) => e.kind === 'expire').map((e) => e.points);
}

describe('the points engine under concurrency', () => {
  it('sales, redemptions, refunds and the ledger jobs on the same members at once: only 2xx/409, never a 500 or a deadlock, every invariant holds', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const members = await Promise.all(Array.from({ length: 4 }, () => newMember(tenant)));
    const setup = [];
    for (const member of members) {
      await adjust(tenant, member.id, 100);
      const old = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, ...threeUnits(daysAgoAt(29, 10)) })); // expires in a day or two
      const fresh = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, ...threeUnits() }));
      setup.push({ member, old, fresh });
    }
    await setPointsPolicy(tenant, { returnWindowDays: 3 }); // the race's own sales are pending
    const later = plusDays(new Date(), 40);

    const calls: Promise<{ status: number; body: unknown }>[] = [];
    for (const { member, old, fresh } of setup) {
      for (let i = 0; i < concurrent(4); i++) {
        calls.push(tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', key())
          .send(saleBody({ memberId: member.id, storeId: store.id, pointsToRedeem: i % 2 ? 5 : 0, ...threeUnits() })));
        calls.push(tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', key()).send({ points: 25 }));
      }
      calls.push(tenant.owner.post(`/api/v1/transactions/${old.id}/refunds`).set('Idempotency-Key', key()).send({ lines: [{ lineId: old.lines[0].id, quantity: 1 }] }));
      calls.push(tenant.owner.post(`/api/v1/transactions/${old.id}/refunds`).set('Idempotency-Key', key()).send({ lines: [{ lineId: old.lines[0].id, quantity: 2 }] }));
      calls.push(tenant.owner.post(`/api/v1/transactions/${fresh.id}/refunds`).set('Idempotency-Key', key()).send({}));
      calls.push(tenant.owner.post(`/api/v1/transactions/${fresh.id}/void`).set('Idempotency-Key', key()));
      calls.push(job(runLedgerJobs(app.deps, later)));
      calls.push(job(expirePoints(app.deps.db, later)));
    }
    calls.push(job(releasePending(app.deps.db, later)));
    const results = await Promise.all(calls);

    const unexpected = results.filter((r) => ![200, 201, 409].includes(r.status));
    expect(unexpected.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThan(members.length * 4); // most of it went through

    // Settle what is left (the race's own lots, the last releases), then check the books.
    await runLedgerJobs(app.deps, later);
    await releasePending(app.deps.db, later);
    await expirePoints(app.deps.db, later);
    for (const { member } of setup) {
      const balances = await balancesOf(tenant, member.id);
      expect(balances.balance).toBeGreaterThanOrEqual(0);
      expect(balances.pending).toBe(0);
    }
    // Every point that expired did so once: the lots' expired counts are the expire entries.
    const books = await sql<{ expired: number; entries: number }>`
      select (select coalesce(sum(expired), 0) from point_lots where tenant_id = ${tenant.id}) as expired,
             (select coalesce(-sum(points), 0) from point_entries where tenant_id = ${tenant.id} and kind = 'expire') as entries`.execute(app.deps.db);
    expect(Number(books.rows[0].expired)).toBe(Number(books.rows[0].entries));
    expect(Number(books.rows[0].expired)).toBeGreaterThan(0);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('a refund and redemptions racing for the same points never take more than there is: the rest is debt, exactly', async () => {
    const tenant = await newTenant(app);
    const members = await Promise.all(Array.from({ length: concurrent(12) }, () => newMember(tenant)));
    const sales: { id: string }[] = [];
    for (const member of members) sales.push(await postSale(tenant, saleBody({ memberId: member.id }))); // 15 points each, their only lot

    const outcomes = await Promise.all(members.map(async (member, i) => {
      const [refund, r1, r2] = await Promise.all([
        tenant.owner.post(`/api/v1/transactions/${sales[i].id}/refunds`).set('Idempotency-Key', key()).send({}),
        tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', key()).send({ points: 10 }),
        tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', key()).send({ points: 10 }),
      ]);
      return { member, refund, redemptions: [r1, r2] };
    }));

    for (const { member, refund, redemptions } of outcomes) {
      expect(refund.status, JSON.stringify(refund.body)).toBe(201);
      expect(redemptions.map((r) => r.status).every((s) => s === 201 || s === 409)).toBe(true);
      const spent = redemptions.filter((r) => r.status === 201).length;
      expect(spent).toBeLessThanOrEqual(1); // 2 × 10 > 15
      // Whatever the order, the 15 points are gone and what was spent before the refund is owed.
      expect(refund.body.pointsReversed).toBe(15);
      expect(refund.body.debtAdded).toBe(10 * spent);
      expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 10 * spent });
    }
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('a claim racing a full refund of the same guest sale never leaves the member with points of refunded goods', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const pairs = await Promise.all(Array.from({ length: concurrent(16) }, async (_, i) => {
      const member = await newMember(tenant);
      const sale = await postSale(tenant, saleBody({ storeId: store.id, receiptNo: `G-${i}` })); // a guest sale worth 15 points
      return { member, sale, receiptNo: `G-${i}` };
    }));

    const outcomes = await Promise.all(pairs.map(async ({ member, sale, receiptNo }) => {
      const [claim, refund] = await Promise.all([
        tenant.owner.post(`/api/v1/members/${member.id}/claims`).set('Idempotency-Key', key()).send({ storeId: store.id, receiptNo }),
        tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', key()).send({}),
      ]);
      return { member, sale, claim, refund };
    }));

    for (const { member, sale, claim, refund } of outcomes) {
      expect([201, 409], JSON.stringify(claim.body)).toContain(claim.status);
      expect(refund.status, JSON.stringify(refund.body)).toBe(201);
      // Everything was refunded: whichever came first, the member keeps no points for it.
      const after = (await tenant.owner.get(`/api/v1/transactions/${sale.id}`)).body;
      expect({ claim: claim.status, balances: await balancesOf(tenant, member.id), reversed: after.pointsReversed }).toEqual({
        claim: claim.status, balances: { balance: 0, pending: 0, debt: 0 }, reversed: claim.status === 201 ? 15 : 0,
      });
    }
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('pays a first-purchase bonus once when a new member’s first sales arrive at once', async () => {
    const tenant = await newTenant(app);
    const rule = await tenant.owner.post('/api/v1/earning-rules').send({ name: 'Belanja pertama', effect: { type: 'first_purchase', points: 50 } });
    expect(rule.status).toBe(201);
    const member = await newMember(tenant);
    const results = await Promise.all(Array.from({ length: concurrent(8) }, () =>
      tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', key()).send(saleBody({ memberId: member.id }))));
    expect(results.map((r) => r.status)).toEqual(Array(results.length).fill(201));
    const bonuses = results.filter((r) => r.body.breakdown.some((b: { rule: string }) => b.rule === 'Belanja pertama'));
    expect(bonuses).toHaveLength(1);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: results.length * 15 + 50, pending: 0, debt: 0 });
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('keeps a per-member daily cap when the member’s sales arrive at once', async () => {
    const tenant = await newTenant(app);
    const cap = await tenant.owner.post('/api/v1/earning-rules').send({ name: 'Maks 100 sehari', effect: { type: 'cap', maxPerMemberPerDay: 100 } });
    expect(cap.status).toBe(201);
    const member = await newMember(tenant);
    // 8 (or more) × 15 ≥ 120 uncapped; the day allows 100.
    const results = await Promise.all(Array.from({ length: concurrent(8) }, () =>
      tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', key()).send(saleBody({ memberId: member.id }))));
    expect(results.map((r) => r.status)).toEqual(Array(results.length).fill(201));
    expect(results.reduce((sum, r) => sum + r.body.pointsEarned, 0)).toBe(100);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 100, pending: 0, debt: 0 });
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('expirePoints run twice at once expires each lot once: the expire entries add up to exactly the lots’ remainders', async () => {
    const tenant = await newTenant(app);
    const members = await Promise.all(Array.from({ length: 6 }, () => newMember(tenant)));
    for (const member of members) await adjust(tenant, member.id, 7); // never expires
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    for (const [i, member] of members.entries()) {
      await postSale(tenant, saleBody({ memberId: member.id, occurredAt: daysAgoAt(25, 9).toISOString(), items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000 + i * 10_000) }] }));
      await postSale(tenant, saleBody({ memberId: member.id, occurredAt: daysAgoAt(5, 9).toISOString(), items: [{ sku: 'B', quantity: 1, unitPrice: rupiah(50_000) }] }));
      await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', key()).send({ points: 3 + i }).expect(201);
    }
    const expiring = await sql<{ member_id: string; remaining: number }>`
      select a.member_id, sum(l.remaining) as remaining from point_lots l
      join point_accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
      where l.tenant_id = ${tenant.id} and l.status = 'posted' and l.expires_at is not null
      group by a.member_id`.execute(app.deps.db);
    const due = new Map(expiring.rows.map((r) => [r.member_id, Number(r.remaining)]));
    // 10 + i points, 5 points, less 3 + i spent from the older lot first: 12 each.
    expect(members.map((m) => due.get(m.id))).toEqual(members.map(() => 12));

    const later = plusDays(new Date(), 40);
    const runs = await Promise.all(Array.from({ length: concurrent(2) }, () => expirePoints(app.deps.db, later)));
    expect(runs.reduce((sum, run) => sum + run.points, 0)).toBeGreaterThanOrEqual(12 * members.length);

    for (const member of members) {
      expect(await expireEntriesOf(tenant, member.id)).toEqual([-12]);
      expect(await balancesOf(tenant, member.id)).toEqual({ balance: 7, pending: 0, debt: 0 });
    }
    const expired = await sql<{ expired: number }>`select coalesce(sum(expired), 0) as expired from point_lots where tenant_id = ${tenant.id}`.execute(app.deps.db);
    expect(Number(expired.rows[0].expired)).toBe(12 * members.length);

    // And once more, through the scheduler's entry point, twice at once: nothing further.
    await Promise.all(Array.from({ length: concurrent(2) }, () => runLedgerJobs(app.deps, later)));
    for (const member of members) expect(await expireEntriesOf(tenant, member.id)).toEqual([-12]);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });
});
