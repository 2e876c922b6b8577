/** What a wallet pass shows: the same for Google and Apple. */
export interface PassContent {
  tenant: { id: string; slug: string; name: string; locale: 'id' | 'en'; brandPrimary: string; brandText: string };
  member: { name: string; tierName: string; balance: number };
  /** The printed card: passes cannot rotate, so they carry its signed code (K1). */
  card: { id: string; number: string; code: string };
}

export type PassLabel = 'points' | 'member' | 'tier' | 'cardNumber' | 'program';

export const passLabels: Record<'id' | 'en', Record<PassLabel, string>> = {
  id: { points: 'Poin', member: 'Member', tier: 'Tingkat', cardNumber: 'Nomor kartu', program: 'Kartu member' },
  en: { points: 'Points', member: 'Member', tier: 'Tier', cardNumber: 'Card number', program: 'Member card' },
};

/** 1234567812345678 → "1234 5678 1234 5678", as printed on the card. */
export const groupedNumber = (number: string): string => number.match(/.{1,4}/g)!.join(' ');

/** '#0f766e' → 'rgb(15, 118, 110)', the colour form pass.json takes. */
export function rgb(hex: string): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255})`;
}
