import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, databaseKind, migrateToLatest, type DB } from '@kartu/db';

// DESIGN.md: int8 columns come back as the same JS type from both drivers, and a test checks it.
// PGlite always runs; Postgres only when DATABASE_URL is set — then it is in the list, otherwise
// it does not exist at all (no skipped suite that looks green).
interface Driver {
  name: 'pglite' | 'postgres';
  open: () => Promise<Kysely<DB>>;
}

const drivers: Driver[] = [
  {
    name: 'pglite',
    open: async () => {
      const db = await createDb({ dataDir: 'memory://' });
      await migrateToLatest(db);
      return db;
    },
  },
];
if (process.env.DATABASE_URL) {
  const url = process.env.DATABASE_URL;
  drivers.push({ name: 'postgres', open: () => createDb({ url }) }); // migrated by the global setup
}

class Rollback extends Error {}

/** Runs `work` in a transaction that is always rolled back: the shared Postgres keeps nothing. */
async function rolledBack(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<void>) {
  await expect(
    db.transaction().execute(async (trx) => {
      await work(trx);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
}

/** A tenant, tier, member and point account, as the app would write them. */
async function seedMember(trx: Kysely<DB>, values: { balance: number; birthDate: string | null; pointValue: number }) {
  const tenantId = randomUUID();
  const tierId = randomUUID();
  const memberId = randomUUID();
  await trx.insertInto('tenants').values({ id: tenantId, slug: `types-${tenantId.slice(0, 8)}`, name: 'Toko Types', point_value: values.pointValue }).execute();
  await trx.insertInto('tiers').values({ tenant_id: tenantId, id: tierId, code: 'member', name: 'Member', rank: 0 }).execute();
  await trx
    .insertInto('members')
    .values({
      tenant_id: tenantId, id: memberId, name: 'Ani', phone: '+6281200000000', email: null, birth_date: values.birthDate,
      marketing_opt_in: false, tier_id: tierId, source: 'import', referral_code: 'TYPES001',
    })
    .execute();
  await sql`insert into point_accounts (tenant_id, id, member_id, balance, lifetime_earned)
            values (${tenantId}, ${randomUUID()}, ${memberId}, ${values.balance}, ${values.balance})`.execute(trx);
  return { tenantId, memberId };
}

describe.each(drivers)('$name driver', ({ name, open }) => {
  let db: Kysely<DB>;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db?.destroy());

  it('is the driver it claims to be', () => {
    expect(databaseKind(db)).toBe(name);
  });

  it('returns int8 columns (balances, amounts) as JS numbers, up to Number.MAX_SAFE_INTEGER exactly', async () => {
    await rolledBack(db, async (trx) => {
      const { tenantId, memberId } = await seedMember(trx, { balance: Number.MAX_SAFE_INTEGER, birthDate: null, pointValue: 1_000_000 });
      const account = await trx
        .selectFrom('point_accounts')
        .select(['balance', 'pending', 'lifetime_earned'])
        .where('tenant_id', '=', tenantId)
        .where('member_id', '=', memberId)
        .executeTakeFirstOrThrow();
      expect(account).toEqual({ balance: Number.MAX_SAFE_INTEGER, pending: 0, lifetime_earned: Number.MAX_SAFE_INTEGER });
      expect(typeof account.balance).toBe('number');
      expect(typeof account.pending).toBe('number');

      const tenant = await trx.selectFrom('tenants').select(['point_value']).where('id', '=', tenantId).executeTakeFirstOrThrow();
      expect(tenant).toEqual({ point_value: 1_000_000 });
      expect(typeof tenant.point_value).toBe('number');
    });
  });

  it('returns aggregates of int8 (count, sum) as JS numbers', async () => {
    const { rows } = await sql<{ n: unknown; total: unknown; negative: unknown }>`
      select count(*) as n, sum(x) as total, min(x) as negative
      from (values (1500000000000::int8), (-2::int8), (7::int8)) as t(x)`.execute(db);
    expect(rows).toEqual([{ n: 3, total: 1_500_000_000_005, negative: -2 }]);
    expect(typeof rows[0].n).toBe('number');
    expect(typeof rows[0].total).toBe('number');
  });

  it("returns date columns as 'YYYY-MM-DD' strings, with no time zone shift", async () => {
    await rolledBack(db, async (trx) => {
      const { tenantId, memberId } = await seedMember(trx, { balance: 0, birthDate: '2000-02-29', pointValue: 1_000_000 });
      const member = await trx.selectFrom('members').select(['birth_date', 'created_at']).where('tenant_id', '=', tenantId).where('id', '=', memberId).executeTakeFirstOrThrow();
      expect(member.birth_date).toBe('2000-02-29');
      expect(typeof member.birth_date).toBe('string');
      expect(member.created_at).toBeInstanceOf(Date);
    });
    const { rows } = await sql<{ d: unknown; first: unknown }>`select '1999-12-31'::date as d, '0001-01-01'::date as first`.execute(db);
    expect(rows).toEqual([{ d: '1999-12-31', first: '0001-01-01' }]);
  });

  it('throws rather than rounding an int8 beyond Number.MAX_SAFE_INTEGER', async () => {
    await expect(sql`select 9007199254740993::int8 as n`.execute(db)).rejects.toThrow(/9007199254740993.*safe integer/);
    await expect(sql`select (-9007199254740993)::int8 as n`.execute(db)).rejects.toThrow(/safe integer/);
    await expect(sql`select 9223372036854775807::int8 as n`.execute(db)).rejects.toThrow(/safe integer/);
    // The connection is still good afterwards.
    expect((await sql<{ n: number }>`select 9007199254740991::int8 as n`.execute(db)).rows).toEqual([{ n: Number.MAX_SAFE_INTEGER }]);
  });

  it('throws rather than rounding a stored balance beyond Number.MAX_SAFE_INTEGER', async () => {
    await rolledBack(db, async (trx) => {
      const { tenantId, memberId } = await seedMember(trx, { balance: Number.MAX_SAFE_INTEGER, birthDate: null, pointValue: 1_000_000 });
      await sql`update point_accounts set balance = balance + 2 where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(trx);
      await expect(
        trx.selectFrom('point_accounts').select('balance').where('tenant_id', '=', tenantId).where('member_id', '=', memberId).execute(),
      ).rejects.toThrow(/9007199254740993.*safe integer/);
    });
  });
});
