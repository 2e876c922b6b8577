import { describe, expect, it } from 'vitest';
import { encoderFor, fillPlaceholders, formatRupiah, MessageTextSchema, renderMemberMessage, templateErrors, unknownPlaceholders } from '../../api/src/messages/template.ts';
import { isPrivateAddress } from '../../api/src/messages/targets.ts';

const values = {
  name: 'Siti Rahayu', points: 1250, tier: 'Gold', expiringPoints: 300, expiryDate: new Date('2026-12-31T17:30:00Z'), voucherCode: 'ULANG-TAHUN-7', offer: null,
};

describe('member message templates', () => {
  it('renders in Bahasa Indonesia with Indonesian numbers and the date in the tenant time zone', () => {
    const text = renderMemberMessage('Hai {{name}}, {{ points }} poin ({{tier}}); {{expiringPoints}} poin hangus {{expiryDate}}. Kode: {{voucherCode}}', values, 'id', 'Asia/Jakarta');
    // 17:30 UTC on 31 December is already 1 January in Jakarta (UTC+7).
    expect(text).toBe('Hai Siti Rahayu, 1.250 poin (Gold); 300 poin hangus 1 Januari 2027. Kode: ULANG-TAHUN-7');
  });

  it('renders in English with the same figures and an English month', () => {
    const text = renderMemberMessage('{{points}} points expire on {{expiryDate}}', { ...values, points: 1_234_567 }, 'en', 'Asia/Makassar');
    expect(text).toBe('1.234.567 points expire on 1 January 2027');
  });

  it('fills missing values plainly and closes the gap an empty offer leaves', () => {
    const text = renderMemberMessage('Hai {{name}}! {{offer}} Sampai {{expiryDate}}.', { ...values, expiryDate: null, offer: null }, 'id', 'Asia/Jakarta');
    expect(text).toBe('Hai Siti Rahayu! Sampai -.');
  });

  it('names unknown placeholders per language', () => {
    expect(unknownPlaceholders('{{name}} {{nama}} {{ balance }} {{nama}}', ['name'])).toEqual(['nama', 'balance']);
    expect(templateErrors('body.text', { id: 'Hai {{nama}}', en: 'Hi {{name}}' })).toEqual([
      { path: 'body.text.id', message: expect.stringContaining('{{nama}}') },
    ]);
    const parsed = MessageTextSchema.safeParse({ id: 'ok {{points}}', en: 'bad {{point}}' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['en']);
  });

  it('escapes gateway values for the content type', () => {
    const text = 'Baris "satu"\nA&B';
    expect(JSON.parse(fillPlaceholders('{"t":"{{text}}"}', { text }, encoderFor('application/json; charset=utf-8'))).t).toBe(text);
    expect(new URLSearchParams(fillPlaceholders('t={{text}}', { text }, encoderFor('application/x-www-form-urlencoded'))).get('t')).toBe(text);
  });

  it('formats rupiah from minor units', () => {
    expect(formatRupiah(15_000_000)).toBe('Rp 150.000');
  });
});

describe('outgoing targets', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1'])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});
