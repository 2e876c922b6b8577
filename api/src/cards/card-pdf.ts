import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

const MM = 72 / 25.4;
// CR80, the size of a bank card.
const WIDTH = 85.6 * MM;
const HEIGHT = 54 * MM;

/** A printable card: retailer, member name, grouped card number and the signed QR that /scan accepts. */
export async function renderCardPdf(card: { retailer: string; name: string; cardNumber: string; code: string }): Promise<Buffer> {
  const qr = await QRCode.toBuffer(card.code, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 8 });
  const doc = new PDFDocument({ size: [WIDTH, HEIGHT], margin: 0, info: { Title: `${card.retailer} — ${card.name}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  const pad = 4 * MM;
  const qrSize = HEIGHT - 2 * pad;
  doc.rect(0, 0, WIDTH, HEIGHT).fill('#0f766e');
  doc.rect(WIDTH - qrSize - 2 * pad, 0, qrSize + 2 * pad, HEIGHT).fill('#ffffff');
  doc.image(qr, WIDTH - qrSize - pad, pad, { width: qrSize, height: qrSize });
  const textWidth = WIDTH - qrSize - 4 * pad;
  doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(10).text(card.retailer, pad, pad, { width: textWidth });
  doc.font('Helvetica').fontSize(8).text(card.name, pad, HEIGHT - pad - 26, { width: textWidth, lineBreak: false, ellipsis: true });
  doc.font('Courier-Bold').fontSize(7.5).text(card.cardNumber.replace(/(\d{4})(?=\d)/g, '$1 '), pad, HEIGHT - pad - 12, { width: textWidth });
  doc.end();
  return done;
}
