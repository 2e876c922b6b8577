import { imageSize } from 'image-size';
import { newPdfDocument, openLogo } from '../cards/card-pdf.ts';
import { invalidField } from '../shared/errors.ts';
import type { LogoType } from './branding.repository.ts';
import { decodePng, encodePng, isPng, PngError } from './png.ts';

// An uploaded logo is checked from its bytes, whatever the data URL declares: PNG or JPEG only,
// a sensible size, and readable by the card printer, so a card or a stock sheet never fails on it.

const MAX_LOGO_BYTES = 256 * 1024;
export const MIN_LOGO_SIDE = 64;
export const MAX_LOGO_SIDE = 2048;
const FIELD = 'body.image';

export interface Logo {
  bytes: Buffer;
  type: LogoType;
  width: number;
  height: number;
}

const isJpeg = (bytes: Buffer) => bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/** Type and size read from the bytes (PNG, JPEG, WebP, …); undefined when unreadable. */
export function sizeOf(bytes: Buffer) {
  try {
    return imageSize(bytes);
  } catch {
    return undefined;
  }
}

/** PDFKit reads the JPEG's frame header: 8-bit grey, RGB or CMYK (what PDF's DCT filter takes). */
function printableJpeg(bytes: Buffer): boolean {
  try {
    const image = openLogo(newPdfDocument({ autoFirstPage: false }), bytes) as { bits?: number; colorSpace?: string };
    return image.bits === 8 && Boolean(image.colorSpace);
  } catch {
    return false;
  }
}

/** The bytes of a base64 data URL ("data:image/png;base64,…"), or a 400 naming `field`. */
export function dataUrlBytes(image: string, field: string): Buffer {
  const base64 = /^data:[^,]*;base64,([A-Za-z0-9+/]*={0,2})$/.exec(image)?.[1];
  if (base64 === undefined || base64.length % 4 !== 0) throw invalidField(field, 'Send the image as a data URL: data:image/png;base64,…');
  return Buffer.from(base64, 'base64');
}

/** The logo in `image` ("data:image/png;base64,…"), or a 400 naming body.image that says what is wrong. */
export function parseLogo(image: string): Logo {
  const bytes = dataUrlBytes(image, FIELD);
  if (bytes.length > MAX_LOGO_BYTES) {
    throw invalidField(FIELD, `The image is ${Math.ceil(bytes.length / 1024)} KiB; a logo may have at most ${MAX_LOGO_BYTES / 1024} KiB`);
  }
  const type: LogoType | null = isPng(bytes) ? 'image/png' : isJpeg(bytes) ? 'image/jpeg' : null;
  const size = sizeOf(bytes);
  if (!type) {
    const found = size?.type ? ` (this is ${size.type.toUpperCase()})` : '';
    throw invalidField(FIELD, `Only PNG and JPEG images are accepted${found}`);
  }
  const kind = type === 'image/png' ? 'PNG' : 'JPEG';
  if (!size || size.type !== (type === 'image/png' ? 'png' : 'jpg')) throw invalidField(FIELD, `This ${kind} image cannot be read`);
  const { width, height } = size;
  if (Math.min(width, height) < MIN_LOGO_SIDE) {
    throw invalidField(FIELD, `The image is ${width}×${height} px; its short side must be at least ${MIN_LOGO_SIDE} px`);
  }
  if (Math.max(width, height) > MAX_LOGO_SIDE) {
    throw invalidField(FIELD, `The image is ${width}×${height} px; each side may be at most ${MAX_LOGO_SIDE} px`);
  }
  if (type === 'image/png') {
    try {
      decodePng(bytes, MAX_LOGO_SIDE * MAX_LOGO_SIDE);
    } catch (error) {
      if (error instanceof PngError) throw invalidField(FIELD, `This PNG image cannot be read: ${error.message}`);
      throw error;
    }
  } else if (!printableJpeg(bytes)) {
    throw invalidField(FIELD, 'This JPEG image cannot be read: it must be 8-bit grey, RGB or CMYK');
  }
  return { bytes, type, width, height };
}

/** The stored logo as the card printer takes it: a JPEG as it is, a PNG re-encoded plainly (png.ts says why). */
export function printableLogo(bytes: Buffer, type: LogoType): Buffer {
  return type === 'image/jpeg' ? bytes : encodePng(decodePng(bytes, MAX_LOGO_SIDE * MAX_LOGO_SIDE));
}
