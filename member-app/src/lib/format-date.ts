/** "31 Des 2026" / "31 Dec 2026" on the retailer's calendar (an expiry is the end of a local day). */
export function formatDate(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeZone }).format(new Date(iso));
}
