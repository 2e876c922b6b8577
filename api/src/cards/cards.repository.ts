import { sql } from 'kysely';
import type { CardStatus } from '@kartu/db';
import type { Db } from '../deps.ts';

const cardColumns = ['tenant_id', 'id', 'member_id', 'number', 'kid', 'rotating_secret_enc'] as const;

export async function insertCard(
  db: Db,
  row: { tenant_id: string; id: string; member_id: string; number: string; kid: string; rotating_secret_enc: string | null },
) {
  await db.insertInto('cards').values({ ...row, issued_at: sql<Date>`now()` }).execute();
}

/** Pre-printed stock cards: no member yet, status 'unassigned'. */
export async function insertStockCards(
  db: Db,
  rows: { tenant_id: string; id: string; batch_id: string; number: string; kid: string; rotating_secret_enc: string }[],
) {
  if (rows.length === 0) return;
  await db
    .insertInto('cards')
    .values(rows.map((row) => ({ ...row, member_id: null, status: 'unassigned' as const })))
    .execute();
}

export async function cardNumberTaken(db: Db, tenantId: string, number: string) {
  return Boolean(await db.selectFrom('cards').select('id').where('tenant_id', '=', tenantId).where('number', '=', number).executeTakeFirst());
}

/** Which of these numbers the tenant already has. */
export async function takenCardNumbers(db: Db, tenantId: string, numbers: string[]): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const rows = await db.selectFrom('cards').select('number').where('tenant_id', '=', tenantId).where('number', 'in', numbers).execute();
  return new Set(rows.map((row) => row.number));
}

export function findActiveCardByNumber(db: Db, tenantId: string, number: string) {
  return db
    .selectFrom('cards')
    .select(cardColumns)
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export function findActiveCardOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('cards')
    .select(cardColumns)
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/** A card by number in any status, locked for the rest of the transaction. */
export function lockCardByNumber(db: Db, tenantId: string, number: string) {
  return db
    .selectFrom('cards')
    .select([...cardColumns, 'status'])
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .forUpdate()
    .executeTakeFirst();
}

/** The member's current card (active or blocked; at most one), locked for the rest of the transaction. */
export function lockCurrentCardOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('cards')
    .select([...cardColumns, 'status'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('status', 'in', ['active', 'blocked'])
    .forUpdate()
    .executeTakeFirst();
}

/** Moves a card from one status to another; false when it was no longer in `from`. */
export async function setCardStatus(
  db: Db,
  tenantId: string,
  id: string,
  from: CardStatus,
  to: Exclude<CardStatus, 'unassigned' | 'replaced'>,
): Promise<boolean> {
  const result = await db
    .updateTable('cards')
    .set({ status: to })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markReplaced(db: Db, tenantId: string, id: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('cards')
    .set({ status: 'replaced', reason, replaced_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', ['active', 'blocked'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives an unassigned stock card to a member; false when someone else got it first. */
export async function assignCard(db: Db, tenantId: string, id: string, memberId: string): Promise<boolean> {
  const result = await db
    .updateTable('cards')
    .set({ member_id: memberId, status: 'active', issued_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'unassigned')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const historyColumns = ['id', 'number', 'status', 'reason', 'issued_at', 'replaced_at', 'created_at'] as const;

export function findCardById(db: Db, tenantId: string, id: string) {
  return db.selectFrom('cards').select(historyColumns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow();
}

/** Every card the member had, newest first. */
export function cardsOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('cards')
    .select(historyColumns)
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export type CardHistoryRow = Awaited<ReturnType<typeof cardsOfMember>>[number];

export async function batchExists(db: Db, tenantId: string, batchId: string): Promise<boolean> {
  const row = await db
    .selectFrom('cards')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}

/** A page of a batch's cards in number order, after `afterNumber`. */
export function batchCardsPage(db: Db, tenantId: string, batchId: string, afterNumber: string | null, limit: number) {
  let query = db
    .selectFrom('cards')
    .select(['number', 'kid'])
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .orderBy('number')
    .limit(limit);
  if (afterNumber) query = query.where('number', '>', afterNumber);
  return query.execute();
}

/** Locks the member's row: card changes of one member queue up instead of racing. */
export async function lockMember(db: Db, tenantId: string, memberId: string): Promise<boolean> {
  const row = await db.selectFrom('members').select('id').where('tenant_id', '=', tenantId).where('id', '=', memberId).forUpdate().executeTakeFirst();
  return Boolean(row);
}
