// A retailer's brand colours: the API refuses a pair that cannot be read, the portal checks it
// while it is typed, and the member app derives the shades it needs from it.

/** WCAG 2's threshold for large text and graphics: the bold names on a card. */
export const MIN_BRAND_CONTRAST = 3;

const HEX = /^#[0-9a-fA-F]{6}$/;

export const isHexColor = (value: string): boolean => HEX.test(value);

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2 relative luminance of '#rrggbb'. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two '#rrggbb' colours, from 1 (none) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** The ratio as people read it: rounded down to two decimals, so 2.999 never shows as "3.00". */
export const formatRatio = (ratio: number): string => `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;

/**
 * `color`, darkened just enough (mixed with black) to reach `ratio` against `background`: the
 * brand's shade for links and outlines on a light page when the brand colour itself is too pale.
 */
export function readableOn(color: string, background: string, ratio = 4.5): string {
  const base = channels(color);
  for (let step = 0; step <= 20; step++) {
    const keep = 1 - step / 20;
    const mixed = `#${base.map((c) => Math.round(c * keep).toString(16).padStart(2, '0')).join('')}`;
    if (contrastRatio(mixed, background) >= ratio) return mixed;
  }
  return '#000000';
}
