/** "31 Des 2026" / "31 Dec 2026" on the retailer's calendar (an expiry is the end of a local day). */
export function formatDate(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

/** "10.32" / "10:32" on the retailer's clock; with the day ("2 Des 10.32") when it was not today. */
export function formatUpdatedAt(iso: string, timeZone: string, locale: string, now = new Date()): string {
  const tag = locale === 'id' ? 'id-ID' : 'en-GB';
  const day = new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeZone });
  const time = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(iso));
  if (day.format(new Date(iso)) === day.format(now)) return time;
  return `${new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone }).format(new Date(iso))} ${time}`;
}
