import { replaceState } from '$app/navigation';
import { t } from '$lib/i18n.svelte';

// The program reports' filters: a period of local days and a store, kept in the page's address so
// a report can be bookmarked or shared (and opened straight on a period).

export type Bucket = 'day' | 'week' | 'month';

export interface ReportFilters {
  from: string;
  to: string;
  storeId: string;
  bucket: Bucket;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readFilters(url: URL): ReportFilters {
  const date = (name: string) => {
    const value = url.searchParams.get(name) ?? '';
    return DATE.test(value) ? value : '';
  };
  const bucket = url.searchParams.get('bucket');
  return {
    from: date('from'),
    to: date('to'),
    storeId: url.searchParams.get('storeId') ?? '',
    bucket: bucket === 'day' || bucket === 'week' ? bucket : 'month',
  };
}

/** The API query: empty fields left out (the API's defaults apply). */
export function queryOf(filters: ReportFilters, withBucket = false) {
  return {
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.storeId ? { storeId: filters.storeId } : {}),
    ...(withBucket ? { bucket: filters.bucket } : {}),
  };
}

/** Puts the filters in the address (replacing the entry: the back button leaves the report). */
export function writeFilters(url: URL, filters: ReportFilters, withBucket = false) {
  const next = new URL(url);
  for (const name of ['from', 'to', 'storeId', 'bucket']) next.searchParams.delete(name);
  for (const [name, value] of Object.entries(queryOf(filters, withBucket))) next.searchParams.set(name, value);
  replaceState(next, {});
}

/** A share from 0 to 1 as a percentage with at most one decimal. */
export function formatShare(share: number, locale: string): string {
  return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-US', { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** A period of local days as the reader writes dates. */
export function formatDay(day: string, locale: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A report's period as its heading says it. */
export function formatPeriod(from: string, to: string, locale: string): string {
  return t('reports.period', { from: formatDay(from, locale), to: formatDay(to, locale) });
}

/** A chart axis's figure, short ("1,2 jt", "15K"). */
export function formatCompact(value: number, locale: string): string {
  return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-US', { notation: 'compact' }).format(value);
}

/**
 * A heat-map cell's fill for a share from 0 to 1: solid, from near-white to the brand green, with
 * dark or white text, whichever the fill's luminance gives at least 4.5:1 contrast.
 */
export function shade(share: number): { fill: string; text: string } {
  const mix = 0.06 + Math.max(0, Math.min(1, share)) * 0.94;
  const green = [11, 110, 79];
  const rgb = green.map((c) => Math.round(255 + (c - 255) * mix));
  const linear = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  // White text needs luminance ≤ 0.183; near-black text (#1a1a1a) needs about ≥ 0.25. Between the two, darken the fill.
  if (luminance > 0.183 && luminance < 0.26) return shade(Math.min(1, share + 0.05));
  return { fill: `rgb(${rgb.join(', ')})`, text: luminance <= 0.183 ? '#fff' : '#1a1a1a' };
}
