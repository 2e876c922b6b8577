import type PDFKitDocument from 'pdfkit';
import QRCode from 'qrcode';
import { loadOnUse } from '../shared/load-on-use.ts';
import { drawLine, registerCardFonts } from './fonts.ts';

const PDFDocument = loadOnUse<typeof PDFKitDocument>('pdfkit');

/** A PDFKit document; PDFKit itself is loaded by the first PDF the server makes. */
export const newPdfDocument = (options?: PDFKit.PDFDocumentOptions): PDFKit.PDFDocument => new (PDFDocument())(options);

export const MM = 72 / 25.4;
// CR80, the size of a bank card.
export const CARD_WIDTH = 85.6 * MM;
export const CARD_HEIGHT = 54 * MM;

export interface CardColors {
  /** The card's background, behind the retailer's name and the member's. */
  primary: string;
  /** Text on the primary colour. */
  text: string;
}
export const DEFAULT_COLORS: CardColors = { primary: '#0f766e', text: '#ffffff' };

/** A logo parsed once per document: PDFKit embeds it once however many cards draw it. */
export interface CardLogo {
  width: number;
  height: number;
  /** EXIF orientation of a JPEG; 5–8 are turned by a quarter. */
  orientation?: number;
}

declare global {
  namespace PDFKit {
    interface PDFDocument {
      // Both exist in PDFKit 0.20 but are missing from @types/pdfkit.
      openImage(src: Buffer): CardLogo;
      image(src: CardLogo, x?: number, y?: number, options?: PDFKit.Mixins.ImageOption): this;
    }
  }
}

export interface CardFace {
  retailer: string;
  /** The member's name, or a label such as "Kartu member" on unassigned card stock. */
  name: string;
  cardNumber: string;
  /** The signed code the QR carries (what /scan accepts). */
  code: string;
  colors?: CardColors;
  logo?: CardLogo;
}

// Layout, in millimetres from the card's top-left corner. The QR sits on a white panel at the
// right, with at least the standard 4-module quiet zone; the text sits on the primary colour.
const PAD = 4;
const PANEL = 40; // width of the white panel
const QR_BOX = 36; // the QR including its quiet zone
const QUIET_MODULES = 4;
const TEXT_WIDTH = 85.6 - PANEL - 2 * PAD;
const LOGO_HEIGHT = 13; // the logo's box: TEXT_WIDTH wide, this high, at the top-left

export const groupCardNumber = (number: string) => number.replace(/(\d{4})(?=\d)/g, '$1 ');

/**
 * The QR of `code` as vector rectangles (one per horizontal run of dark modules, filled as one
 * path so a rasteriser leaves no seams), error correction M, with a white quiet zone, in a
 * `box`-point square whose top-left corner is (x, y).
 */
export function drawQr(doc: PDFKit.PDFDocument, code: string, x: number, y: number, box: number): void {
  const { modules } = QRCode.create(code, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const module = box / (size + 2 * QUIET_MODULES);
  doc.rect(x, y, box, box).fill('#ffffff');
  const left = x + QUIET_MODULES * module;
  const top = y + QUIET_MODULES * module;
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules.data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules.data[row * size + col]) col++;
      doc.rect(left + start * module, top + row * module, (col - start) * module, module);
    }
  }
  doc.fill('#000000');
}

/**
 * One card with its top-left corner at (x, y) points. `bleed` (points) extends the backgrounds
 * beyond the trim line for a print shop's cut; the text and QR stay inside the card.
 */
export function drawCard(doc: PDFKit.PDFDocument, x: number, y: number, card: CardFace, bleed = 0): void {
  const colors = card.colors ?? DEFAULT_COLORS;
  const panelX = x + (85.6 - PANEL) * MM;
  doc.rect(x - bleed, y - bleed, panelX - x + bleed, CARD_HEIGHT + 2 * bleed).fill(colors.primary);
  doc.rect(panelX, y - bleed, PANEL * MM + bleed, CARD_HEIGHT + 2 * bleed).fill('#ffffff');
  drawQr(doc, card.code, panelX + ((PANEL - QR_BOX) / 2) * MM, y + ((54 - QR_BOX) / 2) * MM, QR_BOX * MM);

  const textX = x + PAD * MM;
  const maxWidth = TEXT_WIDTH * MM;
  const logoHeight = card.logo ? drawLogo(doc, card.logo, textX, y + PAD * MM) + 1.5 * MM : 0;
  drawLine(doc, card.retailer, textX, y + (PAD + 4.5) * MM + logoHeight, { weight: 'bold', size: 11, color: colors.text, maxWidth });
  drawLine(doc, card.name, textX, y + (54 - PAD - 7) * MM, { weight: 'regular', size: 9.5, color: colors.text, maxWidth });
  drawLine(doc, groupCardNumber(card.cardNumber), textX, y + (54 - PAD - 0.5) * MM, { weight: 'bold', size: 9, color: colors.text, maxWidth });
}

/** The logo fitted into its box with its top-left corner at (x, y); returns the height it took. */
function drawLogo(doc: PDFKit.PDFDocument, logo: CardLogo, x: number, y: number): number {
  const turned = (logo.orientation ?? 1) > 4;
  const [width, height] = turned ? [logo.height, logo.width] : [logo.width, logo.height];
  const scale = Math.min((TEXT_WIDTH * MM) / width, (LOGO_HEIGHT * MM) / height);
  doc.image(logo, x, y, { width: width * scale, height: height * scale });
  return height * scale;
}

/**
 * Opens a PNG or JPEG for drawing on cards; throws when PDFKit cannot read it. A PNG must be
 * plain 8-bit RGB or RGBA (branding/png.ts re-encodes uploads so): PDFKit's own PNG decoding
 * fails outside the document's error handling on anything unusual.
 */
export const openLogo = (doc: PDFKit.PDFDocument, bytes: Buffer): CardLogo => doc.openImage(bytes);

/** Collects a PDFKit document's output. */
export function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/**
 * A printable CR80 card (85.6 × 54 mm): retailer, member name (cut with an ellipsis when too
 * long), number grouped by 4, and the signed QR that /scan accepts, in vector form. Noto Sans is
 * embedded, so Indonesian names and diacritics print. `colors` defaults to teal and white; a
 * `logo` (JPEG, or PNG as openLogo needs it) sits above the retailer's name.
 */
export async function renderCardPdf(
  card: { retailer: string; name: string; cardNumber: string; code: string; colors?: CardColors; logo?: Buffer },
): Promise<Buffer> {
  const doc = newPdfDocument({ size: [CARD_WIDTH, CARD_HEIGHT], margin: 0, info: { Title: `${card.retailer} — ${card.name}` } });
  const done = collect(doc);
  registerCardFonts(doc);
  drawCard(doc, 0, 0, { ...card, logo: card.logo && openLogo(doc, card.logo) });
  doc.end();
  return done;
}
