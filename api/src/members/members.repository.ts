import { sql, type RawBuilder } from 'kysely';
import type { Insertable, Updateable } from 'kysely';
import type { DB, MemberTable } from '@kartu/db';
import type { Db } from '../deps.ts';

export async function phoneTaken(db: Db, tenantId: string, phone: string) {
  return Boolean(await db.selectFrom('members').select('id').where('tenant_id', '=', tenantId).where('phone', '=', phone).executeTakeFirst());
}

export async function insertMember(db: Db, row: Insertable<MemberTable>) {
  await db.insertInto('members').values(row).execute();
}

export async function referralCodeTaken(db: Db, tenantId: string, code: string) {
  return Boolean(await db.selectFrom('members').select('id').where('tenant_id', '=', tenantId).where('referral_code', '=', code).executeTakeFirst());
}

export async function updateMember(db: Db, tenantId: string, id: string, patch: Updateable<MemberTable>) {
  if (Object.values(patch).every((value) => value === undefined)) return;
  await db.updateTable('members').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** A one-time code to the member's phone proved it; the member's phone when this was the first proof, else null. */
export async function markPhoneVerified(db: Db, tenantId: string, id: string): Promise<string | null> {
  const row = await db
    .updateTable('members')
    .set({ phone_verified_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('phone_verified_at', 'is', null)
    .returning('phone')
    .executeTakeFirst();
  return row?.phone ?? null;
}

/** The member row itself, locked: profile edits, phone changes and merges queue on it. */
export function lockMember(db: Db, tenantId: string, id: string) {
  // No key update: a card being issued to the member (a foreign key) need not wait for this.
  return db.selectFrom('members').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
}

export async function baseTierId(db: Db, tenantId: string): Promise<string> {
  const tier = await db.selectFrom('tiers').select('id').where('tenant_id', '=', tenantId).orderBy('rank').limit(1).executeTakeFirstOrThrow();
  return tier.id;
}

/** A member with tier, balances and active card number, in one read. */
function memberDetails(db: Db, tenantId: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('tiers as t', (j) => j.onRef('t.tenant_id', '=', 'm.tenant_id').onRef('t.id', '=', 'm.tier_id'))
    .innerJoin('point_accounts as a', (j) => j.onRef('a.tenant_id', '=', 'm.tenant_id').onRef('a.member_id', '=', 'm.id'))
    .leftJoin('cards as c', (j) =>
      j.onRef('c.tenant_id', '=', 'm.tenant_id').onRef('c.member_id', '=', 'm.id').on('c.status', 'in', ['active', 'blocked']),
    )
    .select([
      'm.id', 'm.name', 'm.phone', 'm.email', 'm.birth_date', 'm.status', 'm.lifecycle_stage', 'm.created_at', 'm.marketing_opt_in',
      'm.source', 'm.source_tag', 'm.referral_code', 'm.tags', 'm.phone_verified_at', 'm.first_purchase_at', 'm.last_purchase_at', 'm.merged_into', 'm.erased_at',
      't.code as tier_code', 't.name as tier_name', 'a.balance', 'a.pending', 'a.debt', 'c.number as card_number',
    ])
    .where('m.tenant_id', '=', tenantId);
}

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMember>>>;

export function findMember(db: Db, tenantId: string, id: string) {
  return memberDetails(db, tenantId).where('m.id', '=', id).executeTakeFirst();
}

export function findMemberByPhone(db: Db, tenantId: string, phone: string) {
  return db.selectFrom('members').select(['id', 'status']).where('tenant_id', '=', tenantId).where('phone', '=', phone).executeTakeFirst();
}

export interface MemberSearch {
  text?: string;
  phone?: string | null;
  cardNumber?: string | null;
}

export function searchMembers(db: Db, tenantId: string, search: MemberSearch, limit: number, beforeId?: string) {
  // The page of matching ids first, then the details of those alone: a common name prefix matches
  // thousands of a million members, and joining balances and cards to each before the limit was
  // most of the search's time.
  const text = search.text?.trim().toLowerCase();
  const before = (column: string) => (beforeId ? sql`and ${sql.ref(column)} < ${beforeId}` : sql``);
  let ids;
  if (!text) {
    ids = sql`select id from members where tenant_id = ${tenantId} ${before('id')} order by id desc limit ${sql.lit(limit + 1)}`;
  } else {
    // Only the look-ups the text can match (a phone number is no name and no email): each arm is
    // work, and each combination is a statement of its own, planned once per connection.
    const arms = [];
    if (/\p{L}/u.test(text)) arms.push(sql`(${nameMatches(tenantId, text, limit + 1, before('x.member_id'))})`);
    if (text.includes('@')) arms.push(sql`select id from members where tenant_id = ${tenantId} and lower(email) = ${text} ${before('id')}`);
    if (search.phone) arms.push(sql`select id from members where tenant_id = ${tenantId} and phone = ${search.phone} ${before('id')}`);
    if (search.cardNumber) {
      arms.push(sql`select member_id from cards where tenant_id = ${tenantId} and number = ${search.cardNumber} ${before('member_id')}`);
    }
    if (!arms.length) return Promise.resolve([]);
    ids = sql`select id from (${sql.join(arms, sql` union `)}) matches (id) order by id desc limit ${sql.lit(limit + 1)}`;
  }
  // `= any(array(…))`: the page's members are read by primary key whatever the planner thinks the
  // retailer's size is (a plan made once, for every retailer of the database, may be used).
  return memberDetails(db, tenantId).where(sql<boolean>`m.id = any(array(${ids}))`).orderBy('m.id', 'desc').execute();
}

/**
 * Members whose name has the text at the start of a word, newest first (the index of migrations 0031
 * and 0034). One word: each distinct word with that prefix (a skip scan over the word index), its
 * newest `limit` members; two: the same over each name's pairs of words; more: the range of name
 * suffixes that start with the text.
 *
 * Written so that PostgreSQL plans it once per connection (the statement is prepared, see
 * db/src/preparing-client.ts) instead of for every search, 0.6 ms of one at 1,000,000 members: the
 * prefix is a range (`>= text and < end`), which reads the index in a plan made without the values,
 * where `like 'text%'` cannot; the range's ends are sub-selects, so that a plan made for the values
 * is costed like one made without them and PostgreSQL settles on the latter; the limits are written
 * into the text, as they never change.
 */
function nameMatches(tenantId: string, text: string, limit: number, before: RawBuilder<unknown>) {
  const end = prefixEnd(text);
  const from = sql`(select ${text}::text)`;
  const below = (column: string) => (end === undefined ? sql`` : sql`and ${sql.ref(column)} < (select ${end}::text)`);
  const limited = sql`limit ${sql.lit(limit)}`;
  const words = text.split(' ');
  if (words.length > 2 || words.includes('')) {
    // Materialized: the planner misjudges how many suffixes a phrase matches (19,563 for 625) and
    // would walk the primary key newest first, filtering a million rows, instead of reading the range.
    return sql`
      with phrase as materialized (
        select x.member_id from member_name_words x where x.tenant_id = ${tenantId} and x.suffix >= ${from} ${below('x.suffix')} ${before}
      )
      select member_id from phrase order by member_id desc ${limited}`;
  }
  // One word or two: a skip scan over the distinct words, or pairs of words, with that prefix.
  const by = words.length === 2 ? 'phrase' : 'word';
  const of = (alias: string) => sql.ref(`${alias}.${by}`);
  return sql`
    with recursive keys (key) as (
      (select ${of('k')} from member_name_words k where k.tenant_id = ${tenantId} and ${of('k')} >= ${from} ${below(`k.${by}`)} order by ${of('k')} limit 1)
      union all
      select (select ${of('w')} from member_name_words w where w.tenant_id = ${tenantId} and ${of('w')} > keys.key ${below(`w.${by}`)} order by ${of('w')} limit 1)
      from keys where keys.key is not null
    )
    select n.member_id from keys cross join lateral (
      select x.member_id from member_name_words x
      where x.tenant_id = ${tenantId} and ${of('x')} = keys.key ${before} order by x.member_id desc ${limited}
    ) n`;
}

/**
 * The first text after every text that starts with `prefix`, in the byte order of the "C" collation
 * (for UTF-8, the order of code points): the prefix with its last character's successor. Undefined
 * when there is none (the prefix is all U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix];
  while (chars.length) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return chars.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

export type { DB };
