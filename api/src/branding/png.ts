import { crc32, deflateSync, inflateSync } from 'node:zlib';

// A strict PNG reader and a plain writer. PDFKit's PNG decoder (png-js) throws from inside a zlib
// callback on damaged image data (a row filter that does not exist), which takes the whole server
// down, and draws low bit depths with transparency wrongly. So an uploaded PNG is read completely
// here (every chunk's CRC, the image data's exact length, every row's filter) and cards get it
// re-encoded as plain 8-bit RGB or RGBA, which PDFKit handles.

export class PngError extends Error {}

export interface Rgba {
  width: number;
  height: number;
  /** width × height × 4 bytes, row by row. */
  pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const isPng = (bytes: Buffer): boolean => bytes.subarray(0, 8).equals(SIGNATURE);

/** Bit depths PNG allows per colour type (0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA). */
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// Adam7: [x0, y0, dx, dy] of the seven passes.
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
}

interface Chunks {
  header: Header;
  palette?: Buffer;
  transparency?: Buffer;
  data: Buffer;
}

function readChunks(bytes: Buffer): Chunks {
  if (!isPng(bytes)) throw new PngError('not a PNG file');
  let header: Header | undefined;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const data: Buffer[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 12 > bytes.length) throw new PngError('the file ends early');
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + length > bytes.length) throw new PngError('the file ends early');
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== bytes.readUInt32BE(pos + 8 + length)) {
      throw new PngError(`the ${JSON.stringify(type)} chunk is damaged`);
    }
    pos += 12 + length;
    if (!header && type !== 'IHDR') throw new PngError('the header chunk is missing');
    switch (type) {
      case 'IHDR':
        if (header || length !== 13) throw new PngError('bad header chunk');
        header = {
          width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8], colorType: body[9], interlaced: body[12] === 1,
        };
        if (!DEPTHS[header.colorType]?.includes(header.depth) || body[10] !== 0 || body[11] !== 0 || body[12] > 1) {
          throw new PngError('unknown colour type, bit depth, compression, filter or interlace method');
        }
        break;
      case 'PLTE':
        if (length === 0 || length % 3 !== 0 || length > 768) throw new PngError('bad palette');
        palette = body;
        break;
      case 'tRNS':
        transparency = body;
        break;
      case 'IDAT':
        data.push(body);
        break;
      case 'IEND':
        if (header!.colorType === 3 && !palette) throw new PngError('the palette is missing');
        if (data.length === 0) throw new PngError('there is no image data');
        return { header: header!, palette, transparency, data: Buffer.concat(data) };
      default:
        // Lower case first letter: ancillary, safe to skip. Upper case: needed to read the image.
        if (!/^[a-z]/.test(type)) throw new PngError(`unknown critical chunk ${JSON.stringify(type)}`);
    }
  }
}

/** The passes (one, or Adam7's seven) with their size in pixels, empty ones left out. */
function passesOf({ width, height, interlaced }: Header) {
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  return passes
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((width - x0) / dx), h: Math.ceil((height - y0) / dy) }))
    .filter((pass) => pass.w > 0 && pass.h > 0);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes one row's filter in place (`row` holds the filtered bytes, `prev` the row above, unfiltered). */
function unfilter(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): void {
  for (let i = 0; i < row.length; i++) {
    const left = i >= bpp ? row[i - bpp] : 0;
    const up = prev[i];
    const upLeft = i >= bpp ? prev[i - bpp] : 0;
    switch (filter) {
      case 0: break;
      case 1: row[i] = (row[i] + left) & 0xff; break;
      case 2: row[i] = (row[i] + up) & 0xff; break;
      case 3: row[i] = (row[i] + ((left + up) >> 1)) & 0xff; break;
      case 4: row[i] = (row[i] + paeth(left, up, upLeft)) & 0xff; break;
      default: throw new PngError(`unknown row filter ${filter}`);
    }
  }
}

