import type { Readable } from 'node:stream';
import { CARD_HEIGHT, CARD_WIDTH, MM, collect, drawCard, newPdfDocument, openLogo, type CardColors } from './card-pdf.ts';
import { registerCardFonts } from './fonts.ts';

// Card stock for a print shop: A4 portrait, 2 × 5 CR80 cards per page with gutters between them,
// 1 mm of bleed around every card and crop marks at every card's corners (in the gutters and
// margins, never on a card or its bleed).
const A4 = { width: 210 * MM, height: 297 * MM };
const COLUMNS = 2;
const ROWS = 5;
export const CARDS_PER_PAGE = COLUMNS * ROWS;
const COLUMN_GUTTER = 8 * MM;
const ROW_GUTTER = 4 * MM;
const BLEED = 1 * MM;
const MARK_OFFSET = BLEED; // marks start where the bleed ends
const MARK_LENGTH = ROW_GUTTER - 2 * BLEED; // fits between two rows' bleeds
const LEFT = (A4.width - (COLUMNS * CARD_WIDTH + (COLUMNS - 1) * COLUMN_GUTTER)) / 2;
const TOP = (A4.height - (ROWS * CARD_HEIGHT + (ROWS - 1) * ROW_GUTTER)) / 2;

export interface CardSheetOptions {
  retailer: string;
  colors?: CardColors;
  /** JPEG, or PNG as openLogo needs it; embedded once for the whole document. */
  logo?: Buffer;
  /** Printed where a member card has the member's name. */
  label?: string;
}

export interface SheetCard {
  cardNumber: string;
  code: string;
}

/** Top-left corner of the `index`-th card on its page. */
export function cardPosition(index: number): { x: number; y: number } {
  const slot = index % CARDS_PER_PAGE;
  const column = slot % COLUMNS;
  const row = Math.floor(slot / COLUMNS);
  return { x: LEFT + column * (CARD_WIDTH + COLUMN_GUTTER), y: TOP + row * (CARD_HEIGHT + ROW_GUTTER) };
}

function cropMarks(doc: PDFKit.PDFDocument, x: number, y: number): void {
  for (const [cx, dx] of [[x, -1], [x + CARD_WIDTH, 1]] as const) {
    for (const [cy, dy] of [[y, -1], [y + CARD_HEIGHT, 1]] as const) {
      // Along the horizontal cut line, outward from the corner; then along the vertical one.
      doc.moveTo(cx + dx * MARK_OFFSET, cy).lineTo(cx + dx * (MARK_OFFSET + MARK_LENGTH), cy);
      doc.moveTo(cx, cy + dy * MARK_OFFSET).lineTo(cx, cy + dy * (MARK_OFFSET + MARK_LENGTH));
    }
  }
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The sheets as a PDF stream: pages are written out as they are finished (PDFKit does not keep
 * them), and the drawing yields to the event loop after every page so a large batch does not
 * stall the server. Pipe it to a file or a response.
 */
export function cardSheetStream(cards: readonly SheetCard[], options: CardSheetOptions): Readable {
  if (cards.length === 0) throw new RangeError('a card sheet needs at least one card');
  const doc = newPdfDocument({
    size: [A4.width, A4.height],
    margin: 0,
    autoFirstPage: false,
    info: { Title: `${options.retailer} — ${cards.length} cards` },
  });
  registerCardFonts(doc);
  const label = options.label ?? 'Kartu member';
  const logo = options.logo && openLogo(doc, options.logo);
  void (async () => {
    for (let start = 0; start < cards.length; start += CARDS_PER_PAGE) {
      doc.addPage({ size: [A4.width, A4.height], margin: 0 });
      const page = cards.slice(start, start + CARDS_PER_PAGE);
      page.forEach((card, i) => {
        const { x, y } = cardPosition(i);
        drawCard(doc, x, y, { retailer: options.retailer, name: label, cardNumber: card.cardNumber, code: card.code, colors: options.colors, logo }, BLEED);
      });
      page.forEach((_, i) => {
        const { x, y } = cardPosition(i);
        cropMarks(doc, x, y);
      });
      doc.lineWidth(0.25).strokeColor('#000000').stroke();
      await nextTick();
    }
    doc.end();
  })().catch((error: unknown) => doc.destroy(error as Error));
  return doc;
}

/** A4 sheets of 10 unassigned cards each ("Kartu member" instead of a name), with crop marks. */
export function renderCardSheetPdf(cards: readonly SheetCard[], options: CardSheetOptions): Promise<Buffer> {
  return collect(cardSheetStream(cards, options) as PDFKit.PDFDocument);
}
