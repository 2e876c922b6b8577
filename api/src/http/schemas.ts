// Before any schema here is made: these are route parameters, which need zod's `.openapi()`, and
// this module is reached early (through the domain's schemas) from code that does not start at app.ts.
import './zod-openapi.ts';
import { z } from 'zod';

export const IdParams = z.object({ id: z.uuid() });
export const CursorQuery = z.object({ cursor: z.uuid().optional() });
export const Minor = z.number().int().min(0).max(1e13).meta({ description: 'Integer minor units (IDR: Rp 1 = 100)' });
export const Points = z.number().int().positive().max(1e12);

// Instants a client sends: from the Unix epoch to the last millisecond of year 9999 (UTC), so that
// every one fits a timestamptz and reads back as the same ISO string (year 10000 would not).
const FIRST_INSTANT = 0;
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const Instant = z.iso
  .datetime({ offset: true, abort: true, error: 'Must be an ISO 8601 instant with a time zone, e.g. 2026-12-31T23:59:59+07:00' })
  .refine((iso) => {
    const ms = Date.parse(iso);
    return ms >= FIRST_INSTANT && ms <= LAST_INSTANT;
  }, 'Must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z')
  .meta({ example: '2026-12-01T00:00:00+07:00' });

// A day of the retailer's calendar in a filter: what the database holds (it has no year 0) and what
// `to` + 1 day can reach (year 10000 it cannot).
export const CalendarDate = z.iso
  .date({ error: 'Must be a date, YYYY-MM-DD' })
  .refine((date) => date >= '1970-01-01' && date <= '9999-12-30', 'Must be between 1970-01-01 and 9999-12-30')
  .meta({ example: '2026-11-30' });

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
