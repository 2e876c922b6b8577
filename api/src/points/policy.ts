// When earned points expire and when pending points post, from the tenant's policy. Pure.
// Calendar arithmetic happens on the local date in the tenant's time zone (Indonesia has no
// daylight saving, so a zone's offset at an instant is its offset all day).

export interface PointsPolicy {
  expiryPolicy: 'never' | 'months' | 'end_of_period';
  expiryMonths: number;
  expiryPeriod: 'month' | 'quarter' | 'year';
  returnWindowDays: number;
  timeZone: string;
}

interface LocalDate {
  year: number;
  month: number; // 1–12
  day: number;
}

// Making a DateTimeFormat costs far more than using one, and every sale asks several times.
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
function offsetFormat(timeZone: string) {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  return format;
}

/** The zone's offset from UTC in minutes at an instant (+420 for Asia/Jakarta). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const name = offsetFormat(timeZone)
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

export function localDate(at: Date, timeZone: string): LocalDate {
  const local = new Date(at.getTime() + offsetMinutes(at, timeZone) * 60e3);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** The instant a local date-time happens in the zone. */
function instantOf(date: LocalDate, timeZone: string, hours = 0, minutes = 0, seconds = 0, ms = 0): Date {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hours, minutes, seconds, ms);
  return new Date(asUtc - offsetMinutes(new Date(asUtc), timeZone) * 60e3);
}

function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { year, month, day: Math.min(date.day, lastDay) };
}

function endOfPeriod(date: LocalDate, period: PointsPolicy['expiryPeriod']): LocalDate {
  const lastMonth = period === 'month' ? date.month : period === 'quarter' ? Math.ceil(date.month / 3) * 3 : 12;
  return { year: date.year, month: lastMonth, day: new Date(Date.UTC(date.year, lastMonth, 0)).getUTCDate() };
}

/**
 * When points earned at `earnedAt` expire: never; N months later (end of that local day); or at
 * the end of the month, quarter or year in which those N months end.
 */
export function expiresAt(earnedAt: Date, policy: PointsPolicy): Date | null {
  if (policy.expiryPolicy === 'never') return null;
  const later = addMonths(localDate(earnedAt, policy.timeZone), policy.expiryMonths);
  const last = policy.expiryPolicy === 'months' ? later : endOfPeriod(later, policy.expiryPeriod);
  return instantOf(last, policy.timeZone, 23, 59, 59, 999);
}

/** When points of a sale at `occurredAt` can be spent; null when there is no return window. */
export function availableAt(occurredAt: Date, policy: PointsPolicy): Date | null {
  return policy.returnWindowDays > 0 ? new Date(occurredAt.getTime() + policy.returnWindowDays * 86400e3) : null;
}

/** Midnight at the start of the local day, for per-day caps and "same day" voids. */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  return instantOf(localDate(at, timeZone), timeZone);
}

/** Midnight at the start of a calendar date (YYYY-MM-DD) in the zone, for "since" filters. */
export function startOfDate(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return instantOf({ year, month, day }, timeZone);
}

/** Midnight at the start of the local month, for monthly caps. */
export function startOfLocalMonth(at: Date, timeZone: string): Date {
  return instantOf({ ...localDate(at, timeZone), day: 1 }, timeZone);
}

export function policyOf(tenant: {
  expiry_policy: PointsPolicy['expiryPolicy'];
  expiry_months: number;
  expiry_period: PointsPolicy['expiryPeriod'];
  return_window_days: number;
  time_zone: string;
}): PointsPolicy {
  return {
    expiryPolicy: tenant.expiry_policy,
    expiryMonths: tenant.expiry_months,
    expiryPeriod: tenant.expiry_period,
    returnWindowDays: tenant.return_window_days,
    timeZone: tenant.time_zone,
  };
}
