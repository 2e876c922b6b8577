import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CalendarDate } from '../http/schemas.ts';
import { ledgerCsv, LEDGER_COLUMNS, MEMBER_COLUMNS, membersCsv } from './exports.service.ts';

const TAG = 'Members';
const csvHeaders = (name: string) => ({
  'Content-Type': 'text/csv; charset=utf-8',
  'Content-Disposition': `attachment; filename="${name}"`,
  'Cache-Control': 'no-store',
});
const SAFE = ' Text cells starting with =, +, -, @, tab or carriage return (other than plain numbers and phones) are prefixed with an apostrophe, so a spreadsheet does not run them as formulas.';
const csvResponses = { 200: { description: 'CSV with a header row', schema: z.string(), contentType: 'text/csv' } };

export function exportRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/exports/members.csv',
    summary: `Every member as CSV (\`${MEMBER_COLUMNS.join(',')}\`), streamed`,
    description: '`tags` are separated by `;`; times are ISO 8601 in the retailer’s time zone with its offset. The columns read back with `POST /api/v1/imports/members`. Audit-logged.' + SAFE,
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.bulk' },
    responses: csvResponses,
    handler: async ({ db, principal }) => ({ status: 200, body: await membersCsv(db, principal), headers: csvHeaders('kartu-members.csv') }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/exports/ledger.csv',
    summary: `Points ledger entries as CSV (\`${LEDGER_COLUMNS.join(',')}\`), oldest first, streamed`,
    description: '`from` and `to` are local dates of the retailer, both included; without them, every entry. `points` is signed. Audit-logged.' + SAFE,
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.bulk' },
    query: z.object({
      from: CalendarDate.optional().meta({ description: 'Entries on or after this local date' }),
      to: CalendarDate.optional().meta({ description: 'Entries on or before this local date' }),
    }),
    responses: csvResponses,
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: await ledgerCsv(db, principal, query),
      headers: csvHeaders(`kartu-ledger${query.from ? `-${query.from}` : ''}${query.to ? `-${query.to}` : ''}.csv`),
    }),
  });
}
