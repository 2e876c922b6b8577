import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Real decoders for printed cards: Poppler renders the PDF like a printer would (pdftoppm,
// pdftotext, pdffonts from Debian `poppler-utils`) and ZBar reads the QRs from the pixels
// (zbarimg from Debian `zbar-tools`), also from screenshots of the QRs the apps draw. A missing tool fails the test, locally and under CI=true:
// a card test that silently skips proves nothing.
const PACKAGES: Record<string, string> = { pdftoppm: 'poppler-utils', pdftotext: 'poppler-utils', pdffonts: 'poppler-utils', zbarimg: 'zbar-tools' };

function run(tool: string, args: string[], okStatuses: number[] = [0]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${tool} is not installed: the card tests need Debian ${PACKAGES[tool]} (apt-get install -y poppler-utils zbar-tools)`);
  }
  if (result.error) throw result.error;
  if (!okStatuses.includes(result.status ?? -1)) {
    throw new Error(`${tool} ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr}`);
  }
  return result.stdout;
}

function withFile<T>(data: Buffer, name: string, work: (dir: string, file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kartu-qr-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, data);
    return work(dir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const withPdf = <T>(pdf: Buffer, work: (dir: string, file: string) => T): T => withFile(pdf, 'in.pdf', work);

/** The QR symbols ZBar finds in the images, one string each. */
function zbarQrCodes(images: string[]): string[] {
  // QR only, so text on the card can never be read as a 1-D barcode. zbarimg exits 4 when
  // it found nothing, which is an answer (no codes), not a failure.
  const out = run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', ...images], [0, 4]);
  return out.split('\n').filter((line) => line.length > 0);
}

/**
 * Every QR code in the PDF, one string per symbol found on any page. Each page is rendered at
 * 300 and at 200 dpi and the rendering where ZBar finds more symbols counts, as a cashier's
 * scanner gets another look: on a page of ten cards ZBar now and then misses one at a single
 * resolution, while a code that cannot be read at either still fails the test.
 */
export function decodeQrCodes(pdf: Buffer): string[] {
  return withPdf(pdf, (dir, file) => {
    const renderings = [300, 200].map((dpi) => {
      run('pdftoppm', ['-r', String(dpi), '-png', file, join(dir, `dpi${dpi}`)]);
      return readdirSync(dir).filter((name) => name.startsWith(`dpi${dpi}`) && name.endsWith('.png')).sort().map((name) => join(dir, name));
    });
    if (renderings[0].length === 0) throw new Error('pdftoppm rendered no pages');
    return renderings[0].flatMap((page, i) => {
      const readings = renderings.map((pages) => zbarQrCodes([pages[i]]));
      return readings.reduce((best, reading) => (reading.length > best.length ? reading : best));
    });
  });
}

/** Every QR code in a PNG image (a browser's screenshot of a QR, say), one string per symbol. */
export function decodeQrImage(png: Buffer): string[] {
  return withFile(png, 'in.png', (_dir, file) => zbarQrCodes([file]));
}

/** The PDF's text as Poppler extracts it (UTF-8). */
export function pdfText(pdf: Buffer): string {
  return withPdf(pdf, (_dir, file) => run('pdftotext', ['-enc', 'UTF-8', file, '-']));
}

/** The PDF's fonts as pdffonts lists them: name and whether the file is embedded. */
export function pdfFonts(pdf: Buffer): Array<{ name: string; embedded: boolean }> {
  return withPdf(pdf, (_dir, file) => {
    const lines = run('pdffonts', [file]).split('\n').slice(2).filter((line) => line.trim());
    // Columns: name, type (may contain spaces), encoding, emb, sub, uni, object ID (2 fields).
    return lines.map((line) => {
      const fields = line.trim().split(/\s+/);
      return { name: fields[0], embedded: fields.at(-5) === 'yes' };
    });
  });
}
