import { sql } from 'kysely';
import { scrubAuditDetails } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';

// What an erasure scrubs, table by table (SQL only). The ledger, sales, lots, vouchers, reward
// redemptions and referrals keep the member id: they are the retailer's books, anonymised once the
// member row holds no personal data.

/** Replaces the text of erased free-text fields (their columns require some text). */
export const ERASED_TEXT = '[erased]';

const count = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0n);

/** The member's current card stops scanning; replaced cards already did. */
export async function blockCards(db: Db, tenantId: string, memberId: string) {
  return count(await sql`
    update cards set status = 'blocked', reason = 'erased'
    where tenant_id = ${tenantId} and member_id = ${memberId} and status in ('active', 'blocked')`.execute(db));
}

/** Why a message still to be sent at the erasure was not: the dispatcher only takes pending ones. */
export const ERASED_MESSAGE_ERROR = 'member erased';

/**
 * Messages to the member (and codes sent to their number or address, which name no member): recipient,
 * subject and body go. Those not sent yet (pending, or waiting for a transport) fail with the reason.
 */
export async function scrubMessages(db: Db, tenantId: string, memberId: string, contacts: string[]) {
  const unsent = sql`status in ('pending', 'unconfigured')`;
  return count(await sql`
    update outbox_messages set recipient = ${ERASED_TEXT}, body = ${ERASED_TEXT}, subject = null, secret = null, updated_at = now(),
      status = case when ${unsent} then 'failed' else status end,
      last_error = case when ${unsent} then ${ERASED_MESSAGE_ERROR} else last_error end,
      next_attempt_at = case when ${unsent} then null else next_attempt_at end
    where tenant_id = ${tenantId} and (member_id = ${memberId}${contacts.length ? sql` or (member_id is null and recipient in (${sql.join(contacts)}))` : sql``})`.execute(db));
}

/** The member's ratings, complaints and suggestions keep their kind, score and status; every text in them goes. */
export async function scrubFeedback(db: Db, tenantId: string, memberId: string) {
  await sql`
    update feedback_messages fm set body = ${ERASED_TEXT}
    from feedback_threads t
    where fm.tenant_id = ${tenantId} and t.tenant_id = fm.tenant_id and t.id = fm.thread_id and t.member_id = ${memberId}`.execute(db);
  return count(await sql`
    update feedback_threads set body = case when body is null then null else ${ERASED_TEXT} end, updated_at = now()
    where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db));
}

/** Sessions, one-time and presence codes, former numbers and the RFM profile. */
export async function deleteTraces(db: Db, tenantId: string, memberId: string, phone: string) {
  await sql`delete from sessions where tenant_id = ${tenantId} and principal_kind = 'member' and principal_id = ${memberId}`.execute(db);
  await sql`delete from otp_codes where tenant_id = ${tenantId} and phone = ${phone}`.execute(db);
  await sql`delete from presence_codes where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db);
  await sql`delete from member_former_phones where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db);
  await sql`delete from member_rfm where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db);
}

/** Rows of imported files that made or updated the member: the cells and the values read from them. */
export async function scrubImportRows(db: Db, tenantId: string, memberId: string) {
  await sql`
    update member_import_rows set original = '{}', phone = null, name = null, email = null, birth_date = null, external_id = null, tags = null
    where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db);
  // The import key is the file's external id or the phone; the opening balance it credited stays.
  await sql`update member_opening_balances set import_key = 'erased:' || member_id::text || ':' || entry_id::text where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db);
}

