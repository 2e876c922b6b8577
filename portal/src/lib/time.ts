// Dates on the tenant's wall clock. Indonesia has no daylight saving, but nothing here assumes it.

const intlLocale = (locale: string) => (locale === 'id' ? 'id-ID' : 'en-GB');

/** The zone's offset from UTC in minutes at an instant (+420 for Asia/Jakarta). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

const pad = (n: number) => String(n).padStart(2, '0');

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An instant as the value of an `<input type="datetime-local">` on the zone's clock ("2026-12-01T09:30"). */
export function toLocalInput(iso: string, timeZone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const local = new Date(at.getTime() + offsetMinutes(at, timeZone) * 60e3);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
}

/**
 * A datetime-local value read on the zone's clock, as an ISO instant with that zone's offset
 * ("2026-12-01T09:30:00+07:00"); `seconds` 59.999 makes an inclusive end cover its whole minute.
 */
export function fromLocalInput(value: string, timeZone: string, seconds = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const [year, month, day, hours, minutes] = match.slice(1).map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  let offset = offsetMinutes(new Date(asUtc), timeZone);
  offset = offsetMinutes(new Date(asUtc - offset * 60e3), timeZone);
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${pad(seconds)}${offsetText(offset)}`;
}

/** The local calendar day of an instant in the zone, as YYYY-MM-DD. */
export function localDay(at: Date | string, timeZone: string): string {
  return toLocalInput(new Date(at).toISOString(), timeZone).slice(0, 10);
}

export function isToday(iso: string, timeZone: string, now = new Date()): boolean {
  return localDay(iso, timeZone) === localDay(now, timeZone);
}

/** "31 Des 2026" / "31 Dec 2026" on the zone's calendar. */
export function formatDate(iso: string | Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

/** "Nov 2026" for a report month "2026-11". */
export function formatMonth(month: string, locale: string): string {
  const [year, number] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(intlLocale(locale), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, number - 1, 1)),
  );
}

/** Day names for ISO weekdays 1 (Monday) … 7 (Sunday). */
export function weekdayName(day: number, locale: string, width: 'short' | 'long' = 'short'): string {
  // 1 January 2024 was a Monday.
  return new Intl.DateTimeFormat(intlLocale(locale), { weekday: width, timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, 0, day)),
  );
}
