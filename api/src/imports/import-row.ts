import { normalisePhone } from '../members/phone.ts';

// Reading one CSV row of a member import: plain functions over plain data, no database.

export const IMPORT_FIELDS = ['phone', 'name', 'email', 'birthDate', 'externalId', 'openingPoints', 'tags', 'marketingOptIn'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
/** Each field's CSV header, as chosen by the caller; phone is required. */
export type ColumnMapping = { phone: string } & Partial<Record<ImportField, string>>;

export interface ReadRow {
  phone: string;
  name: string | null;
  email: string | null;
  birthDate: string | null;
  externalId: string | null;
  openingPoints: number | null;
  tags: string[] | null;
  marketingOptIn: boolean | null;
}

export type RowResult = { ok: true; row: ReadRow } | { ok: false; field: ImportField; message: string };

export const MAX_OPENING_POINTS = 1_000_000_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TAG = /^[\p{L}\p{N} _-]{1,40}$/u;
const YES = new Set(['1', 'y', 'ya', 'yes', 'true', 'iya', 'setuju', 'agree', 'x']);
const NO = new Set(['0', 'n', 'no', 'tidak', 'false', 'tdk', 'ga', 'nggak']);

/** Column indexes of each mapped field in the header row; names the first mapped header that is missing. */
export function columnIndexes(headers: string[], mapping: ColumnMapping): { indexes: Partial<Record<ImportField, number>> } | { missing: ImportField } {
  const indexes: Partial<Record<ImportField, number>> = {};
  for (const field of IMPORT_FIELDS) {
    const header = mapping[field];
    if (header === undefined) continue;
    const at = headers.findIndex((h) => h.trim() === header.trim());
    if (at < 0) return { missing: field };
    indexes[field] = at;
  }
  return { indexes };
}

/** Dates as people type them in Indonesia: 2024-03-31, 31/03/2024, 31-03-2024. */
export function readDate(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const local = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : local ? [local[3], local[2], local[1]] : [];
  if (!year) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null;
  return date.toISOString().slice(0, 10);
}

/** Whole points, with thousands grouped by dots or commas (1.500 or 1,500) as spreadsheets write them. */
export function readPoints(text: string): number | null {
  if (!/^\d+$/.test(text) && !/^\d{1,3}([.,]\d{3})+$/.test(text)) return null;
  const points = Number(text.replace(/[.,]/g, ''));
  return Number.isSafeInteger(points) && points <= MAX_OPENING_POINTS ? points : null;
}

export function readRow(cells: string[], indexes: Partial<Record<ImportField, number>>, today: string): RowResult {
  const cell = (field: ImportField) => {
    const at = indexes[field];
    return at === undefined ? '' : (cells[at] ?? '').trim();
  };
  const fail = (field: ImportField, message: string): RowResult => ({ ok: false, field, message });

  const rawPhone = cell('phone');
  if (!rawPhone) return fail('phone', 'Required');
  const phone = normalisePhone(rawPhone);
  if (!phone) return fail('phone', 'Not a valid phone number (e.g. 0812 3456 7890 or +62 812 3456 7890)');

  const name = cell('name');
  if (name.length > 200) return fail('name', 'At most 200 characters');

  const email = cell('email').toLowerCase();
  if (email && (email.length > 254 || !EMAIL.test(email))) return fail('email', 'Not a valid email address');

  const rawDate = cell('birthDate');
  const birthDate = rawDate ? readDate(rawDate) : null;
  if (rawDate && !birthDate) return fail('birthDate', 'Not a date (YYYY-MM-DD or DD/MM/YYYY)');
  if (birthDate && (birthDate > today || birthDate < '1900-01-01')) return fail('birthDate', 'Must be between 1900 and today');

  const externalId = cell('externalId');
  if (externalId.length > 100) return fail('externalId', 'At most 100 characters');

  const rawPoints = cell('openingPoints');
  const openingPoints = rawPoints ? readPoints(rawPoints) : null;
  if (rawPoints && openingPoints === null) return fail('openingPoints', `Whole points from 0 to ${MAX_OPENING_POINTS.toLocaleString('en')}`);

  const rawTags = cell('tags');
  const tags = rawTags ? [...new Set(rawTags.split(/[;,|]/).map((t) => t.trim()).filter(Boolean))] : null;
  if (tags?.some((t) => !TAG.test(t))) return fail('tags', 'Letters, digits, spaces, hyphens and underscores, up to 40 each; separate tags with ;');
  if (tags && tags.length > 50) return fail('tags', 'At most 50 tags');

  const rawConsent = cell('marketingOptIn').toLowerCase();
  const marketingOptIn = indexes.marketingOptIn === undefined || !rawConsent ? null : YES.has(rawConsent) ? true : NO.has(rawConsent) ? false : undefined;
  if (marketingOptIn === undefined) return fail('marketingOptIn', 'Yes or no (ya/tidak, 1/0, true/false)');

  return {
    ok: true,
    row: {
      phone, name: name || null, email: email || null, birthDate, externalId: externalId || null,
      openingPoints: openingPoints || null, tags: tags?.length ? tags : null, marketingOptIn,
    },
  };
}

/** What an opening balance is keyed on: the old system's id when there is one, else the phone. */
export const importKeyOf = (row: { external_id: string | null; phone: string | null }) =>
  row.external_id ? `external:${row.external_id}` : `phone:${row.phone}`;
