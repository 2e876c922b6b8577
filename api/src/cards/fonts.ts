import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Noto Sans for printed cards, embedded (subset) in every PDF so Indonesian names and
// diacritics print the same everywhere. The npm package @fontsource/noto-sans ships the
// font split by Unicode range: the "latin" file (U+0000-00FF and a few more: "Siti", "Çelik")
// and the "latin-ext" file (U+0100-02FF and more: "Pǔtra", "Ş", "ł"). A PDF font cannot fall
// back by itself, so text is split into runs of the file that has the glyphs (byUnicodeRange).
const require = createRequire(import.meta.url);

export type Weight = 'regular' | 'bold';
type Subset = 'latin' | 'latin-ext';

const FILES: Record<Weight, Record<Subset, string>> = {
  regular: { latin: 'noto-sans-latin-400-normal.woff', 'latin-ext': 'noto-sans-latin-ext-400-normal.woff' },
  bold: { latin: 'noto-sans-latin-700-normal.woff', 'latin-ext': 'noto-sans-latin-ext-700-normal.woff' },
};
// WOFF, not WOFF2: the same glyphs, and zlib is several times faster to open than brotli.

export const fontName = (weight: Weight, subset: Subset) => `NotoSans-${weight}-${subset}`;

let data: Map<string, Buffer> | undefined;
/** The four font files, read once per process. */
function fontData(): Map<string, Buffer> {
  if (!data) {
    data = new Map();
    for (const weight of ['regular', 'bold'] as const) {
      for (const subset of ['latin', 'latin-ext'] as const) {
        data.set(fontName(weight, subset), readFileSync(require.resolve(`@fontsource/noto-sans/files/${FILES[weight][subset]}`)));
      }
    }
  }
  return data;
}

function parseRanges(spec: string): Array<[number, number]> {
  return spec.split(',').map((part) => {
    const [lo, hi] = part.trim().replace(/^U\+/i, '').split('-');
    return [parseInt(lo, 16), parseInt(hi ?? lo, 16)];
  });
}

let ranges: { latin: Array<[number, number]>; ext: Array<[number, number]> } | undefined;
function subsetOf(codePoint: number): Subset {
  if (!ranges) {
    const unicode = require('@fontsource/noto-sans/unicode.json') as Record<Subset, string>;
    ranges = { latin: parseRanges(unicode.latin), ext: parseRanges(unicode['latin-ext']) };
  }
  const within = (list: Array<[number, number]>) => list.some(([lo, hi]) => codePoint >= lo && codePoint <= hi);
  if (within(ranges.latin)) return 'latin';
  return within(ranges.ext) ? 'latin-ext' : 'latin';
}

/** Registers regular and bold (both subsets) in a document: once per document. */
export function registerCardFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, buffer] of fontData()) doc.registerFont(name, buffer);
}

/** Text as runs of one font file each. */
export function fontRuns(text: string): Array<{ subset: Subset; text: string }> {
  const runs: Array<{ subset: Subset; text: string }> = [];
  for (const char of text) {
    const subset = subsetOf(char.codePointAt(0)!);
    const last = runs.at(-1);
    if (last?.subset === subset) last.text += char;
    else runs.push({ subset, text: char });
  }
  return runs;
}

export function widthOf(doc: PDFKit.PDFDocument, text: string, weight: Weight, size: number): number {
  let width = 0;
  for (const run of fontRuns(text)) width += doc.font(fontName(weight, run.subset)).fontSize(size).widthOfString(run.text);
  return width;
}

/** `text` cut to fit `maxWidth` with an ellipsis, on whole characters (NFC, so "ǔ" stays one). */
export function fitText(doc: PDFKit.PDFDocument, text: string, weight: Weight, size: number, maxWidth: number): string {
  const clean = text.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (widthOf(doc, clean, weight, size) <= maxWidth) return clean;
  const chars = Array.from(clean);
  let lo = 0;
  let hi = chars.length;
  // The longest prefix that fits with the ellipsis (width grows with the prefix).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (widthOf(doc, `${chars.slice(0, mid).join('').trimEnd()}…`, weight, size) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('').trimEnd()}…`;
}

/** `text` broken into lines at spaces to fit `maxWidth`; the last of `maxLines` is cut with an ellipsis. */
export function wrapText(doc: PDFKit.PDFDocument, text: string, weight: Weight, size: number, maxWidth: number, maxLines: number): string[] {
  const words = text.normalize('NFC').replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const [i, word] of words.entries()) {
    const candidate = line ? `${line} ${word}` : word;
    if (!line || widthOf(doc, candidate, weight, size) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (lines.length === maxLines - 1) {
      lines.push(fitText(doc, `${line} ${words.slice(i).join(' ')}`, weight, size, maxWidth));
      return lines;
    }
    lines.push(fitText(doc, line, weight, size, maxWidth));
    line = word;
  }
  if (line) lines.push(fitText(doc, line, weight, size, maxWidth));
  return lines;
}

/**
 * One line of text with its baseline at (x, y), in Noto Sans, cut with an ellipsis to `maxWidth`.
 * Never wraps and never adds a page.
 */
export function drawLine(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  options: { weight: Weight; size: number; color: string; maxWidth: number },
): void {
  const fitted = fitText(doc, text, options.weight, options.size, options.maxWidth);
  doc.fillColor(options.color);
  let cursor = x;
  for (const run of fontRuns(fitted)) {
    doc.font(fontName(options.weight, run.subset)).fontSize(options.size);
    doc.text(run.text, cursor, y, { lineBreak: false, baseline: 'alphabetic' });
    cursor += doc.widthOfString(run.text);
  }
}
