import { offsetMinutes } from '../points/policy.ts';

/** The instant as ISO 8601 in the zone's local time with its offset, e.g. 2026-12-31T23:59:59.999+07:00. */
export function isoInZone(at: Date, timeZone: string): string {
  const offset = offsetMinutes(at, timeZone);
  const local = new Date(at.getTime() + offset * 60e3).toISOString().slice(0, -1);
  const minutes = Math.abs(offset);
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${local}${offset < 0 ? '-' : '+'}${hhmm}`;
}
