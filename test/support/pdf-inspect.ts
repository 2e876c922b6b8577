import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What Poppler (Debian poppler-utils) sees in a PDF: the images it embeds (pdfimages) and the
// colour of a rendered pixel (pdftoppm). A missing tool fails the test, as in qr-decode.ts.

function run(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${tool} is not installed: the card tests need Debian poppler-utils`);
  }
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr}`);
  return result.stdout;
}

function withPdf<T>(pdf: Buffer, work: (dir: string, file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kartu-inspect-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    return work(dir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PdfImage {
  page: number;
  /** image, smask (an alpha channel), … */
  type: string;
  width: number;
  height: number;
  /** png-like "image", "jpeg", … as pdfimages calls the encoding. */
  encoding: string;
  /** The PDF object: the same number on every card means the image is embedded once. */
  object: number;
}

/** Every image drawn, one row per page it is drawn on, as `pdfimages -list` reports them. */
export function pdfImages(pdf: Buffer): PdfImage[] {
  return withPdf(pdf, (_dir, file) => {
    const lines = run('pdfimages', ['-list', file]).split('\n').slice(2).filter((line) => line.trim());
    // Columns: page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    return lines.map((line) => {
      const f = line.trim().split(/\s+/);
      return { page: Number(f[0]), type: f[2], width: Number(f[3]), height: Number(f[4]), encoding: f[8], object: Number(f[10]) };
    });
  });
}

/** The colour ('#rrggbb') of the first page at (x, y) millimetres from its top-left corner, rendered at 100 dpi. */
export function colorAt(pdf: Buffer, xMm: number, yMm: number): string {
  return withPdf(pdf, (dir, file) => {
    run('pdftoppm', ['-r', '100', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page')]);
    const ppm = readFileSync(join(dir, 'page.ppm'));
    // Binary PPM: "P6", width, height, max value, each followed by whitespace; then RGB triples.
    const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.toString('latin1', 0, 50));
    if (!header) throw new Error('pdftoppm did not write a binary PPM');
    const width = Number(header[1]);
    const x = Math.floor((xMm / 25.4) * 100);
    const y = Math.floor((yMm / 25.4) * 100);
    const at = header[0].length + (y * width + x) * 3;
    return `#${[...ppm.subarray(at, at + 3)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  });
}
