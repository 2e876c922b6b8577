import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { spreadsheetSafe } from '../shared/spreadsheet-safe.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { STAGED_ROWS_RETENTION_DAYS, STALLED_AFTER_MS, toImportView } from './imports.mapper.ts';

export { STAGED_ROWS_RETENTION_DAYS, STALLED_AFTER_MS };
import { processBatch } from './import-batch.ts';
import { columnIndexes, readRow, type ColumnMapping } from './import-row.ts';
import * as repo from './imports.repository.ts';

export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 200_000;
const STAGE_CHUNK = 2_000;
const BATCH = 5_000;
const ERRORS_PAGE = 5_000;
const ANALYZE_FROM = 10_000;

/** Today's date (YYYY-MM-DD) where the retailer is. */
const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

const tooLarge = () => new DomainError('payload_too_large', `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it`);

async function* limited(source: AsyncIterable<Buffer | string>, max: number) {
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > max) throw tooLarge();
    yield bytes;
  }
}

/** Spreadsheets in Indonesian locales save CSV with semicolons: the header line tells which separator the file uses. */
async function sniffed(source: AsyncIterable<Buffer>): Promise<{ delimiter: string; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let text = '';
  while (!text.includes('\n')) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    text += next.value.toString('utf8');
  }
  const firstLine = text.split('\n')[0];
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const);
  const delimiter = counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
  async function* all() {
    yield* head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { delimiter, stream: Readable.from(all()) };
}

/**
 * Streams an uploaded CSV into staged rows, each read and checked on the way in (field-named
 * errors, phones repeated within the file), then leaves the import 'processing' for
 * `processMemberImport`. Nothing about members changes here.
 */
export async function stageMemberImport(db: Db, principal: Principal, input: { body: AsyncIterable<Buffer | string>; fileName: string | null; mapping: ColumnMapping }) {
  const tenantId = principal.tenantId;
  const tenant = await getTenant(db, tenantId);
  const today = todayIn(tenant.time_zone);
  const { delimiter, stream } = await sniffed(limited(input.body, MAX_IMPORT_BYTES));
  const parser = stream.pipe(parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 }));
  stream.on('error', (error) => parser.destroy(error));

  const id = newId();
  let headers: string[] | null = null;
  let indexes: ReturnType<typeof columnIndexes> | null = null;
  let chunk: repo.StagedRow[] = [];
  let total = 0;
  let failed = 0;
  const phones = new Map<string, number>();
  const externalIds = new Map<string, number>();
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!headers) {
        headers = record.map((h) => h.trim());
        indexes = columnIndexes(headers, input.mapping);
        if ('missing' in indexes) throw invalidField(`query.${indexes.missing}`, `The file has no column “${input.mapping[indexes.missing]}”`);
        await repo.insertImport(db, { tenant_id: tenantId, id, file_name: input.fileName, headers, mapping: input.mapping, ...actorOf(principal) });
        continue;
      }
      if (++total > MAX_IMPORT_ROWS) throw invalidField('body', `At most ${MAX_IMPORT_ROWS.toLocaleString('en')} rows in one file; split it`);
      const rowNo = total + 1;
      const result = readRow(record, (indexes as { indexes: Parameters<typeof readRow>[1] }).indexes, today);
      let error: { field: string; message: string } | null = result.ok ? null : { field: result.field, message: result.message };
      if (result.ok) {
        const samePhone = phones.get(result.row.phone);
        const sameId = result.row.externalId ? externalIds.get(result.row.externalId) : undefined;
        if (samePhone) error = { field: 'phone', message: `The same number as row ${samePhone}` };
        else if (sameId) error = { field: 'externalId', message: `The same id as row ${sameId}` };
        else {
          phones.set(result.row.phone, rowNo);
          if (result.row.externalId) externalIds.set(result.row.externalId, rowNo);
        }
      }
      if (error) failed++;
      const row = result.ok && !error ? result.row : null;
      chunk.push({
        row_no: rowNo, original: record, phone: row?.phone ?? null, name: row?.name ?? null, email: row?.email ?? null, birth_date: row?.birthDate ?? null,
        external_id: row?.externalId ?? null, opening_points: row?.openingPoints ?? null, tags: row?.tags ?? null, marketing_opt_in: row?.marketingOptIn ?? null,
        error_field: error?.field ?? null, error_message: error?.message ?? null,
      });
      if (chunk.length >= STAGE_CHUNK) {
        // One chunk goes into the database while the next is read.
        await writing;
        writing = repo.insertStagedRows(db, tenantId, id, chunk);
        chunk = [];
      }
    }
    await writing;
  } catch (error) {
    await writing.catch(() => {});
    if (headers && !(indexes && 'missing' in indexes)) await repo.finishImport(db, tenantId, id, 'failed', error instanceof Error ? error.message : String(error));
    if (error instanceof DomainError) throw error;
    const csvError = error as { code?: string; lines?: number; message?: string };
    if (csvError.code?.startsWith('CSV_')) throw invalidField('body', `Not a readable CSV file near line ${csvError.lines ?? '?'}: ${csvError.message}`);
    throw error;
  }
  if (!headers) throw invalidField('body', 'The file is empty: send a header row and one row per member');
  await repo.insertStagedRows(db, tenantId, id, chunk);
  await repo.setStaged(db, tenantId, id, { rows_total: total, failed });
  if (total >= ANALYZE_FROM) await repo.analyzeStagedRows(db);
  await recordAudit(db, principal, {
    action: 'members.import', targetType: 'member_import', targetId: id, details: { fileName: input.fileName, rows: total, mapping: input.mapping },
  });
  return getMemberImport(db, principal, id);
}

