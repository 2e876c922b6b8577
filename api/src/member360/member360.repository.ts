import type { Db } from '../deps.ts';

/** The member's contact, which one-time codes were sent to before they carried the member's id. */
export function findMemberContact(db: Db, tenantId: string, id: string) {
  return db.selectFrom('members').select(['id', 'phone', 'email']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export type MemberContact = NonNullable<Awaited<ReturnType<typeof findMemberContact>>>;

export function activeSegments(db: Db, tenantId: string) {
  return db
    .selectFrom('segments')
    .select(['id', 'code', 'name', 'description', 'rules'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('name')
    .execute();
}

/**
 * Messages for the member, newest first: those queued for them, and one-time codes (which carry no
 * member) sent to their phone or email. `limit + 1` rows after the cursor.
 */
export function messagesOfMember(db: Db, tenantId: string, member: MemberContact, limit: number, beforeId?: string) {
  const contacts = member.email ? [member.phone, member.email] : [member.phone];
  let query = db
    .selectFrom('outbox_messages')
    .select(['id', 'channel', 'recipient', 'purpose', 'subject', 'body', 'secret', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('member_id', '=', member.id), eb.and([eb('member_id', 'is', null), eb('recipient', 'in', contacts)])]))
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

export type MemberMessageRow = Awaited<ReturnType<typeof messagesOfMember>>[number];

/** What else audit rows about the member name as their target: their feedback threads and reward redemptions. */
export async function subjectIdsOfMember(db: Db, tenantId: string, memberId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('feedback_threads')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .unionAll(db.selectFrom('reward_redemptions').select('id').where('tenant_id', '=', tenantId).where('member_id', '=', memberId))
    .execute();
  return rows.map((row) => row.id);
}

/** Audit rows whose target is one of these ids, newest first, with the acting staff member's name; `limit + 1` rows. */
export function auditOfTargets(db: Db, tenantId: string, targetIds: string[], limit: number, beforeId?: string) {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.id', '=', 'a.actor_id'))
    .select(['a.id', 'a.actor_kind', 'a.actor_id', 's.name as actor_name', 'a.action', 'a.target_type', 'a.target_id', 'a.details', 'a.created_at'])
    .where('a.tenant_id', '=', tenantId)
    .where('a.target_id', 'in', targetIds)
    .orderBy('a.id', 'desc')
    .limit(limit + 1);
  if (beforeId) query = query.where('a.id', '<', beforeId);
  return query.execute();
}

export type MemberAuditRow = Awaited<ReturnType<typeof auditOfTargets>>[number];
