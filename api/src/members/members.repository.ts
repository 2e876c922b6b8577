import { sql, type ExpressionBuilder } from 'kysely';
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
  let query = db.selectFrom('members as m').select('m.id').where('m.tenant_id', '=', tenantId).orderBy('m.id', 'desc').limit(limit + 1);
  if (beforeId) query = query.where('m.id', '<', beforeId);
  const text = search.text?.trim().toLowerCase();
  if (text) {
    query = query.where((eb: ExpressionBuilder<any, any>) => {
      const likeText = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const anyOf = [
        eb(sql`lower(m.name)`, 'like', likeText),
        eb(sql`lower(m.name)`, 'like', `% ${likeText}`),
        eb(sql`lower(m.email)`, '=', text),
      ];
      if (search.phone) anyOf.push(eb('m.phone', '=', search.phone));
      // The card's member as a scalar (numbers are unique in a tenant): an index condition that
      // joins the others in one BitmapOr, where a correlated EXISTS would be checked member by member.
      if (search.cardNumber) {
        anyOf.push(eb('m.id', '=', eb.selectFrom('cards as k').select('k.member_id').where('k.tenant_id', '=', tenantId).where('k.number', '=', search.cardNumber)));
      }
      return eb.or(anyOf);
    }) as typeof query;
  }
  return memberDetails(db, tenantId).where('m.id', 'in', query).orderBy('m.id', 'desc').execute();
}

export type { DB };
