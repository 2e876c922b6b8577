import { sql, type Selectable } from 'kysely';
import type { OutboxMessageTable } from '@kartu/db';
import type { Db } from '../deps.ts';
import type { Channel } from './transports.ts';

export function findTransports(db: Db, tenantId: string) {
  return db.selectFrom('message_transports').selectAll().where('tenant_id', '=', tenantId).execute();
}

export type TransportRow = Awaited<ReturnType<typeof findTransports>>[number];

export function findTransport(db: Db, tenantId: string, channel: Channel) {
  return db.selectFrom('message_transports').selectAll().where('tenant_id', '=', tenantId).where('channel', '=', channel).executeTakeFirst();
}

export async function hasTransport(db: Db, tenantId: string, channel: Channel): Promise<boolean> {
  const row = await db.selectFrom('message_transports').select('channel').where('tenant_id', '=', tenantId).where('channel', '=', channel).executeTakeFirst();
  return Boolean(row);
}

export async function upsertTransport(
  db: Db,
  row: { tenant_id: string; channel: Channel; kind: 'smtp' | 'http'; settings: Record<string, unknown>; secret_enc: string },
): Promise<void> {
  const settings = JSON.stringify(row.settings);
  await db
    .insertInto('message_transports')
    .values({ ...row, settings })
    .onConflict((oc) => oc.columns(['tenant_id', 'channel']).doUpdateSet({ kind: row.kind, settings, secret_enc: row.secret_enc, updated_at: sql`now()` }))
    .execute();
}

export async function deleteTransport(db: Db, tenantId: string, channel: Channel): Promise<boolean> {
  const deleted = await db.deleteFrom('message_transports').where('tenant_id', '=', tenantId).where('channel', '=', channel).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

export async function channelOrder(db: Db, tenantId: string): Promise<Channel[]> {
  const row = await db.selectFrom('tenants').select('message_channels').where('id', '=', tenantId).executeTakeFirstOrThrow();
  return row.message_channels;
}

export async function setChannelOrder(db: Db, tenantId: string, order: Channel[]): Promise<void> {
  await db.updateTable('tenants').set({ message_channels: sql`${sql.val(order)}::text[]` as never }).where('id', '=', tenantId).execute();
}

/** What a member message says about the member: name, contact, consent, tier, balance, language. */
export function memberForMessage(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('tiers as t', (j) => j.onRef('t.tenant_id', '=', 'm.tenant_id').onRef('t.id', '=', 'm.tier_id'))
    .leftJoin('point_accounts as a', (j) => j.onRef('a.tenant_id', '=', 'm.tenant_id').onRef('a.member_id', '=', 'm.id'))
    .select(['m.id', 'm.name', 'm.phone', 'm.email', 'm.status', 'm.marketing_opt_in', 'm.language', 't.name as tier_name', 'a.id as account_id', 'a.balance'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
}

/** The member's soonest expiry: its date and the points still live on it. */
export async function soonestExpiry(db: Db, tenantId: string, accountId: string, now: Date) {
  const row = await db
    .selectFrom('point_lots')
    .select(['expires_at', (eb) => eb.fn.sum<number>('remaining').as('points')])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('status', '=', 'posted')
    .where('remaining', '>', 0)
    .where('expires_at', 'is not', null)
    .where('expires_at', '>', now)
    .groupBy('expires_at')
    .orderBy('expires_at')
    .limit(1)
    .executeTakeFirst();
  return row && row.expires_at ? { date: row.expires_at, points: Number(row.points) } : null;
}

export async function setMemberLanguage(db: Db, tenantId: string, memberId: string, language: 'id' | 'en'): Promise<void> {
  await db.updateTable('members').set({ language }).where('tenant_id', '=', tenantId).where('id', '=', memberId).execute();
}

// ---- the outbox, as the dispatcher sees it ----

/**
 * Claims up to `limit` pending messages that are due: their next attempt moves to the end of a
 * lease, so another process (SKIP LOCKED meanwhile) leaves them alone while this one sends.
 */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<OutboxRow[]> {
  // Messages with a one-time code (sign-in, presence) go first: a backlog of campaign messages
  // must not hold up a code that expires in minutes.
  // The pick is materialised once: as an IN (subquery) the planner may scan it again per row and
  // take more than `limit` (all that are due, each sent at once under one lease).
  const { rows } = await sql<OutboxRow>`
    with picked as materialized (
      select tenant_id, id from outbox_messages
      where status = 'pending' and next_attempt_at <= ${now}
      order by (secret is null), next_attempt_at limit ${limit}
      for update skip locked)
    update outbox_messages o set next_attempt_at = ${leaseUntil}, updated_at = now()
    from picked
    where o.tenant_id = picked.tenant_id and o.id = picked.id and o.status = 'pending'
    returning o.*`.execute(db);
  return rows;
}

export type OutboxRow = Selectable<OutboxMessageTable>;

/** Records an attempt's outcome, only while this process's lease holds. */
export async function finishAttempt(
  db: Db,
  row: { tenant_id: string; id: string; lease: Date },
  outcome: { status: 'sent' | 'pending' | 'failed' | 'unconfigured'; attempts: number; lastError: string | null; nextAttemptAt: Date | null; sentAt: Date | null },
): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({
      status: outcome.status, attempts: outcome.attempts, last_error: outcome.lastError, next_attempt_at: outcome.nextAttemptAt,
      sent_at: outcome.sentAt, updated_at: sql`now()`,
    })
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', row.lease)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
