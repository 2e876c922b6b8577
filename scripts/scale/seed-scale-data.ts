// The volume behind `npm run seed:scale`: one retailer made through the real services, then members,
// cards, point accounts, sales, ledger entries and lots written set-based (INSERT … SELECT over
// generate_series), a chunk of members per transaction. The ledger is built to DESIGN.md's rules,
// so `npm run ledger:verify` passes on the result:
// - member i has n(i) entries (mean = entries / members): entry 1 a welcome bonus, every 4th a
//   redemption of the points the entry before it earned (so no balance ever goes below 0), the rest
//   earns from a sale (a transaction with points_earned);
// - every bonus and earn is a lot that expires 12 months later; redemptions consume lots oldest-
//   expiring first, so a lot's remainder is clamp(running lot total − points redeemed, 0, points);
// - balance = sum of entries = sum of posted lot remainders; balance_after is the running sum.
// Entries span up to ~18 months back, so the lots of the older half are due: the expiry job's work.
import { sql } from 'kysely';
import type { Db } from '../../api/src/deps.ts';
import type { Config } from '../../api/src/config.ts';
import { createStore } from '../../api/src/stores/stores.service.ts';
import { signUpRetailer } from '../../api/src/tenants/tenants.service.ts';
import type { Principal } from '../../api/src/shared/principal.ts';
import { FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES } from './names.ts';

export interface ScaleOptions {
  members: number;
  entries: number;
  slug: string;
  ownerEmail: string;
  ownerPassword: string;
  chunk?: number;
  log?: (line: string) => void;
}

export interface ScaleResult {
  tenantId: string;
  ownerId: string;
  storeId: string;
  members: number;
  entries: number;
  transactions: number;
  lots: number;
  /** Seconds per phase, in order. */
  phases: [string, number][];
}

export class AlreadySeeded extends Error {}

const STEP_DAYS = 40;

/** Entries of member i: spread evenly around the mean so the total is close to members × mean. */
export function entriesOf(i: number, mean: number): number {
  const spread = Math.max(0, Math.min(5, mean - 2));
  return mean - spread + ((i * 7919) % (2 * spread + 1));
}

/** What the seed will write for these options (the test compares the database with it). */
export function expectedCounts(members: number, entries: number) {
  const mean = Math.max(2, Math.round(entries / members));
  let total = 0;
  let redeems = 0;
  for (let i = 1; i <= members; i++) {
    const n = entriesOf(i, mean);
    total += n;
    redeems += Math.floor(n / 4);
  }
  // Lots: every entry but the redemptions; sales: every lot but the welcome bonus.
  return { mean, entries: total, lots: total - redeems, transactions: total - redeems - members };
}

async function timed<T>(phases: [string, number][], name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const known = phases.find((p) => p[0] === name);
  if (known) known[1] += seconds;
  else phases.push([name, seconds]);
  return result;
}

const textArray = (values: readonly string[]) => sql`array[${sql.join(values.map((v) => sql`${v}::text`))}]`;

