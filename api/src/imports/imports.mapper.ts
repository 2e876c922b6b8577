import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { MemberImportTable } from '@kartu/db';
import { IMPORT_FIELDS } from './import-row.ts';

/** A processing import with no batch worked for this long has stalled (its server stopped): it is resumed. */
export const STALLED_AFTER_MS = 5 * 60e3;
/** Staged rows (the file's personal data, for errors.csv) are deleted this long after the import finished. */
export const STAGED_ROWS_RETENTION_DAYS = 7;
const RETENTION_MS = STAGED_ROWS_RETENTION_DAYS * 86400e3;

export const MemberImportSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['processing', 'done', 'failed']).meta({ description: '`failed`: stopped on an unexpected error (see `error`); upload the same file again to continue' }),
    fileName: z.string().nullable(),
    mapping: z.partialRecord(z.enum(IMPORT_FIELDS), z.string()).meta({ description: 'The CSV header read for each field' }),
    rowsTotal: z.number().int().meta({ description: 'Data rows in the file (the header not counted)' }),
    rowsProcessed: z.number().int().meta({ description: 'Rows worked so far, failed ones included' }),
    created: z.number().int().meta({ description: 'New members' }),
    updated: z.number().int().meta({ description: 'Existing members filled in, or credited an opening balance' }),
    skipped: z.number().int().meta({ description: 'Rows that changed nothing (e.g. the same file again)' }),
    failed: z.number().int().meta({ description: 'Rows not imported; see errors.csv' }),
    percent: z.number().int().min(0).max(100),
    error: z.string().nullable(),
    stalled: z.boolean().meta({ description: `Processing, but no row worked for ${STALLED_AFTER_MS / 60e3} minutes (the server stopped): it resumes by itself within minutes, without working any row twice` }),
    errorsAvailableUntil: z.string().nullable().meta({ description: `When the staged rows (and errors.csv) are deleted: ${STAGED_ROWS_RETENTION_DAYS} days after the import finished; null while it runs` }),
    rowsDeleted: z.boolean().meta({ description: 'The staged rows were deleted: errors.csv answers 410' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'MemberImport' });

export function toImportView(row: Selectable<MemberImportTable>, now = Date.now()): z.infer<typeof MemberImportSchema> {
  const done = row.status === 'done';
  const quietSince = row.progress_at ?? row.created_at;
  return {
    id: row.id,
    status: row.status,
    fileName: row.file_name,
    mapping: row.mapping,
    rowsTotal: row.rows_total,
    rowsProcessed: row.rows_processed,
    created: row.created,
    updated: row.updated,
    skipped: row.skipped,
    failed: row.failed,
    // 100 only once the import is done, so a poller can stop at 100.
    percent: done ? 100 : row.rows_total === 0 ? 0 : Math.min(99, Math.floor((row.rows_processed / row.rows_total) * 100)),
    error: row.error,
    stalled: row.status === 'processing' && row.staged_at !== null && now - new Date(quietSince).getTime() > STALLED_AFTER_MS,
    errorsAvailableUntil: row.finished_at ? new Date(new Date(row.finished_at).getTime() + RETENTION_MS).toISOString() : null,
    rowsDeleted: row.rows_deleted_at !== null,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}
