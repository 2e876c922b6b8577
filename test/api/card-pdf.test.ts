import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKid, signCardCode } from '../../api/src/cards/card-code.ts';
import { renderCardPdf } from '../../api/src/cards/card-pdf.ts';
import { renderCardSheetPdf } from '../../api/src/cards/card-sheet.ts';
import { newCardNumber } from '../../api/src/cards/luhn.ts';
import { newMember, newTenant, type Tenant } from '../support/factories.ts';
import { decodeQrCodes, pdfFonts, pdfText } from '../support/qr-decode.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Printed cards checked with real decoders: Poppler renders the PDF at 300 dpi and ZBar reads
// the QR from the pixels; the decoded text must scan through the API to the right member.
// Needs Debian poppler-utils and zbar-tools; without them these tests fail (never skip).

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

type BinaryParser = Parameters<ReturnType<TestApp['http']['get']>['parse']>[0];
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as BinaryParser;

const grouped = (number: string) => number.match(/.{4}/g)!.join(' ');

async function cardPdf(tenant: Tenant, memberId: string): Promise<Buffer> {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/card.pdf`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  return res.body as Buffer;
}

const scan = (tenant: Tenant, code: string) => tenant.owner.post('/api/v1/scan').send({ code });

/** `code` with the character at `index` replaced by another of the same kind (digit or letter). */
function changeAt(code: string, index: number): string {
  const char = code[index];
  const replacement = /\d/.test(char) ? String((Number(char) + 1) % 10) : char === 'A' ? 'B' : 'A';
  return code.slice(0, index) + replacement + code.slice(index + 1);
}

describe('GET /api/v1/members/{id}/card.pdf, read by a real decoder', () => {
  it('carries exactly one QR, and what zbarimg reads from it scans to that member', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await newMember(tenant); // another member, so a wrong match would show
    const pdf = await cardPdf(tenant, member.id);

    const codes = decodeQrCodes(pdf);
    expect(codes).toHaveLength(1);
    const res = await scan(tenant, codes[0]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.member.id).toBe(member.id);

    const text = pdfText(pdf);
    expect(text).toContain(member.name);
    expect(text).toContain(grouped(member.cardNumber));
    expect(text).toContain(`Toko ${tenant.slug.slice(2)}`);
    const fonts = pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font.embedded, font.name).toBe(true);
      expect(font.name).toMatch(/NotoSans/);
    }
  });

  it('prints Indonesian names with diacritics in the embedded font', async () => {
    const tenant = await newTenant(app);
    for (const name of ['Siti Nurhaliza', 'Dewi Ayu Çelik', 'Ngurah Rai Pǔtra', 'Şükrü Łukasz Đorđević']) {
      const member = await newMember(tenant, { name });
      const pdf = await cardPdf(tenant, member.id);
      expect(pdfText(pdf), name).toContain(name);
      const codes = decodeQrCodes(pdf);
      expect(codes, name).toHaveLength(1);
      expect((await scan(tenant, codes[0])).body.member.id, name).toBe(member.id);
    }
  });

  it('cuts a name too long for the card with an ellipsis', async () => {
    const tenant = await newTenant(app);
    const name = 'Raden Ayu Siti Nurhaliza Kusumawardhani Pǔtri Hadiningrat binti Abdurrahman Wahid Çelik';
    const member = await newMember(tenant, { name });
    const pdf = await cardPdf(tenant, member.id);
    const printed = pdfText(pdf).split('\n').find((line) => line.startsWith('Raden Ayu'));
    expect(printed).toBeDefined();
    expect(printed!.endsWith('…')).toBe(true);
    expect(name.startsWith(printed!.slice(0, -1))).toBe(true);
    expect(printed!.length).toBeLessThan(name.length);
    expect(decodeQrCodes(pdf)).toHaveLength(1);
  });

  it('does not scan the decoded code with any one character changed', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const [code] = decodeQrCodes(await cardPdf(tenant, member.id));
    // K1.<kid>.<number>.<mac>: a character of the version, the key id, the number and the MAC.
    const positions = [1, 3, 6 + 5, 6 + 15, code.length - 16, code.length - 1];
    for (const index of positions) {
      const tampered = changeAt(code, index);
      expect(tampered).not.toBe(code);
      const res = await scan(tenant, tampered);
      expect(res.status, `changed at ${index}: ${tampered}`).toBe(404);
    }
    expect((await scan(tenant, code)).status).toBe(200);
  });
});

describe('card stock sheets, read by a real decoder', () => {
  it('puts 12 cards on 2 A4 pages and every QR decodes to exactly the codes given', async () => {
    const key = randomBytes(32);
    const tenantId = randomUUID();
    const kid = newKid(randomBytes(2));
    const numbers = new Set<string>();
    while (numbers.size < 12) numbers.add(newCardNumber());
    const cards = [...numbers].map((cardNumber) => ({ cardNumber, code: signCardCode(key, tenantId, kid, cardNumber) }));

    const pdf = await renderCardSheetPdf(cards, { retailer: 'Toko Sumber Rejeki' });
    const text = pdfText(pdf);
    expect(text.split('\f').length - 1).toBe(2); // pdftotext ends every page with a form feed
    expect(text.match(/Kartu member/g)).toHaveLength(12);
    for (const card of cards) expect(text).toContain(grouped(card.cardNumber));

    const decoded = decodeQrCodes(pdf);
    expect([...decoded].sort()).toEqual(cards.map((card) => card.code).sort());
  });

  it('renders a single card in a tenant’s own colours, still decodable', async () => {
    const code = signCardCode(randomBytes(32), randomUUID(), 'AB', '7000000000000009');
    const pdf = await renderCardPdf({ retailer: 'Toko Biru', name: 'Dewi Ayu Çelik', cardNumber: '7000000000000009', code, colors: { primary: '#1e3a8a', text: '#fde68a' } });
    expect(decodeQrCodes(pdf)).toEqual([code]);
    expect(pdfText(pdf)).toContain('Dewi Ayu Çelik');
  });
});
