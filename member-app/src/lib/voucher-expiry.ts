// When a member's voucher ends, counted in the retailer's calendar days: "ends today", "ends in 3 days".

const dayOf = (at: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(at));

/** Whole calendar days from `now` to the expiry's day in `timeZone` (0: it ends today). */
export function daysLeft(expiresAt: string, now: number, timeZone: string): number {
  const [end, today] = [dayOf(Date.parse(expiresAt), timeZone), dayOf(now, timeZone)];
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** The soonest to expire first; those without an expiry last; otherwise the order given. */
export function soonestFirst<V extends { expiresAt: string | null }>(vouchers: V[]): V[] {
  const at = (voucher: V) => (voucher.expiresAt ? Date.parse(voucher.expiresAt) : Number.POSITIVE_INFINITY);
  return [...vouchers].sort((a, b) => (at(a) === at(b) ? 0 : at(a) < at(b) ? -1 : 1));
}
