import { sql } from 'kysely';
import type { Db } from '../deps.ts';

// The SQL of member imports. Batches go in as one jsonb parameter (jsonb_to_recordset), so a
// batch of thousands of rows is one round trip whatever Postgres's limit on parameters.

const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;

export async function insertImport(db: Db, row: {
  tenant_id: string; id: string; file_name: string | null; headers: string[]; mapping: Record<string, string>; actor_kind: string; actor_id: string | null;
}) {
  await db.insertInto('member_imports').values({ ...row, mapping: JSON.stringify(row.mapping) }).execute();
}

export function findImport(db: Db, tenantId: string, id: string) {
  return db.selectFrom('member_imports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function recentImports(db: Db, tenantId: string, limit: number) {
  return db.selectFrom('member_imports').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit).execute();
}

export interface StagedRow {
  row_no: number;
  original: string[];
  phone: string | null;
  name: string | null;
  email: string | null;
  birth_date: string | null;
  external_id: string | null;
  opening_points: number | null;
  tags: string[] | null;
  marketing_opt_in: boolean | null;
  error_field: string | null;
  error_message: string | null;
}

export async function insertStagedRows(db: Db, tenantId: string, importId: string, rows: StagedRow[]) {
  if (rows.length === 0) return;
  await sql`
    insert into member_import_rows (tenant_id, import_id, row_no, original, phone, name, email, birth_date, external_id,
                                    opening_points, tags, marketing_opt_in, error_field, error_message, outcome)
    select ${tenantId}, ${importId}, r.row_no, r.original, r.phone, r.name, r.email, r.birth_date, r.external_id,
           r.opening_points, r.tags, r.marketing_opt_in, r.error_field, r.error_message,
           case when r.error_field is null then null else 'failed' end
    from jsonb_to_recordset(${json(rows)}) as r (row_no int, original text[], phone text, name text, email text, birth_date date,
      external_id text, opening_points int8, tags text[], marketing_opt_in boolean, error_field text, error_message text)`.execute(db);
}

/** Fresh statistics for the rows just staged, so the batches' joins are planned for their real number. */
export async function analyzeStagedRows(db: Db) {
  await sql`analyze member_import_rows`.execute(db);
}

