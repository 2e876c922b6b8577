import { decodePng, encodePng, type Rgba } from './png.ts';

// The installed member app's icon in the retailer's branding: the retailer's colour edge to edge
// (maskable: the launcher may cut it to any shape) with, inside the safe zone (a centred circle
// of 40 % of the side), the retailer's PNG logo, or Kartu's card mark (member-app/static/icon.svg)
// drawn in the retailer's colours when there is no PNG logo.

export const APP_ICON_SIZES = [192, 512] as const;
export type AppIconSize = (typeof APP_ICON_SIZES)[number];

export interface IconBrand {
  primary: string;
  text: string;
  /** A PNG logo's bytes (JPEG logos are not decoded here: the mark is drawn instead). */
  pngLogo?: Buffer;
}

type Color = [number, number, number];
const hex = (value: string): Color => [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16)) as Color;

/** Rounded rectangles of the card mark, in icon.svg's 512-unit square. */
interface Shape {
  x: number;
  y: number;
  w: number;
  h: number;
  r: number;
  fill: 'primary' | 'text' | 'accent';
}
const MARK: Shape[] = [
  { x: 96, y: 156, w: 320, h: 200, r: 28, fill: 'text' },
  { x: 124, y: 188, w: 88, h: 88, r: 0, fill: 'primary' },
  { x: 144, y: 208, w: 48, h: 48, r: 0, fill: 'text' },
  { x: 156, y: 220, w: 24, h: 24, r: 0, fill: 'primary' },
  { x: 240, y: 196, w: 148, h: 24, r: 12, fill: 'primary' },
  { x: 240, y: 240, w: 112, h: 24, r: 12, fill: 'primary' },
  { x: 124, y: 304, w: 264, h: 20, r: 10, fill: 'accent' },
];
const ACCENT: Color = [0xf5, 0x9e, 0x0b];

/** Signed distance (pixels) from a point to a rounded rectangle: negative inside. */
function roundedBoxDistance(px: number, py: number, s: { x: number; y: number; w: number; h: number; r: number }): number {
  const qx = Math.abs(px - (s.x + s.w / 2)) - s.w / 2 + s.r;
  const qy = Math.abs(py - (s.y + s.h / 2)) - s.h / 2 + s.r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - s.r;
}

function blend(pixels: Uint8Array, index: number, color: Color, alpha: number) {
  for (let c = 0; c < 3; c++) pixels[index + c] = Math.round(pixels[index + c] * (1 - alpha) + color[c] * alpha);
}

function drawMark(image: Rgba, brand: IconBrand) {
  const colors = { primary: hex(brand.primary), text: hex(brand.text), accent: ACCENT };
  const scale = image.width / 512;
  for (const shape of MARK) {
    const box = { x: shape.x * scale, y: shape.y * scale, w: shape.w * scale, h: shape.h * scale, r: shape.r * scale };
    for (let y = Math.floor(box.y); y < Math.ceil(box.y + box.h); y++) {
      for (let x = Math.floor(box.x); x < Math.ceil(box.x + box.w); x++) {
        // Coverage from the distance at the pixel's centre: a one-pixel anti-aliased edge.
        const coverage = Math.min(1, Math.max(0, 0.5 - roundedBoxDistance(x + 0.5, y + 0.5, box)));
        if (coverage > 0) blend(image.pixels, (y * image.width + x) * 4, colors[shape.fill], coverage);
      }
    }
  }
}

/** The logo scaled down (box filter, alpha-weighted) to fit the safe zone, drawn centred. */
function drawLogo(image: Rgba, logo: Rgba) {
  const size = image.width;
  // The logo's diagonal fits a circle of 76 % of the side (the safe zone is 80 %), each side at most 70 %.
  const scale = Math.min((0.76 * size) / Math.hypot(logo.width, logo.height), (0.7 * size) / logo.width, (0.7 * size) / logo.height);
  const width = Math.max(1, Math.round(logo.width * scale));
  const height = Math.max(1, Math.round(logo.height * scale));
  const left = Math.floor((size - width) / 2);
  const top = Math.floor((size - height) / 2);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * logo.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * logo.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * logo.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * logo.width) / width));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const i = (sy * logo.width + sx) * 4;
          const alpha = logo.pixels[i + 3] / 255;
          r += logo.pixels[i] * alpha;
          g += logo.pixels[i + 1] * alpha;
          b += logo.pixels[i + 2] * alpha;
          a += alpha;
          n++;
        }
      }
      if (a === 0) continue;
      blend(image.pixels, ((top + y) * size + left + x) * 4, [r / a, g / a, b / a], a / n);
    }
  }
}

/** A square opaque PNG icon of `size` pixels in the retailer's branding. */
export function renderAppIcon(size: number, brand: IconBrand): Buffer {
  const pixels = new Uint8Array(size * size * 4);
  const [r, g, b] = hex(brand.primary);
  for (let i = 0; i < pixels.length; i += 4) {
    pixels[i] = r;
    pixels[i + 1] = g;
    pixels[i + 2] = b;
    pixels[i + 3] = 255;
  }
  const image: Rgba = { width: size, height: size, pixels };
  // An uploaded PNG was fully checked when it was stored (logo-image.ts), so it decodes.
  if (brand.pngLogo) drawLogo(image, decodePng(brand.pngLogo, 2048 * 2048));
  else drawMark(image, brand);
  return encodePng(image);
}