/** The tombstone: id, tier, lifecycle dates and source stay (reports); personal data goes, the phone is freed. */
export async function tombstone(db: Db, tenantId: string, memberId: string, at: Date) {
  await db
    .updateTable('members')
    .set({
      status: 'erased', erased_at: at, name: '', phone: `erased:${memberId}`, email: null, birth_date: null, marketing_opt_in: false,
      tags: [], source_tag: null, language: null,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', memberId)
    .execute();
}

/** Pending referrals cannot pay an erased member: as the friend (`member_erased`) or as the one who shared the code. */
export async function refusePendingReferrals(db: Db, tenantId: string, memberId: string) {
  await sql`
    update referrals set status = 'refused', decided_at = now(),
      reason = case when referee_id = ${memberId} then 'member_erased' else 'referrer_inactive' end
    where tenant_id = ${tenantId} and status = 'pending' and (referee_id = ${memberId} or referrer_id = ${memberId})`.execute(db);
}

/** What the erasure forfeited, read back from its ledger entries (the same answer on every retry). */
export async function forfeitedAtErasure(db: Db, tenantId: string, accountId: string) {
  const rows = await db
    .selectFrom('point_entries')
    .select((eb) => ['bucket', eb.fn.sum<number>('points').as('points')])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('reference', '=', ERASURE_REFERENCE)
    .groupBy('bucket')
    .execute();
  const of = (bucket: string) => -Number(rows.find((r) => r.bucket === bucket)?.points ?? 0);
  return { balance: of('balance'), pending: of('pending'), debt: of('debt') };
}

/** The reference of the compensating entries that forfeit an erased member's points. */
export const ERASURE_REFERENCE = 'erasure';

/**
 * The `member.created` bodies of these members (sent, or still to be sent) lose the name, phone and
 * email they carried, whatever they were then; a body still to be sent is signed as it is then, so
 * integrators get no erased data. Other events name a member by id only.
 */
export async function scrubWebhookBodies(db: Db, tenantId: string, memberIds: string[]) {
  await sql`
    update webhook_deliveries d set body = jsonb_set(d.body::jsonb, '{data,member}', (
      select jsonb_object_agg(key, case when key in ('name', 'phone', 'email') and value <> 'null' then to_jsonb(${ERASED_TEXT}::text) else value end)
      from jsonb_each(d.body::jsonb #> '{data,member}')))::text
    where d.tenant_id = ${tenantId} and d.event = 'member.created' and d.body::jsonb #>> '{data,member,id}' in (${sql.join(memberIds)})`.execute(db);
}

/** Staff's entries about the members keep their rows, actions and actors; the personal values they wrote go. */
export async function scrubAudit(db: Db, tenantId: string, memberIds: string[]) {
  await scrubAuditDetails(db, tenantId, { type: 'member', ids: memberIds, actions: ['member.updated', 'member.phone_changed'], keys: ['name', 'email', 'birthDate', 'tags', 'to'] }, ERASED_TEXT);
  const threads = await db.selectFrom('feedback_threads').select('id').where('tenant_id', '=', tenantId).where('member_id', 'in', memberIds).execute();
  await scrubAuditDetails(db, tenantId, { type: 'feedback', ids: threads.map((t) => t.id), actions: ['feedback.replied'], keys: ['text'] }, ERASED_TEXT);
}

interface PersonalFields { id: string; name: string; phone: string; email: string | null; birth_date: string | null }

/**
 * The members merged into this one, directly or through a chain of merges: the same person's
 * earlier memberships, whose rows still hold a name, email and birth date.
 */
export async function mergedInto(db: Db, tenantId: string, memberId: string): Promise<PersonalFields[]> {
  const { rows } = await sql<PersonalFields>`
    with recursive merged (id) as (
      select id from members where tenant_id = ${tenantId} and merged_into = ${memberId}
      union select m.id from members m join merged on m.merged_into = merged.id where m.tenant_id = ${tenantId}
    )
    select m.id, m.name, m.phone, m.email, m.birth_date from members m join merged using (id)
    where m.tenant_id = ${tenantId} for update of m`.execute(db);
  return rows;
}

/** A merged duplicate keeps its status and link to the survivor (the merge record); its personal data goes. */
export async function scrubMerged(db: Db, tenantId: string, memberId: string) {
  await db
    .updateTable('members')
    .set({ name: '', email: null, birth_date: null, marketing_opt_in: false, tags: [], source_tag: null, language: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', memberId)
    .where('status', '=', 'merged')
    .execute();
}

/**
 * Stored answers of idempotent requests about the member (a POS's sign-up, a scan) are replayed on a
 * retry: their name, phone, email and birth date are replaced, wherever in the answer they sit.
 */
export async function scrubIdempotentReplies(db: Db, tenantId: string, member: PersonalFields) {
  const fields: [string, string | null][] = [['name', member.name], ['phone', member.phone], ['email', member.email], ['birthDate', member.birth_date]];
  let body = sql`response_body::text`;
  for (const [key, value] of fields) {
    // jsonb's text form separates a key from its value with ': '.
    if (value) body = sql`replace(${body}, ${`"${key}": `} || to_json(${value}::text)::text, ${`"${key}": "${ERASED_TEXT}"`})`;
  }
  await sql`
    update idempotency_keys set response_body = (${body})::jsonb
    where tenant_id = ${tenantId} and response_body is not null and response_body::text like ${`%${member.id}%`}`.execute(db);
}