export async function setStaged(db: Db, tenantId: string, id: string, totals: { rows_total: number; failed: number }) {
  await db.updateTable('member_imports').set({ ...totals, rows_processed: totals.failed, staged_at: new Date(), progress_at: new Date() })
    .where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Valid staged rows not worked yet after `afterRow`, in file order. */
export function validRowsAfter(db: Db, tenantId: string, importId: string, afterRow: number, limit: number) {
  return db.selectFrom('member_import_rows')
    .select(['row_no', 'phone', 'name', 'email', 'birth_date', 'external_id', 'opening_points', 'tags', 'marketing_opt_in'])
    .where('tenant_id', '=', tenantId).where('import_id', '=', importId).where('row_no', '>', afterRow).where('outcome', 'is', null)
    .orderBy('row_no').limit(limit).execute();
}
export type ValidRow = Awaited<ReturnType<typeof validRowsAfter>>[number];

export function errorRowsAfter(db: Db, tenantId: string, importId: string, afterRow: number, limit: number) {
  return db.selectFrom('member_import_rows').select(['row_no', 'error_field', 'error_message', 'original'])
    .where('tenant_id', '=', tenantId).where('import_id', '=', importId).where('row_no', '>', afterRow).where('error_field', 'is not', null)
    .orderBy('row_no').limit(limit).execute();
}

export function membersByPhone(db: Db, tenantId: string, phones: string[]) {
  if (phones.length === 0) return Promise.resolve([]);
  return db.selectFrom('members').select(['id', 'phone', 'status']).where('tenant_id', '=', tenantId).where('phone', 'in', phones).execute();
}

export async function takenReferralCodes(db: Db, tenantId: string, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('members').select('referral_code').where('tenant_id', '=', tenantId).where('referral_code', 'in', codes).execute();
  return new Set(rows.map((r) => r.referral_code));
}

export interface NewMemberRow {
  id: string; phone: string; name: string; email: string | null; birth_date: string | null; marketing_opt_in: boolean; tags: string[]; referral_code: string;
}

/** Inserts the members whose phone is new in the tenant; returns those that went in (a concurrent sign-up keeps its number). */
export async function insertMembers(db: Db, tenantId: string, tierId: string, rows: NewMemberRow[]) {
  if (rows.length === 0) return [];
  const { rows: inserted } = await sql<{ id: string; phone: string }>`
    insert into members (tenant_id, id, name, phone, email, birth_date, marketing_opt_in, tags, referral_code, tier_id, source, stage_changed_at)
    select ${tenantId}, r.id, r.name, r.phone, r.email, r.birth_date, r.marketing_opt_in, r.tags, r.referral_code, ${tierId}, 'import', now()
    from jsonb_to_recordset(${json(rows)}) as r (id uuid, phone text, name text, email text, birth_date date, marketing_opt_in boolean, tags text[], referral_code text)
    on conflict (tenant_id, phone) do nothing
    returning id, phone`.execute(db);
  return inserted;
}

/** New members start as prospects in the lifecycle history. */
export async function insertFirstStages(db: Db, tenantId: string, memberIds: string[]) {
  if (memberIds.length === 0) return;
  await sql`
    insert into member_stage_history (tenant_id, id, member_id, from_stage, to_stage)
    select ${tenantId}, kartu_uuidv7(), m, null, 'prospect' from unnest(${memberIds}::uuid[]) as m`.execute(db);
}

export async function insertCards(db: Db, tenantId: string, cards: { id: string; member_id: string; number: string; kid: string; rotating_secret_enc: string }[]) {
  if (cards.length === 0) return;
  await sql`
    insert into cards (tenant_id, id, member_id, number, kid, rotating_secret_enc, issued_at)
    select ${tenantId}, r.id, r.member_id, r.number, r.kid, r.rotating_secret_enc, now()
    from jsonb_to_recordset(${json(cards)}) as r (id uuid, member_id uuid, number text, kid text, rotating_secret_enc text)`.execute(db);
}

export interface MemberUpdate {
  id: string; name: string | null; email: string | null; birth_date: string | null; marketing_opt_in: boolean | null; tags: string[] | null;
}

/**
 * Fills in what the file says about existing members (empty cells keep what is there; tags are
 * added); returns only the members that actually changed, so a re-run reports nothing updated.
 */
export async function updateMembers(db: Db, tenantId: string, rows: MemberUpdate[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const { rows: changed } = await sql<{ id: string }>`
    with r as (
      select * from jsonb_to_recordset(${json(rows)}) as r (id uuid, name text, email text, birth_date date, marketing_opt_in boolean, tags text[])
    ), wanted as (
      select m.id, coalesce(r.name, m.name) as name, coalesce(r.email, m.email) as email, coalesce(r.birth_date, m.birth_date) as birth_date,
             coalesce(r.marketing_opt_in, m.marketing_opt_in) as marketing_opt_in,
             m.tags || array(select t from unnest(coalesce(r.tags, '{}')) t where t <> all(m.tags)) as tags
      from members m join r on m.id = r.id
      where m.tenant_id = ${tenantId}
    )
    update members m set name = w.name, email = w.email, birth_date = w.birth_date, marketing_opt_in = w.marketing_opt_in, tags = w.tags
    from wanted w
    where m.tenant_id = ${tenantId} and m.id = w.id
      and (m.name, m.email, m.birth_date, m.marketing_opt_in, m.tags) is distinct from (w.name, w.email, w.birth_date, w.marketing_opt_in, w.tags)
    returning m.id`.execute(db);
  return new Set(changed.map((r) => r.id));
}

/** Claims each opening balance's import key; returns the claims that are new (the rest were credited before). */
export async function claimOpeningBalances(db: Db, tenantId: string, importId: string, claims: { import_key: string; member_id: string; points: number; entry_id: string }[]) {
  if (claims.length === 0) return [];
  const { rows } = await sql<{ import_key: string; member_id: string; points: number; entry_id: string }>`
    insert into member_opening_balances (tenant_id, import_key, member_id, points, entry_id, import_id)
    select ${tenantId}, r.import_key, r.member_id, r.points, r.entry_id, ${importId}
    from jsonb_to_recordset(${json(claims)}) as r (import_key text, member_id uuid, points int8, entry_id uuid)
    on conflict (tenant_id, import_key) do nothing
    returning import_key, member_id, points, entry_id`.execute(db);
  return rows.map((r) => ({ ...r, points: Number(r.points) }));
}

export async function recordOutcomes(db: Db, tenantId: string, importId: string, outcomes: {
  row_no: number; outcome: 'created' | 'updated' | 'unchanged' | 'failed'; member_id: string | null; error_field: string | null; error_message: string | null;
}[]) {
  if (outcomes.length === 0) return;
  await sql`
    update member_import_rows t set outcome = r.outcome, member_id = r.member_id, error_field = r.error_field, error_message = r.error_message
    from jsonb_to_recordset(${json(outcomes)}) as r (row_no int, outcome text, member_id uuid, error_field text, error_message text)
    where t.tenant_id = ${tenantId} and t.import_id = ${importId} and t.row_no = r.row_no`.execute(db);
}

export async function addProgress(db: Db, tenantId: string, id: string, counts: { processed: number; created: number; updated: number; skipped: number; failed: number }) {
  await sql`
    update member_imports set rows_processed = rows_processed + ${counts.processed}, created = created + ${counts.created},
      updated = updated + ${counts.updated}, skipped = skipped + ${counts.skipped}, failed = failed + ${counts.failed}, progress_at = now()
    where tenant_id = ${tenantId} and id = ${id}`.execute(db);
}

/** Ends an import still processing (a second worker that finds it finished changes nothing). */
export async function finishImport(db: Db, tenantId: string, id: string, status: 'done' | 'failed', error: string | null = null) {
  await db.updateTable('member_imports').set({ status, error, finished_at: new Date() })
    .where('tenant_id', '=', tenantId).where('id', '=', id).where('status', '=', 'processing').execute();
}

/** Locks the import for one batch, so two workers of the same import (a resume while it still runs) take turns; its status. */
export async function lockImport(db: Db, tenantId: string, id: string) {
  const row = await db.selectFrom('member_imports').select('status').where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row?.status ?? null;
}

/** Imports (of every tenant) read completely but still processing and quiet since `quietSince`: their worker stopped. */
export function stalledImports(db: Db, quietSince: Date) {
  return db.selectFrom('member_imports').select(['tenant_id', 'id', 'actor_kind', 'actor_id'])
    .where('status', '=', 'processing').where('staged_at', 'is not', null).where('progress_at', '<', quietSince)
    .orderBy('created_at').execute();
}

/** Uploads that never finished being read (the server stopped mid-upload; the client got no answer): failed, never worked. */
export async function failAbandonedUploads(db: Db, startedBefore: Date, error: string) {
  const result = await db.updateTable('member_imports').set({ status: 'failed', error, finished_at: new Date() })
    .where('status', '=', 'processing').where('staged_at', 'is', null).where('created_at', '<', startedBefore).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes the staged rows (the file's personal data) of imports finished before `finishedBefore`; the imports' counts stay. */
export async function deleteStagedRows(db: Db, finishedBefore: Date) {
  const { rows } = await sql<{ imports: string; rows: string }>`
    with gone as (
      update member_imports set rows_deleted_at = now()
      where status <> 'processing' and finished_at < ${finishedBefore} and rows_deleted_at is null
      returning tenant_id, id
    ), deleted as (
      delete from member_import_rows r using gone g where r.tenant_id = g.tenant_id and r.import_id = g.id returning 1
    )
    select (select count(*) from gone) as imports, (select count(*) from deleted) as rows`.execute(db);
  return { imports: Number(rows[0]?.imports ?? 0), rows: Number(rows[0]?.rows ?? 0) };
}
