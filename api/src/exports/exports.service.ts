import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { invalidField } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { isoInZone } from '../shared/zoned-time.ts';
import { spreadsheetSafe } from '../shared/spreadsheet-safe.ts';
import { startOfDate } from '../points/policy.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import * as repo from './exports.repository.ts';

const PAGE = 5_000;

export const MEMBER_COLUMNS = [
  'id', 'name', 'phone', 'email', 'birth_date', 'card_number', 'tier', 'points_balance', 'points_pending', 'status', 'lifecycle_stage', 'source', 'tags',
  'marketing_opt_in', 'created_at',
] as const;
export const LEDGER_COLUMNS = [
  'entry_id', 'created_at', 'member_id', 'phone', 'kind', 'bucket', 'points', 'balance_after', 'transaction_id', 'reference', 'note', 'actor_kind', 'actor_id',
] as const;

/** Pages after a cursor, as CSV; an error midway destroys the stream, so a client sees a broken download, not a short file. */
function csvOf<T extends { id: string }>(columns: readonly string[], next: (after: string | null) => Promise<T[]>, record: (row: T) => Record<string, unknown>) {
  async function* records() {
    let after: string | null = null;
    for (;;) {
      const page = await next(after);
      for (const row of page) yield Object.fromEntries(Object.entries(record(row)).map(([key, value]) => [key, spreadsheetSafe(value)]));
      if (page.length < PAGE) return;
      after = page[page.length - 1].id;
    }
  }
  return pipeline(Readable.from(records()), stringify({ header: true, columns: [...columns], record_delimiter: 'windows' }), () => {});
}

export async function membersCsv(db: Db, principal: Principal): Promise<Readable> {
  const tenantId = principal.tenantId;
  const { time_zone: timeZone } = await getTenant(db, tenantId);
  await recordAudit(db, principal, { action: 'members.export', targetType: 'tenant', targetId: tenantId });
  return csvOf(MEMBER_COLUMNS, (after) => repo.membersPage(db, tenantId, after, PAGE), (m) => ({
    id: m.id, name: m.name, phone: m.phone, email: m.email, birth_date: m.birth_date, card_number: m.card_number, tier: m.tier,
    points_balance: Number(m.balance), points_pending: Number(m.pending), status: m.status, lifecycle_stage: m.lifecycle_stage, source: m.source,
    tags: m.tags.join(';'), marketing_opt_in: m.marketing_opt_in ? 'yes' : 'no', created_at: isoInZone(new Date(m.created_at), timeZone),
  }));
}

/** Ledger entries created from the start of `from` to the end of `to`, local dates of the retailer (both optional). */
export async function ledgerCsv(db: Db, principal: Principal, range: { from?: string; to?: string }): Promise<Readable> {
  const tenantId = principal.tenantId;
  if (range.from && range.to && range.from > range.to) throw invalidField('query.to', 'Must not be before from');
  const { time_zone: timeZone } = await getTenant(db, tenantId);
  const from = range.from ? startOfDate(range.from, timeZone) : null;
  const to = range.to ? new Date(startOfDate(range.to, timeZone).getTime() + 86400e3) : null;
  await recordAudit(db, principal, { action: 'ledger.export', targetType: 'tenant', targetId: tenantId, details: { from: range.from ?? null, to: range.to ?? null } });
  return csvOf(LEDGER_COLUMNS, (after) => repo.ledgerPage(db, tenantId, { from, to }, after, PAGE), (e) => ({
    entry_id: e.id, created_at: isoInZone(new Date(e.created_at), timeZone), member_id: e.member_id, phone: e.phone, kind: e.kind, bucket: e.bucket,
    points: Number(e.points), balance_after: Number(e.balance_after), transaction_id: e.transaction_id, reference: e.reference, note: e.note,
    actor_kind: e.actor_kind, actor_id: e.actor_id,
  }));
}
