import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrateToLatest, type DB } from '@kartu/db';
import { searchMembers } from '../../api/src/members/members.repository.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// db/src/preparing-client.ts on PostgreSQL: which statements it prepares, the member search's plans,
// and statements a schema change made stale. In a database of its own, with one retailer: how
// PostgreSQL weighs a plan made once depends on how the retailers of the database compare, and the
// suite's database holds hundreds of tiny ones. One connection, so its statements can be read.
const name = `kartu_prepared_${randomBytes(4).toString('hex')}`;
const url = new URL(process.env.DATABASE_URL ?? 'postgres://unset');
url.pathname = `/${name}`;
let admin: Kysely<DB>;
let app: TestApp;
let db: Kysely<DB>;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  admin = await createDb({ url: process.env.DATABASE_URL, maxConnections: 1 });
  await sql`create database ${sql.id(name)}`.execute(admin);
  db = await createDb({ url: url.href, maxConnections: 1 });
  await migrateToLatest(db);
  app = await createTestApp({ DATABASE_URL: url.href });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
});

const prepared = async (on: Kysely<DB>) =>
  (await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
    select statement, generic_plans::int, custom_plans::int from pg_prepared_statements`.execute(on)).rows;

describe('automatic preparation', () => {
  it('prepares a parameterised statement on its fifth use, and never one without parameters', async () => {
    const marker = `marker_${randomBytes(4).toString('hex')}`;
    const query = () => sql`select ${marker}::text as m, count(*) from tiers where code = ${'gold'}`.execute(db);
    for (let i = 0; i < 4; i++) await query();
    expect((await prepared(db)).some((s) => s.statement.includes('from tiers where code'))).toBe(false);
    await query();
    await query();
    expect((await prepared(db)).filter((s) => s.statement.includes('from tiers where code'))).toHaveLength(1);

    for (let i = 0; i < 6; i++) await sql.raw(`select '${marker}' as m`).execute(db);
    expect((await prepared(db)).some((s) => s.statement.includes(marker))).toBe(false);
  });

  it('uses a plan made once for the member search by name, whatever the text', async () => {
    const tenant = await newTenant(app);
    for (const name of ['Siti Nurhaliza Putri', 'Siti Nuraini', 'Budi Santoso', 'Agus Salim']) await newMember(tenant, { name });
    // Statistics of a retailer with many names (20,000 words of one more member): on a few rows a plan
    // for the values and one without them cost the same, and `like 'sit%'` would pass too.
    const many = await newMember(tenant, { name: 'Zz' });
    await sql`
      insert into member_name_words (tenant_id, member_id, starts_at, word, suffix)
      select ${tenant.id}::uuid, ${many.id}::uuid, g, w, w || ' zz' from generate_series(2, 20001) g, md5(g::text) w`.execute(db);
    await sql`analyze member_name_words`.execute(db);
    // Enough of each kind (one word, two, more) for PostgreSQL's plan cache to weigh the plan made once.
    const oneWord = ['siti', 'sit', 'si', 'bud', 'budi', 'agus', 'agu', 'ag', 'sa', 'sal', 'nur', 'nu', 'san', 'santoso'];
    const twoWords = ['siti n', 'siti nu', 'siti nur', 'siti nurh', 'siti nura', 'budi s', 'budi sa', 'budi san', 'agus s', 'agus sa', 'agus sal', 'siti nurhaliza', 'budi santoso', 'agus salim'];
    const threeWords = ['siti nurhaliza p', 'siti nurhaliza pu', 'siti nurhaliza put', 'siti nurhaliza putri', 'siti nuraini d', 'siti nuraini de', 'budi santoso w', 'budi santoso wi', 'agus salim h', 'agus salim ha', 'agus salim har', 'siti nur a', 'budi s t', 'agus s h'];
    const found = new Map<string, string[]>();
    for (const text of [...oneWord, ...twoWords, ...threeWords]) found.set(text, (await searchMembers(db, tenant.id, { text }, 25)).map((m) => m.name));
    expect(found.get('siti')).toEqual(['Siti Nuraini', 'Siti Nurhaliza Putri']);
    expect(found.get('sa')).toEqual(['Agus Salim', 'Budi Santoso']);
    expect(found.get('nu')).toEqual(['Siti Nuraini', 'Siti Nurhaliza Putri']);
    expect(found.get('siti nu')).toEqual(['Siti Nuraini', 'Siti Nurhaliza Putri']);
    expect(found.get('siti nurh')).toEqual(['Siti Nurhaliza Putri']);
    expect(found.get('siti nurhaliza pu')).toEqual(['Siti Nurhaliza Putri']);
    expect(found.get('agus salim')).toEqual(['Agus Salim']);

    const searches = (await prepared(db)).filter((s) => s.statement.includes('member_name_words'));
    expect(searches).toHaveLength(3); // one word, two words, more
    for (const search of searches) expect(search.generic_plans, search.statement).toBeGreaterThan(0);
  });

  it('sends a statement a schema change made stale again, under a new name', async () => {
    const table = `prepared_${randomBytes(4).toString('hex')}`;
    await sql`create table ${sql.table(table)} (a int)`.execute(db);
    try {
      await sql`insert into ${sql.table(table)} values (1)`.execute(db);
      const read = (on: Kysely<DB>) => sql<Record<string, unknown>>`select * from ${sql.table(table)} where a = ${1}`.execute(on);
      for (let i = 0; i < 6; i++) await read(db);
      await sql`alter table ${sql.table(table)} add column b int default 2`.execute(db);
      // Outside a transaction: answered as if nothing had been cached.
      expect((await read(db)).rows).toEqual([{ a: 1, b: 2 }]);

      await sql`alter table ${sql.table(table)} add column c int default 3`.execute(db);
      // Inside one the transaction has failed (PostgreSQL's doing): the error reaches the caller…
      await expect(db.transaction().execute((trx) => read(trx))).rejects.toThrow(/cached plan must not change result type/);
      // …and the next use is planned afresh.
      expect((await read(db)).rows).toEqual([{ a: 1, b: 2, c: 3 }]);
    } finally {
      await sql`drop table ${sql.table(table)}`.execute(db);
    }
  });
});