/**
 * The PNG's pixels as 8-bit RGBA. Throws PngError for anything damaged or unknown, and refuses
 * images of more than `maxPixels` before allocating them.
 */
export function decodePng(bytes: Buffer, maxPixels: number): Rgba {
  const { header, palette, transparency, data } = readChunks(bytes);
  const { width, height, depth, colorType } = header;
  if (width === 0 || height === 0 || width * height > maxPixels) throw new PngError(`unsupported size ${width}×${height}`);
  const bitsPerPixel = depth * SAMPLES[colorType];
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const passes = passesOf(header);
  const expected = passes.reduce((sum, p) => sum + p.h * (1 + Math.ceil((p.w * bitsPerPixel) / 8)), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(data, { maxOutputLength: expected });
  } catch {
    throw new PngError('the image data is damaged');
  }
  if (raw.length !== expected) throw new PngError('the image data has the wrong length');

  const pixels = new Uint8Array(width * height * 4);
  const max = (1 << depth) - 1;
  // tRNS: the one transparent grey or RGB value, or an alpha per palette entry.
  const key = transparency && (colorType === 0 || colorType === 2) && transparency.length >= (colorType === 0 ? 2 : 6)
    ? Array.from({ length: colorType === 0 ? 1 : 3 }, (_, i) => transparency.readUInt16BE(2 * i))
    : undefined;
  let pos = 0;
  for (const pass of passes) {
    const stride = Math.ceil((pass.w * bitsPerPixel) / 8);
    let prev: Uint8Array = new Uint8Array(stride);
    for (let y = 0; y < pass.h; y++) {
      const row = raw.subarray(pos + 1, pos + 1 + stride);
      unfilter(raw[pos], row, prev, bpp);
      pos += 1 + stride;
      prev = row;
      const sample = (index: number): number => {
        if (depth === 8) return row[index];
        if (depth === 16) return row.readUInt16BE(index * 2);
        const bit = index * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & max;
      };
      const to8 = (value: number) => (depth === 16 ? value >> 8 : Math.round((value * 255) / max));
      for (let x = 0; x < pass.w; x++) {
        const out = ((pass.y0 + y * pass.dy) * width + pass.x0 + x * pass.dx) * 4;
        const s = x * SAMPLES[colorType];
        if (colorType === 3) {
          const index = sample(s);
          if (3 * index + 2 >= palette!.length) throw new PngError('a pixel is outside the palette');
          pixels[out] = palette![3 * index];
          pixels[out + 1] = palette![3 * index + 1];
          pixels[out + 2] = palette![3 * index + 2];
          pixels[out + 3] = transparency && index < transparency.length ? transparency[index] : 255;
        } else if (colorType === 0 || colorType === 4) {
          const grey = sample(s);
          pixels[out] = pixels[out + 1] = pixels[out + 2] = to8(grey);
          pixels[out + 3] = colorType === 4 ? to8(sample(s + 1)) : key && grey === key[0] ? 0 : 255;
        } else {
          const r = sample(s);
          const g = sample(s + 1);
          const b = sample(s + 2);
          pixels[out] = to8(r);
          pixels[out + 1] = to8(g);
          pixels[out + 2] = to8(b);
          pixels[out + 3] = colorType === 6 ? to8(sample(s + 3)) : key && r === key[0] && g === key[1] && b === key[2] ? 0 : 255;
        }
      }
    }
  }
  return { width, height, pixels };
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** A non-interlaced 8-bit PNG of the pixels: RGB when every pixel is opaque, else RGBA. */
export function encodePng({ width, height, pixels }: Rgba): Buffer {
  let opaque = true;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 255) opaque = false;
  const channels = opaque ? 3 : 4;
  const stride = 1 + width * channels;
  const raw = Buffer.alloc(height * stride); // filter byte 0 (none) on every row
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      const to = y * stride + 1 + x * channels;
      for (let c = 0; c < channels; c++) raw[to + c] = pixels[from + c];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = opaque ? 2 : 6;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