/** Who an import's work is done for: its tenant, and the actor its ledger entries name (the one who uploaded it). */
export interface ImportOwner {
  tenantId: string;
  actor: { actor_kind: string; actor_id: string | null };
}
export const ownerOf = (principal: Principal): ImportOwner => ({ tenantId: principal.tenantId, actor: actorOf(principal) });

/**
 * Works the staged rows in batches, each one transaction: members created or filled in, opening
 * balances credited once per import key, progress counted. Rows already worked (an outcome) are
 * not worked again, so a stopped import can simply be run again; each batch locks the import first,
 * so two workers of one import (a resume while it still runs elsewhere) take turns and count each row once.
 */
export async function processMemberImport(db: Db, secretKey: Buffer, owner: ImportOwner, importId: string) {
  const tenantId = owner.tenantId;
  const tenant = await getTenant(db, tenantId);
  const context = { tenant, importId, secretKey, actor: owner.actor };
  let after = 0;
  for (;;) {
    const worked = await inTransaction(db, async (trx) => {
      if ((await repo.lockImport(trx, tenantId, importId)) !== 'processing') return null;
      const rows = await repo.validRowsAfter(trx, tenantId, importId, after, BATCH);
      if (rows.length > 0) await repo.addProgress(trx, tenantId, importId, await processBatch(trx, context, rows));
      return rows;
    });
    if (worked === null) return;
    if (worked.length < BATCH) break;
    after = worked[worked.length - 1].row_no;
  }
  await repo.finishImport(db, tenantId, importId, 'done');
}

/** Imports being worked by this process, so a resume does not start a second worker beside the first. */
const running = new Set<string>();

/** Runs the import after the upload was answered; a failure is kept on the import for the portal to show. */
export function runInBackground(db: Db, log: Logger, secretKey: Buffer, owner: ImportOwner, importId: string) {
  const key = `${owner.tenantId}:${importId}`;
  if (running.has(key)) return;
  running.add(key);
  processMemberImport(db, secretKey, owner, importId).catch(async (error) => {
    log.error({ err: error, importId }, 'member import failed');
    await repo.finishImport(db, owner.tenantId, importId, 'failed', 'The import stopped on an unexpected error; upload the file again to continue')
      .catch((e) => log.error({ err: e }, 'could not mark the import failed'));
  }).finally(() => running.delete(key));
}

/** An upload still being read after this long died with its server (requests time out long before). */
const ABANDONED_UPLOAD_MS = 15 * 60e3;

/**
 * Resumes the imports whose worker stopped (at start-up: every unfinished one; from housekeeping: those
 * quiet for STALLED_AFTER_MS), fails uploads that were never read to the end, and deletes staged rows past
 * their retention. The resumed imports run in the background; returns what it found.
 */
export async function importHousekeeping(db: Db, deps: { db: Db; log: Logger; secretKey: Buffer }, now: Date, options: { resumeAll?: boolean } = {}) {
  const abandoned = await repo.failAbandonedUploads(db, new Date(now.getTime() - ABANDONED_UPLOAD_MS),
    'The upload was interrupted before the whole file was read; nothing was imported. Upload the file again.');
  const stalled = await repo.stalledImports(db, options.resumeAll ? new Date(now.getTime() + 1) : new Date(now.getTime() - STALLED_AFTER_MS));
  for (const job of stalled) {
    deps.log.info({ importId: job.id, tenantId: job.tenant_id }, 'resuming a member import');
    runInBackground(deps.db, deps.log, deps.secretKey, { tenantId: job.tenant_id, actor: { actor_kind: job.actor_kind, actor_id: job.actor_id } }, job.id);
  }
  const purged = await repo.deleteStagedRows(db, new Date(now.getTime() - STAGED_ROWS_RETENTION_DAYS * 86400e3));
  return { resumed: stalled.length, abandoned, purgedImports: purged.imports, purgedRows: purged.rows };
}

export async function getMemberImport(db: Db, principal: Principal, id: string) {
  const row = await repo.findImport(db, principal.tenantId, id);
  if (!row) throw notFound('Import');
  return toImportView(row);
}

export async function listMemberImports(db: Db, principal: Principal) {
  return (await repo.recentImports(db, principal.tenantId, 20)).map(toImportView);
}

export const ERROR_COLUMNS = ['row', 'field', 'message'] as const;

/** The rows that were not imported: the line in the file, the field, why, then the row as it was. */
export async function importErrorsCsv(db: Db, principal: Principal, id: string): Promise<Readable> {
  const tenantId = principal.tenantId;
  const job = await repo.findImport(db, tenantId, id);
  if (!job) throw notFound('Import');
  if (job.rows_deleted_at) {
    throw new DomainError('gone', `The rows of this import were deleted ${STAGED_ROWS_RETENTION_DAYS} days after it finished, with the personal data they held; the counts remain on the import`);
  }
  async function* records() {
    yield [...ERROR_COLUMNS, ...job!.headers.map(spreadsheetSafe)];
    let after = 0;
    for (;;) {
      const page = await repo.errorRowsAfter(db, tenantId, id, after, ERRORS_PAGE);
      for (const row of page) yield [row.row_no, row.error_field, row.error_message, ...row.original.map(spreadsheetSafe)];
      if (page.length < ERRORS_PAGE) return;
      after = page[page.length - 1].row_no;
    }
  }
  return pipeline(Readable.from(records()), stringify({ record_delimiter: 'windows' }), () => {});
}
