import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newTenant, saleBody } from '../support/factories.ts';
import { expectLedgerClean } from '../support/points.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race. A void takes the member's
// account, the sale and then the vouchers; a use of a code on that sale must take them in the same
// order, or the two deadlock, or the use lands on a sale the void has already undone.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const ROUNDS = 30;
const USES = concurrent(5);

describe('a void racing uses of a code on the same sale', () => {
  it('never deadlocks, and no use stays live on the voided sale', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const batch = await tenant.owner.post('/api/v1/vouchers/batches')
      .send({ count: 1, kind: 'amount', value: 1_000_000, code: 'SERBU-VOID', usesPerCode: null, expiresAt: new Date(Date.now() + 86400e3).toISOString() });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);

    const outcomes: Record<number, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round a guest sale: no account to lock first.
      const sale = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', randomUUID())
        .send(saleBody(round % 2 === 0 ? { memberId: member.id } : {}));
      expect(sale.status, JSON.stringify(sale.body)).toBe(201);
      const [voided, ...uses] = await Promise.all([
        tenant.owner.post(`/api/v1/transactions/${sale.body.id}/void`).set('Idempotency-Key', randomUUID()),
        ...Array.from({ length: USES }, () =>
          tenant.owner.post('/api/v1/vouchers/serbu-void/redemptions').set('Idempotency-Key', randomUUID()).send({ transactionId: sale.body.id }),
        ),
      ]);
      expect(voided.status, JSON.stringify(voided.body)).toBe(200);
      for (const use of uses) {
        outcomes[use.status] = (outcomes[use.status] ?? 0) + 1;
        if (use.status !== 201) {
          expect(use.status, JSON.stringify(use.body)).toBe(400);
          expect(use.body.errors).toEqual([{ path: 'body.transactionId', message: 'This sale was voided' }]);
        }
      }
      const live = await app.deps.db.selectFrom('voucher_redemptions').select('id')
        .where('tenant_id', '=', tenant.id).where('transaction_id', '=', sale.body.id).where('status', '=', 'redeemed').execute();
      expect(live, `round ${round}`).toEqual([]);
      expect(voided.body.vouchersReturned).toBe(uses.filter((use) => use.status === 201).length);
    }
    expect(Object.keys(outcomes).map(Number).every((status) => status === 201 || status === 400)).toBe(true);
    const voucher = await app.deps.db.selectFrom('vouchers').select('uses').where('tenant_id', '=', tenant.id).where('code', '=', 'SERBUVOID').executeTakeFirstOrThrow();
    expect(voucher.uses).toBe(0);
    await expectLedgerClean(app, tenant.id);
  });
});
