import { z } from 'zod';
import { DomainError, invalidField } from '../shared/errors.ts';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { MemberImportSchema } from './imports.mapper.ts';
import { MAX_OPENING_POINTS } from './import-row.ts';
import {
  ERROR_COLUMNS, getMemberImport, importErrorsCsv, listMemberImports, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, ownerOf, runInBackground, stageMemberImport,
  STAGED_ROWS_RETENTION_DAYS, STALLED_AFTER_MS,
} from './imports.service.ts';

const TAG = 'Members';
const Header = (description: string) => z.string().trim().min(1).max(200).optional().meta({ description });

// The mapping travels in the query string because the body is the file itself, streamed.
const ImportQuery = z.object({
  phone: z.string().trim().min(1).max(200).meta({ description: 'Header of the phone column (required): 0812…, 62812… or +62 812…', example: 'Telepon' }),
  name: Header('Header of the name column; required for members who are new'),
  email: Header('Header of the email column'),
  birthDate: Header('Header of the birth date column: YYYY-MM-DD or DD/MM/YYYY'),
  externalId: Header('Header of the old system’s member id; when given, opening balances are keyed on it instead of the phone'),
  openingPoints: Header(`Header of the opening points column: whole points, 0 to ${MAX_OPENING_POINTS.toLocaleString('en')}; 1.500 and 1,500 read as 1500`),
  tags: Header('Header of the tags column: tags separated by ; (added to the member’s tags)'),
  marketingOptIn: Header('Header of the marketing consent column: ya/tidak, yes/no, 1/0, true/false'),
  fileName: z.string().trim().max(255).optional().meta({ description: 'The file’s name, for the portal' }),
});

export function importRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/imports/members',
    summary: 'Import members from a CSV file, with opening points balances',
    description: [
      `The request body is the CSV file itself (\`Content-Type: text/csv\`), streamed: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB (413 beyond)`,
      `and ${MAX_IMPORT_ROWS.toLocaleString('en')} data rows. The first line is the header; the separator (comma, semicolon or tab) is read from it; UTF-8, a BOM is ignored.`,
      'The query string maps fields to headers; a mapped header missing from the file → 400 naming the field (`query.name`).',
      'Each row is checked as it arrives; a bad row (or a phone repeated in the file) is reported in `errors.csv` with the field name, and the others still import.',
      'The answer (202) comes once the file is read; the rows are then worked in the background: poll `GET /api/v1/imports/{id}`.',
      'Members are matched by phone: a new number becomes a member (source `import`, a card, no welcome bonus, no sign-up automations);',
      'an existing one gets the non-empty cells (tags are added). An opening balance is a ledger entry of kind `opening` under the retailer’s expiry policy,',
      'credited once per member key (the external id when mapped, else the phone): uploading the same file again creates and credits nothing, so no Idempotency-Key is taken (400). Audit-logged.',
      'An import interrupted by a server stop is resumed automatically (at start-up, and by the housekeeping job once it has been',
      `quiet for ${STALLED_AFTER_MS / 60e3} minutes: \`stalled\` is then true); rows already worked are not worked again.`,
      `The staged rows (the file's cells, personal data) are deleted ${STAGED_ROWS_RETENTION_DAYS} days after the import finished: \`errors.csv\` answers 410 from then on.`,
    ].join(' '),
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.bulk' },
    query: ImportQuery,
    upload: { contentType: 'text/csv', description: 'The CSV file: a header row, then one row per member' },
    responses: {
      202: { description: 'The file is read; the import is processing', schema: MemberImportSchema },
      413: { description: 'The file is too large' },
      415: { description: 'The body is not text/csv' },
    },
    handler: async ({ db, deps, principal, query }, ctx) => {
      if (!ctx.is('text/csv')) throw new DomainError('unsupported_media_type', 'Send the file as text/csv');
      // The rows are worked after the answer, so they must be committed by then, not held in an idempotent request's transaction.
      if (db.isTransaction) throw invalidField('headers.Idempotency-Key', 'Not taken here: uploading the same file again is safe');
      const { fileName, ...mapping } = query;
      const staged = await stageMemberImport(db, principal, { body: ctx.req, fileName: fileName ?? null, mapping });
      runInBackground(deps.db, deps.log, deps.config.secretKey, ownerOf(principal), staged.id);
      return { status: 202, body: staged };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/imports',
    summary: 'The latest 20 member imports, newest first',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.bulk' },
    responses: { 200: { description: 'Imports', schema: z.object({ items: z.array(MemberImportSchema) }).meta({ id: 'MemberImportList' }) } },
    handler: async ({ db, principal }) => ({ status: 200, body: { items: await listMemberImports(db, principal) } }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/imports/{id}',
    summary: 'An import’s progress: rows total, processed, created, updated, skipped, failed',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.bulk' },
    params: IdParams,
    responses: { 200: { description: 'The import', schema: MemberImportSchema }, 404: { description: 'No such import' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getMemberImport(db, principal, params.id) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/imports/{id}/errors.csv',
    summary: `The rows that were not imported as CSV (\`${ERROR_COLUMNS.join(',')}\`, then the row’s original cells under the file’s headers), streamed`,
    description: '`row` is the line in the file as a spreadsheet numbers it (the header is row 1); `field` is the import field at fault (phone, name, email, birthDate, externalId, openingPoints, tags, marketingOptIn). '
      + `Available until the staged rows are deleted, ${STAGED_ROWS_RETENTION_DAYS} days after the import finished (\`errorsAvailableUntil\`); 410 after. `
      + 'Cells starting with =, +, -, @, tab or carriage return are prefixed with an apostrophe, so a spreadsheet does not run them as formulas.',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.bulk' },
    params: IdParams,
    responses: {
      200: { description: 'CSV with a header row', schema: z.string(), contentType: 'text/csv' },
      404: { description: 'No such import' },
      410: { description: `The rows were deleted (${STAGED_ROWS_RETENTION_DAYS} days after the import finished)` },
    },
    handler: async ({ db, principal, params }) => ({
      status: 200,
      body: await importErrorsCsv(db, principal, params.id),
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="kartu-import-errors-${params.id}.csv"`,
        'Cache-Control': 'no-store',
      },
    }),
  });
}