export async function seedScale(db: Db, config: Config, options: ScaleOptions): Promise<ScaleResult> {
  const log = options.log ?? (() => {});
  const chunk = options.chunk ?? 50_000;
  const { mean } = expectedCounts(options.members, options.entries);
  const phases: [string, number][] = [];
  const startedAll = performance.now();

  if (await db.selectFrom('tenants').select('id').where('slug', '=', options.slug).executeTakeFirst()) {
    throw new AlreadySeeded(`A retailer with the slug "${options.slug}" already exists in this database: it was seeded before. Drop the database (or use another SCALE_SLUG) to seed again.`);
  }

  const made = await timed(phases, 'retailer, owner, store (services)', async () => {
    const signup = await signUpRetailer(db, { ...config, signupForced: true }, {
      retailerName: `Scale ${options.slug}`, slug: options.slug, email: options.ownerEmail, password: options.ownerPassword,
      currency: 'IDR', timeZone: 'Asia/Jakarta', locale: 'id',
    });
    const owner: Principal = { kind: 'staff', tenantId: signup.tenantId, id: signup.ownerId, role: 'owner', storeId: null, sessionId: 'seed-scale' };
    const store = await createStore(db, owner, { code: 'PUSAT', name: 'Toko Pusat' });
    // The points policy the lots follow (the settings route's columns): expire after 12 months.
    await db.updateTable('tenants').set({ expiry_policy: 'months', expiry_months: 12 }).where('id', '=', signup.tenantId).execute();
    return { tenantId: signup.tenantId, ownerId: signup.ownerId, storeId: store.id };
  });
  const { tenantId, ownerId, storeId } = made;
  const tier = await db.selectFrom('tiers').select('id').where('tenant_id', '=', tenantId).orderBy('rank').executeTakeFirstOrThrow();
  const card = await db.selectFrom('card_keys').select('kid').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const superuser = await sql<{ s: boolean }>`select rolsuper as s from pg_roles where rolname = current_user`.execute(db);
  const bulk = Boolean(superuser.rows[0]?.s);
  log(`retailer ${options.slug} (${tenantId}); ${options.members.toLocaleString('en')} members × ~${mean} entries, ${chunk.toLocaleString('en')} members a chunk${bulk ? '' : ' (not a superuser: triggers and foreign keys checked row by row, slower)'}`);

  const now = new Date();
  for (let from = 1; from <= options.members; from += chunk) {
    const to = Math.min(options.members, from + chunk - 1);
    const chunkStarted = performance.now();
    await db.transaction().execute(async (trx) => {
      // Foreign keys are satisfied by construction and checked by ledger:verify's sums; row
      // triggers (automation events: this retailer has no automations) are skipped, as pg_restore does.
      if (bulk) await sql`set local session_replication_role = replica`.execute(trx);
      await sql`set local work_mem = '256MB'`.execute(trx);
      await helpers(trx);
      await timed(phases, 'members, cards, accounts', () => membersChunk(trx, { tenantId, tierId: tier.id, kid: card.kid, from, to, mean, now }));
      await timed(phases, 'ledger plan (entries and lots in a temp table)', () => planChunk(trx));
      await timed(phases, 'sales (transactions)', () => salesChunk(trx, tenantId, storeId, ownerId));
      await timed(phases, 'point entries', () => entriesChunk(trx, tenantId, ownerId));
      await timed(phases, 'point lots', () => lotsChunk(trx, tenantId));
      await timed(phases, 'account balances', () => accountsChunk(trx, tenantId));
    });
    log(`  members ${from.toLocaleString('en')}–${to.toLocaleString('en')} done in ${((performance.now() - chunkStarted) / 1000).toFixed(1)} s (${((performance.now() - startedAll) / 1000).toFixed(0)} s so far)`);
  }
  // The search's name index, which a trigger on members keeps (skipped above with the other
  // triggers), in one statement: written chunk by chunk into its growing indexes it took 300 s.
  await timed(phases, 'name search index (member_name_words)', () => db.transaction().execute(async (trx) => {
    if (bulk) await sql`set local session_replication_role = replica`.execute(trx);
    await sql`
      insert into member_name_words (tenant_id, member_id, starts_at, word, suffix)
      select m.tenant_id, m.id, s.starts_at, s.word, s.suffix
      from members m cross join lateral kartu_name_suffixes(m.name) s where m.tenant_id = ${tenantId}`.execute(trx);
  }));
  // What autovacuum would do after a bulk load, done now: statistics for the planner, and hint bits
  // and the visibility map set, so the first reads do not write every page.
  await timed(phases, 'vacuum (analyze)', async () => {
    for (const table of ['members', 'member_name_words', 'cards', 'point_accounts', 'transactions', 'point_entries', 'point_lots']) await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
  });

  const counts = await sql<{ members: number; entries: number; transactions: number; lots: number }>`
    select (select count(*) from members where tenant_id = ${tenantId})::int as members,
           (select count(*) from point_entries where tenant_id = ${tenantId})::int as entries,
           (select count(*) from transactions where tenant_id = ${tenantId})::int as transactions,
           (select count(*) from point_lots where tenant_id = ${tenantId})::int as lots`.execute(db);
  return { tenantId, ownerId, storeId, ...counts.rows[0], phases };
}

