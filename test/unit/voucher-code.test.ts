import { describe, expect, it } from 'vitest';
import { inVoucherAlphabet, isVoucherCode, normaliseVoucherCode, randomVoucherCodes, VOUCHER_ALPHABET } from '../../api/src/vouchers/voucher-code.ts';

describe('voucher codes', () => {
  it('uses Crockford’s base32 without I, L, O and U', () => {
    expect(VOUCHER_ALPHABET).toHaveLength(32);
    expect(new Set(VOUCHER_ALPHABET).size).toBe(32);
    expect(VOUCHER_ALPHABET).not.toMatch(/[ILOU]/);
    expect(inVoucherAlphabet('HEMAT7')).toBe(true);
    expect(inVoucherAlphabet('OIL')).toBe(false);
  });

  it('normalises case, spaces and hyphens only: O stays O and I stays I', () => {
    expect(normaliseVoucherCode(' gratis-ongkir ')).toBe('GRATISONGKIR');
    expect(normaliseVoucherCode('abcd-efgh\tjk mn')).toBe('ABCDEFGHJKMN');
    expect(normaliseVoucherCode('O0-I1')).toBe('O0I1');
    expect(isVoucherCode('GRATISONGKIR')).toBe(true);
    expect(isVoucherCode('ABC')).toBe(false);
    expect(isVoucherCode('GR_ATIS')).toBe(false);
    expect(isVoucherCode('A'.repeat(33))).toBe(false);
  });

  it('reads full-width input from phone keyboards as the letters, digits, hyphens and spaces it shows (NFKC)', () => {
    expect(normaliseVoucherCode('ｇｒａｔｉｓ－ＯＮＧＫＩＲ')).toBe('GRATISONGKIR');
    expect(normaliseVoucherCode('ＨＥＭＡＴ\u3000２０')).toBe('HEMAT20');
    expect(isVoucherCode(normaliseVoucherCode('ＫＤ７Ｑ－９Ｘ２Ｍ'))).toBe(true);
  });

  it('generates prefix + length symbols, every symbol about equally often', () => {
    const codes = randomVoucherCodes(20_000, 10, 'HEMAT');
    const pattern = new RegExp(`^HEMAT[${VOUCHER_ALPHABET}]{10}$`);
    expect(codes.every((code) => pattern.test(code))).toBe(true);
    expect(new Set(codes).size).toBe(20_000);
    const counts = new Map<string, number>();
    for (const code of codes) for (const c of code.slice(5)) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 200,000 symbols: 6,250 expected each; ±10% is over 10 standard deviations.
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(Math.abs(n - 6250)).toBeLessThan(625);
  });
});
