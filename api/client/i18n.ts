// Language choice shared by the portal and the member app: a saved choice wins, then the
// browser's languages; Indonesian otherwise, the first market.
export type Locale = 'id' | 'en';

export function preferredLocale(saved: string | null | undefined, languages: readonly string[] = []): Locale {
  if (saved === 'id' || saved === 'en') return saved;
  for (const language of languages) {
    if (/^(id|in)\b/i.test(language)) return 'id';
    if (/^en\b/i.test(language)) return 'en';
  }
  return 'id';
}

/** Fills `{name}` placeholders; unknown ones stay visible so a missing parameter is noticed. */
export function interpolate(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}