/** Session-local functions: a UUIDv7 at a given time (so ids sort as the history happened) and a Luhn digit. */
async function helpers(trx: Db) {
  // 48 bits of milliseconds, version 7, 12 + 62 random bits (random() is far cheaper than gen_random_uuid() per row).
  await sql`create or replace function pg_temp.uuid7_at(at timestamptz) returns uuid language sql volatile as $$
    select encode(int8send((floor(extract(epoch from at) * 1000)::int8 << 16) | 28672 | floor(random() * 4096)::int8)
      || int8send(floor(random() * 4611686018427387904)::int8 | (-9223372036854775808)::int8), 'hex')::uuid $$`.execute(trx);
  // luhn.ts's check digit: from the right, every other digit starting with the last is doubled.
  await sql`create or replace function pg_temp.luhn(p text) returns int language sql immutable as $$
    select ((10 - sum(case when (length(p) - k) % 2 = 0 then case when d * 2 > 9 then d * 2 - 9 else d * 2 end else d end) % 10) % 10)::int
    from (select k, substr(p, k, 1)::int as d from generate_series(1, length(p)) k) s $$`.execute(trx);
}

interface ChunkArgs { tenantId: string; tierId: string; kid: string; from: number; to: number; mean: number; now: Date }

async function membersChunk(trx: Db, a: ChunkArgs) {
  const spread = Math.max(0, Math.min(5, a.mean - 2));
  await sql`
    create temp table scale_m on commit drop as
    select t.*, pg_temp.uuid7_at(created_at) as member_id, pg_temp.uuid7_at(created_at) as account_id
    from (
      select i, n, last_at - make_interval(days => (n - 1) * ${STEP_DAYS}) as first_at, last_at,
             last_at - make_interval(days => (n - 1) * ${STEP_DAYS} + 1) as created_at
      from (
        select i, (${a.mean - spread} + (i::int8 * 7919) % ${2 * spread + 1})::int as n,
               ${a.now}::timestamptz - make_interval(days => (i * 13) % 30, hours => 1 + i % 10) as last_at
        from generate_series(${a.from}::int, ${a.to}::int) i
      ) s
    ) t`.execute(trx);
  await sql`
    insert into members (tenant_id, id, name, phone, email, birth_date, marketing_opt_in, status, lifecycle_stage, tier_id,
                         source, created_at, referral_code, first_purchase_at, last_purchase_at)
    select ${a.tenantId}::uuid, m.member_id,
           (${textArray(FIRST_NAMES)})[1 + i % ${FIRST_NAMES.length}] || ' ' || (${textArray(MIDDLE_NAMES)})[1 + (i / ${FIRST_NAMES.length}) % ${MIDDLE_NAMES.length}]
             || ' ' || (${textArray(LAST_NAMES)})[1 + (i * 7 / ${FIRST_NAMES.length * MIDDLE_NAMES.length}) % ${LAST_NAMES.length}],
           '+62812' || lpad(i::text, 8, '0'),
           case when i % 3 = 0 then null else 'member' || i || '@contoh.id' end,
           date '1960-01-01' + (i * 37) % 15000, i % 2 = 0, 'active', 'active', ${a.tierId}::uuid,
           'in_store', m.created_at, 'S' || lpad(upper(to_hex(i)), 9, '0'), m.first_at + interval '40 days',
           case when m.n % 4 = 0 then m.last_at - interval '40 days' else m.last_at end
    from scale_m m`.execute(trx);
  // Card numbers as luhn.ts makes them: a 7, 14 digits (here a bijection of i, so unique), a check digit.
  await sql`
    insert into cards (tenant_id, id, member_id, number, kid, status, created_at, issued_at)
    select ${a.tenantId}::uuid, pg_temp.uuid7_at(c.created_at), c.member_id, c.payload || pg_temp.luhn(c.payload), ${a.kid}, 'active', c.created_at, c.created_at
    from (select member_id, created_at, '7' || lpad(((i::int8 * 48271837 + 1234567) % 100000000000000)::text, 14, '0') as payload from scale_m) c`.execute(trx);
  await sql`
    insert into point_accounts (tenant_id, id, member_id, updated_at)
    select ${a.tenantId}::uuid, account_id, member_id, created_at from scale_m`.execute(trx);
}

