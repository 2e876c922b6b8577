import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import { membersInSegment, segmentFilter } from './segment-filter.ts';
import type { SegmentRules } from './segment-rules.ts';

export type SegmentStatus = 'active' | 'archived';

const columns = ['id', 'code', 'name', 'description', 'rules', 'status', 'created_at', 'updated_at'] as const;

/** Newest first; `limit + 1` rows after the cursor (see shared/page.ts). */
export function listSegments(db: Db, tenantId: string, filter: { status?: SegmentStatus }, limit: number, beforeId?: string) {
  let query = db.selectFrom('segments').select(columns).where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

export function findSegment(db: Db, tenantId: string, id: string) {
  return db.selectFrom('segments').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export type SegmentRow = NonNullable<Awaited<ReturnType<typeof findSegment>>>;

/** Locks the row for a patch or an archive. */
export function lockSegment(db: Db, tenantId: string, id: string) {
  return db.selectFrom('segments').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function codeTaken(db: Db, tenantId: string, code: string) {
  return Boolean(await db.selectFrom('segments').select('id').where('tenant_id', '=', tenantId).where('code', '=', code).executeTakeFirst());
}

export interface SegmentValues {
  name: string;
  description: string | null;
  rules: SegmentRules;
}

export async function insertSegment(db: Db, row: SegmentValues & { tenant_id: string; id: string; code: string }) {
  await db.insertInto('segments').values({ ...row, rules: JSON.stringify(row.rules) }).execute();
}

export async function updateSegment(db: Db, tenantId: string, id: string, values: SegmentValues) {
  await db
    .updateTable('segments')
    .set({ ...values, rules: JSON.stringify(values.rules), updated_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function archiveSegment(db: Db, tenantId: string, id: string) {
  await db.updateTable('segments').set({ status: 'archived', updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** The active segments with these codes (code and rules). */
export function activeSegmentsByCode(db: Db, tenantId: string, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('segments')
    .select(['code', 'rules'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('code', 'in', codes)
    .execute();
}

/** How many members each rule set selects, in one pass over the tenant's members. */
export async function countMembers(db: Db, tenantId: string, rulesList: SegmentRules[], now: Date): Promise<number[]> {
  if (rulesList.length === 0) return [];
  const scope = { tenantId, now };
  const counts = rulesList.map((rules, i) => sql`count(*) filter (where ${segmentFilter(rules, scope)})::int as ${sql.id(`c${i}`)}`);
  const { rows } = await sql<Record<string, number>>`select ${sql.join(counts)} from members m where m.tenant_id = ${tenantId}`.execute(db);
  return rulesList.map((_, i) => Number(rows[0]?.[`c${i}`] ?? 0));
}

/** Which of these segments the member is in: one query, whatever their number. */
export async function segmentsOfMember(db: Db, tenantId: string, memberId: string, segments: { code: string; rules: SegmentRules }[], now: Date) {
  if (segments.length === 0) return [];
  const scope = { tenantId, now };
  const tests = segments.map((s, i) => sql`${segmentFilter(s.rules, scope)} as ${sql.id(`s${i}`)}`);
  const { rows } = await sql<Record<string, boolean>>`select ${sql.join(tests)} from members m where m.tenant_id = ${tenantId} and m.id = ${memberId}`.execute(db);
  const row = rows[0];
  return row ? segments.filter((_, i) => row[`s${i}`] === true).map((s) => s.code) : [];
}

/** Members in the segment with their tier, newest id first; `limit + 1` rows after the cursor. */
export function segmentMembers(db: Db, tenantId: string, rules: SegmentRules, now: Date, limit: number, beforeId?: string) {
  let query = membersInSegment(db, tenantId, rules, now)
    .innerJoin('tiers as tr', (j) => j.onRef('tr.tenant_id', '=', 'm.tenant_id').onRef('tr.id', '=', 'm.tier_id'))
    .select(['m.id', 'm.name', 'm.phone', 'm.lifecycle_stage', 'tr.code as tier_code', 'tr.name as tier_name'])
    .orderBy('m.id', 'desc')
    .limit(limit + 1);
  if (beforeId) query = query.where('m.id', '<', beforeId);
  return query.execute();
}

export type SegmentMemberRow = Awaited<ReturnType<typeof segmentMembers>>[number];

/** Which of these tier codes the tenant has. */
export async function knownTierCodes(db: Db, tenantId: string, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('tiers').select('code').where('tenant_id', '=', tenantId).where('code', 'in', codes).execute();
  return new Set(rows.map((row) => row.code));
}

/** Which of these store ids the tenant has. */
export async function knownStoreIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}

/** Which of these codes name an active segment of the tenant. */
export async function activeSegmentCodes(db: Db, tenantId: string, codes: string[]): Promise<Set<string>> {
  return new Set((await activeSegmentsByCode(db, tenantId, codes)).map((row) => row.code));
}
