import { collect, drawQr, MM, newPdfDocument, openLogo, type CardColors } from '../cards/card-pdf.ts';
import { drawLine, registerCardFonts, widthOf, wrapText, type Weight } from '../cards/fonts.ts';

// The shop-window poster: the retailer's colour band with logo and name, a headline, a line of
// text, and a large QR to the sign-up page with its address printed beneath for phones without a
// QR reader. A4 and A5 portrait share one layout, scaled by the page width.

export const POSTER_SIZES = { A4: [595.28, 841.89], A5: [419.53, 595.28] } as const;
export type PosterSize = keyof typeof POSTER_SIZES;

export interface Poster {
  size: PosterSize;
  retailer: string;
  headline: string;
  text: string;
  url: string;
  colors: CardColors;
  logo?: Buffer;
}

export async function renderPosterPdf(poster: Poster): Promise<Buffer> {
  const [width, height] = POSTER_SIZES[poster.size];
  const doc = newPdfDocument({ size: [width, height], margin: 0, info: { Title: `${poster.retailer} — ${poster.headline}` } });
  const done = collect(doc);
  registerCardFonts(doc);
  const k = width / POSTER_SIZES.A4[0];
  const margin = 18 * MM * k;
  const inner = width - 2 * margin;
  const centred = (text: string, y: number, weight: Weight, size: number, color: string) => {
    const x = (width - Math.min(inner, widthOf(doc, text, weight, size))) / 2;
    drawLine(doc, text, x, y, { weight, size, color, maxWidth: inner });
  };

  const band = 62 * MM * k;
  doc.rect(0, 0, width, band).fill(poster.colors.primary);
  let nameBaseline = band / 2 + 10 * k;
  if (poster.logo) {
    const logo = openLogo(doc, poster.logo);
    const box = { w: inner, h: 26 * MM * k };
    const scale = Math.min(box.w / logo.width, box.h / logo.height);
    doc.image(logo, (width - logo.width * scale) / 2, 9 * MM * k, { width: logo.width * scale, height: logo.height * scale });
    nameBaseline = 9 * MM * k + box.h + 14 * MM * k;
  }
  centred(poster.retailer, nameBaseline, 'bold', 26 * k, poster.colors.text);

  let y = band + 24 * MM * k;
  for (const line of wrapText(doc, poster.headline, 'bold', 40 * k, inner, 2)) {
    centred(line, y, 'bold', 40 * k, '#111827');
    y += 48 * k;
  }
  y -= 8 * k;
  for (const line of wrapText(doc, poster.text, 'regular', 17 * k, inner, 3)) {
    centred(line, y, 'regular', 17 * k, '#374151');
    y += 24 * k;
  }

  const qr = Math.min(inner, height - y - 40 * MM * k, 110 * MM * k);
  drawQr(doc, poster.url, (width - qr) / 2, y + 4 * MM * k, qr);
  centred(poster.url.replace(/^https?:\/\//, ''), y + qr + 14 * MM * k, 'bold', 13 * k, '#111827');
  doc.end();
  return done;
}
