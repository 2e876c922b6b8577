import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, PngError } from '../../api/src/branding/png.ts';
import { repoRoot } from '../../api/src/config.ts';
import { rawPng, scanlines } from '../support/images.ts';

// The logo reader against PNGs written by the test's own encoder (test/support/images.ts): every
// colour type and bit depth, all five row filters, Adam7, transparency. 13 × 11 pixels, so rows
// end mid-byte and some interlace passes are narrow.

const W = 13;
const H = 11;
const MAX = 2048 * 2048;
const PALETTE = [[220, 38, 38], [22, 163, 74], [37, 99, 235], [250, 204, 21], [15, 118, 110]];

type Format = { colorType: 0 | 2 | 3 | 4 | 6; depth: number };
const formats: Format[] = [
  ...[1, 2, 4, 8, 16].map((depth) => ({ colorType: 0 as const, depth })),
  ...[8, 16].map((depth) => ({ colorType: 2 as const, depth })),
  ...[1, 2, 4, 8].map((depth) => ({ colorType: 3 as const, depth })),
  ...[8, 16].map((depth) => ({ colorType: 4 as const, depth })),
  ...[8, 16].map((depth) => ({ colorType: 6 as const, depth })),
];

/** An 8-bit value of the pixel, and the same value as a sample of `depth` bits (exact both ways). */
function level(x: number, y: number, salt: number, depth: number): { sample: number; byte: number } {
  if (depth >= 8) {
    const byte = (x * 37 + y * 11 + salt * 71) % 256;
    return { sample: depth === 16 ? byte * 257 : byte, byte };
  }
  const max = (1 << depth) - 1;
  const sample = (x + 2 * y + salt) % (max + 1);
  return { sample, byte: Math.round((sample * 255) / max) };
}

/** The PNG of a format, and the RGBA the reader must return for it. */
function example({ colorType, depth }: Format, interlaced: boolean) {
  const entries = Math.min(PALETTE.length, 1 << depth);
  const expected = new Uint8Array(W * H * 4);
  const samples = (x: number, y: number): number[] => {
    const at = (y * W + x) * 4;
    if (colorType === 3) {
      const index = (x + y) % entries;
      expected.set([...PALETTE[index], index === 0 ? 0 : index === 1 ? 128 : 255], at);
      return [index];
    }
    const channels = colorType === 0 || colorType === 4 ? [level(x, y, 0, depth)] : [0, 1, 2].map((c) => level(x, y, c, depth));
    const alpha = colorType === 4 || colorType === 6 ? [level(x, y, 3, depth)] : [];
    const rgb = channels.length === 1 ? [channels[0], channels[0], channels[0]] : channels;
    expected.set([...rgb.map((c) => c.byte), alpha[0]?.byte ?? 255], at);
    return [...channels, ...alpha].map((c) => c.sample);
  };
  const rows = scanlines(W, H, depth, interlaced, samples);
  const png = rawPng({
    width: W, height: H, colorType, depth, rows, interlaced,
    filterOf: interlaced ? undefined : (y) => y % 5,
    ...(colorType === 3 ? { palette: Buffer.from(PALETTE.slice(0, entries).flat()), transparency: Buffer.from([0, 128]) } : {}),
  });
  return { png, expected };
}

describe('decodePng', () => {
  for (const format of formats) {
    for (const interlaced of [false, true]) {
      it(`reads colour type ${format.colorType} at ${format.depth} bits${interlaced ? ', interlaced' : ''}`, () => {
        const { png, expected } = example(format, interlaced);
        const decoded = decodePng(png, MAX);
        expect([decoded.width, decoded.height]).toEqual([W, H]);
        expect(Buffer.from(decoded.pixels).equals(Buffer.from(expected))).toBe(true);
      });
    }
  }

  it('makes the one transparent grey or RGB value of tRNS transparent', () => {
    const grey = rawPng({ width: 2, height: 1, colorType: 0, depth: 8, rows: [Buffer.from([7, 8])], transparency: Buffer.from([0, 7]) });
    expect([...decodePng(grey, MAX).pixels]).toEqual([7, 7, 7, 0, 8, 8, 8, 255]);
    const rgb = rawPng({ width: 2, height: 1, colorType: 2, depth: 8, rows: [Buffer.from([1, 2, 3, 1, 2, 4])], transparency: Buffer.from([0, 1, 0, 2, 0, 3]) });
    expect([...decodePng(rgb, MAX).pixels]).toEqual([1, 2, 3, 0, 1, 2, 4, 255]);
  });

  it('reads the default logo, and what encodePng writes back is the same image', () => {
    const logo = decodePng(readFileSync(join(repoRoot, 'api/assets/default-logo.png')), MAX);
    expect([logo.width, logo.height]).toEqual([256, 256]);
    const again = decodePng(encodePng(logo), MAX);
    expect(Buffer.from(again.pixels).equals(Buffer.from(logo.pixels))).toBe(true);
    const opaque = { width: 2, height: 1, pixels: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]) };
    expect(encodePng(opaque)[25]).toBe(2); // RGB when nothing is transparent
    expect([...decodePng(encodePng(opaque), MAX).pixels]).toEqual([...opaque.pixels]);
  });

  it('refuses damaged and unknown files with a PngError', () => {
    const { png } = example({ colorType: 6, depth: 8 }, false);
    const refuse = (bytes: Buffer, message: RegExp, max = MAX) => expect(() => decodePng(bytes, max)).toThrow(message);
    refuse(Buffer.from('GIF89a'), /not a PNG/);
    refuse(png.subarray(0, png.length - 30), /ends early/);
    const flipped = Buffer.from(png);
    flipped[40] ^= 1;
    refuse(flipped, /damaged/);
    const rows = scanlines(W, H, 8, false, () => [0, 0, 0, 255]);
    refuse(rawPng({ width: W, height: H, colorType: 6, depth: 8, rows, filterOf: (y) => (y === 5 ? 9 : 0) }), /filter 9/);
    refuse(rawPng({ width: W, height: H, colorType: 6, depth: 8, rows: rows.slice(1) }), /wrong length|damaged/);
    refuse(rawPng({ width: W, height: H, colorType: 2, depth: 4, rows }), /bit depth/);
    refuse(rawPng({ width: 2, height: 1, colorType: 3, depth: 8, rows: [Buffer.from([0, 3])], palette: Buffer.from([1, 2, 3, 4, 5, 6]) }), /outside the palette/);
    refuse(png, /size/, W * H - 1);
    expect(() => decodePng(png, MAX - 1)).not.toThrow();
    expect(() => decodePng(Buffer.from('x'), MAX)).toThrow(PngError);
  });
});
