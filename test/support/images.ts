import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { collect } from '../../api/src/cards/card-pdf.ts';

// Test images made here, independently of the API's own PNG code: PNGs written byte by byte with
// node:zlib, JPEGs rendered by Poppler (pdftoppm, which the card tests need anyway), and a GIF
// header. No ImageMagick: CI machines do not have it.

type Rgba = [number, number, number, number];

export const hexToRgba = (hex: string, alpha = 255): Rgba =>
  [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), alpha];

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** `row` filtered with PNG filter 1–4 against `prev` (the row above, unfiltered); other values leave it as it is. */
function applyFilter(filter: number, row: Buffer, prev: Buffer, bpp: number): Buffer {
  return Buffer.from(row.map((byte, i) => {
    const left = i >= bpp ? row[i - bpp] : 0;
    const up = prev[i] ?? 0;
    const upLeft = i >= bpp ? (prev[i - bpp] ?? 0) : 0;
    const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] ?? 0;
    return (byte - predicted) & 0xff;
  }));
}

/**
 * A PNG from raw scanlines, each without its filter byte. `filterOf(y)` chooses row y's filter
 * (default 0, none) and 1–4 are applied for real; any other value is written as it is (a damaged
 * file). Interlaced images take filter 0 only.
 */
export function rawPng(options: {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  depth: number;
  rows: Buffer[];
  palette?: Buffer;
  transparency?: Buffer;
  filterOf?: (row: number) => number;
  /** Adam7: `rows` are then the seven passes' rows, one pass after the other. */
  interlaced?: boolean;
}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(options.width, 0);
  header.writeUInt32BE(options.height, 4);
  header[8] = options.depth;
  header[9] = options.colorType;
  header[12] = options.interlaced ? 1 : 0;
  const filterOf = options.filterOf ?? (() => 0);
  const bpp = Math.max(1, (options.depth * CHANNELS[options.colorType]) >> 3);
  const filtered = options.rows.map((row, y) => {
    const filter = filterOf(y);
    return Buffer.concat([Buffer.from([filter]), applyFilter(filter, row, options.rows[y - 1] ?? Buffer.alloc(0), bpp)]);
  });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(options.palette ? [chunk('PLTE', options.palette)] : []),
    ...(options.transparency ? [chunk('tRNS', options.transparency)] : []),
    chunk('IDAT', deflateSync(Buffer.concat(filtered))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * Scanlines of `samples(x, y)` (the pixel's samples: grey, or RGB, palette index, with alpha…)
 * packed at `depth` bits, for rawPng: one image, or Adam7's seven passes.
 */
export function scanlines(width: number, height: number, depth: number, interlaced: boolean, samples: (x: number, y: number) => number[]): Buffer[] {
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const rows: Buffer[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      const values: number[] = [];
      for (let x = x0; x < width; x += dx) values.push(...samples(x, y));
      if (values.length === 0) continue;
      const row = Buffer.alloc(Math.ceil((values.length * depth) / 8));
      values.forEach((value, i) => {
        if (depth === 16) row.writeUInt16BE(value, i * 2);
        else if (depth === 8) row[i] = value;
        else row[(i * depth) >> 3] |= value << (8 - depth - ((i * depth) & 7));
      });
      rows.push(row);
    }
  }
  return rows;
}

/** An 8-bit RGBA PNG whose pixels `paint` chooses. */
export function rgbaPng(width: number, height: number, paint: (x: number, y: number) => Rgba): Buffer {
  const rows = Array.from({ length: height }, (_, y) => Buffer.from(Array.from({ length: width }, (_, x) => paint(x, y)).flat()));
  return rawPng({ width, height, colorType: 6, depth: 8, rows });
}

/** An RGB PNG of random pixels: incompressible, so its size is about width × height × 3 bytes. */
export const noisePng = (width: number, height: number): Buffer =>
  rawPng({ width, height, colorType: 2, depth: 8, rows: Array.from({ length: height }, () => randomBytes(width * 3)) });

/**
 * A 4-bit palette PNG with a transparent palette entry, of odd size: the kind an optimiser writes
 * for a two-colour logo, and one PDFKit's own PNG decoder cannot take.
 */
export function paletteLogoPng(width: number, height: number, ink: string, inked: (x: number, y: number) => boolean): Buffer {
  const rows = Array.from({ length: height }, (_, y) => {
    const row = Buffer.alloc(Math.ceil(width / 2));
    for (let x = 0; x < width; x++) if (inked(x, y)) row[x >> 1] |= x % 2 === 0 ? 0x10 : 0x01;
    return row;
  });
  const palette = Buffer.from([0, 0, 0, ...hexToRgba(ink).slice(0, 3)]);
  return rawPng({ width, height, colorType: 3, depth: 4, rows, palette, transparency: Buffer.from([0]) });
}

/** A baseline JPEG of one colour, rendered by pdftoppm from a one-page PDF at 72 dpi (1 pt = 1 px). */
export async function solidJpeg(width: number, height: number, color: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: [width, height], margin: 0 });
  const done = collect(doc);
  doc.rect(0, 0, width, height).fill(color);
  doc.end();
  const pdf = await done;
  const dir = mkdtempSync(join(tmpdir(), 'kartu-jpeg-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    const result = spawnSync('pdftoppm', ['-jpeg', '-r', '72', '-singlefile', join(dir, 'in.pdf'), join(dir, 'out')], { encoding: 'utf8' });
    if (result.error || result.status !== 0) throw new Error(`pdftoppm -jpeg failed (Debian poppler-utils): ${result.error ?? result.stderr}`);
    return readFileSync(join(dir, 'out.jpg'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A real 1×1 GIF89a with its header saying `width` × `height`: only its type is wrong for a logo. */
export function gif(width: number, height: number): Buffer {
  const bytes = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
  bytes.writeUInt16LE(width, 6);
  bytes.writeUInt16LE(height, 8);
  return bytes;
}

export const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;