async function planChunk(trx: Db) {
  await sql`
    create temp table scale_e on commit drop as
    with e as (
      select m.i, m.member_id, m.account_id, j,
             case when j = 1 then 'bonus' when j % 4 = 0 then 'redeem' else 'earn' end as kind,
             m.first_at + make_interval(days => (j - 1) * ${STEP_DAYS}) as at
      from scale_m m cross join generate_series(1, m.n) j
    ), p as (
      select e.*,
             case when kind = 'bonus' then 50
                  when kind = 'earn' then 10 + (i * 31 + j * 17) % 90
                  else -(10 + (i * 31 + (j - 1) * 17) % 90) end as points
      from e
    ), w as (
      select p.*,
             sum(points) over (partition by account_id order by j) as balance_after,
             sum(case when points > 0 then points else 0 end) over (partition by account_id order by j) as lot_running,
             -sum(case when points < 0 then points else 0 end) over (partition by account_id) as redeemed
      from p
    )
    select w.*, pg_temp.uuid7_at(at) as entry_id,
           case when kind = 'earn' then pg_temp.uuid7_at(at) end as transaction_id,
           case when points > 0 then pg_temp.uuid7_at(at) end as lot_id,
           case when points > 0 then least(points, greatest(0, lot_running - redeemed)) end as remaining
    from w`.execute(trx);
}

async function salesChunk(trx: Db, tenantId: string, storeId: string, ownerId: string) {
  // Rp 10.000 a point (the base rule), plus change that earns nothing.
  await sql`
    insert into transactions (tenant_id, id, member_id, store_id, receipt_no, channel, occurred_at, subtotal, total,
                              points_earned, status, actor_kind, actor_id, created_at)
    select ${tenantId}::uuid, transaction_id, member_id, ${storeId}::uuid, 'S' || i || '-' || j, 'store', at,
           points * 1000000 + (i % 100) * 5000, points * 1000000 + (i % 100) * 5000, points, 'posted', 'staff', ${ownerId}::uuid, at
    from scale_e where kind = 'earn'`.execute(trx);
}

async function entriesChunk(trx: Db, tenantId: string, ownerId: string) {
  await sql`
    insert into point_entries (tenant_id, id, account_id, kind, bucket, points, balance_after, transaction_id, reference, actor_kind, actor_id, created_at)
    select ${tenantId}::uuid, entry_id, account_id, kind, 'balance', points, balance_after, transaction_id,
           case kind when 'bonus' then 'welcome' when 'redeem' then 'reward' end, 'staff', ${ownerId}::uuid, at
    from scale_e order by entry_id`.execute(trx);
}

async function lotsChunk(trx: Db, tenantId: string) {
  await sql`
    insert into point_lots (tenant_id, id, account_id, entry_id, status, points, remaining, expires_at, created_at, transaction_id)
    select ${tenantId}::uuid, lot_id, account_id, entry_id, 'posted', points, remaining, at + interval '12 months', at, transaction_id
    from scale_e where points > 0`.execute(trx);
}

async function accountsChunk(trx: Db, tenantId: string) {
  await sql`
    update point_accounts a
    set balance = s.balance, lifetime_earned = s.earned, lifetime_redeemed = s.redeemed, updated_at = s.at
    from (
      select account_id, sum(points) as balance, sum(points) filter (where points > 0) as earned,
             coalesce(-sum(points) filter (where points < 0), 0) as redeemed, max(at) as at
      from scale_e group by account_id
    ) s
    where a.tenant_id = ${tenantId} and a.id = s.account_id`.execute(trx);
}
