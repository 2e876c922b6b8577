import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCardCode } from '../../api/src/cards/card-code.ts';
import { isValidLuhn, newCardNumber } from '../../api/src/cards/luhn.ts';
import { normaliseVoucherCode as apiNormalise, randomVoucherCodes } from '../../api/src/vouchers/voucher-code.ts';
import { isValidCardNumber, isVoucherCode, normaliseVoucherCode, scannedKind } from '../../portal/src/routes/(app)/till/till-codes.ts';

// The till tells cards from voucher codes before asking the API, so a voucher's QR read in the card
// field never reaches /scan and a card never counts as an unknown voucher code.

describe('till: what was scanned', () => {
  it('takes the printed card’s code, the app’s code and a valid typed card number for a card', () => {
    const number = newCardNumber();
    expect(scannedKind(signCardCode(randomBytes(32), 'tenant', 'AB', number))).toBe('card');
    expect(scannedKind(`K2.${number}.12345678`)).toBe('card');
    expect(scannedKind(`k2.${number}.12345678`)).toBe('card');
    expect(scannedKind(number)).toBe('card');
    expect(scannedKind(` ${number.slice(0, 4)} ${number.slice(4, 8)}-${number.slice(8, 12)} ${number.slice(12)} `)).toBe('card');
  });

  it('says a misread card code or a wrong card number is no card, without asking /scan', () => {
    const number = newCardNumber();
    const wrong = number.slice(0, 15) + String((Number(number[15]) + 1) % 10);
    expect(scannedKind(wrong)).toBe('bad_card');
    expect(scannedKind(number.slice(0, 12))).toBe('bad_card');
    expect(scannedKind(`K1.AB.${number}.SHORT`)).toBe('bad_card');
    expect(scannedKind(`K2.${number}.123`)).toBe('bad_card');
  });

  it('takes everything else for a voucher code', () => {
    for (const code of [...randomVoucherCodes(50, 10, 'XMAS'), 'GRATISONGKIR', 'gratis-ongkir', 'abcd efgh', '2024']) {
      expect(scannedKind(code), code).toBe('voucher');
    }
  });

  it('checks the Luhn digit as the API does', () => {
    for (let i = 0; i < 200; i++) {
      const number = newCardNumber();
      expect(isValidCardNumber(number)).toBe(true);
      const changed = number.slice(0, 15) + String((Number(number[15]) + 1 + (i % 9)) % 10);
      expect(isValidCardNumber(changed)).toBe(isValidLuhn(changed));
    }
  });

  it('normalises voucher codes as the API stores them, and only looks up what can be one', () => {
    for (const typed of ['abcd-efgh', ' ab cd-ef gh ', 'ABCD--EFGH', 'xmas2024']) {
      expect(normaliseVoucherCode(typed)).toBe(apiNormalise(typed));
    }
    expect(isVoucherCode(normaliseVoucherCode('abcd-efgh'))).toBe(true);
    expect(isVoucherCode('ABC')).toBe(false);
    expect(isVoucherCode('A'.repeat(33))).toBe(false);
    expect(isVoucherCode('K1.AB')).toBe(false);
  });
});
