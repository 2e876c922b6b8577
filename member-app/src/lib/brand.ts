import { contrastRatio, readableOn } from '@kartu/api/client';

export interface Brand {
  primaryColor: string;
  textColor: string;
}

const WHITE = '#ffffff';
const BLACK = '#000000';

/**
 * The app's accent CSS custom properties from the retailer's colours. The API only guarantees 3:1
 * between them (enough for the card's large names); the app's smaller button text needs 4.5:1, so
 * when the retailer's text colour falls short there, black or white (whichever reads better) is
 * used instead. `--brand-ink` is the colour darkened until it reads on the white page (links,
 * outlines, the countdown bar).
 */
export function brandProperties(brand: Brand): Record<string, string> {
  const { primaryColor: primary, textColor: text } = brand;
  const on = contrastRatio(primary, text) >= 4.5
    ? text
    : contrastRatio(primary, BLACK) >= contrastRatio(primary, WHITE) ? BLACK : WHITE;
  return { '--brand': primary, '--brand-on': on, '--brand-ink': readableOn(primary, WHITE) };
}
