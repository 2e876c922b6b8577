import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidLuhn, luhnCheckDigit, newCardNumber, normaliseTypedCardNumber } from '../../api/src/cards/luhn.ts';

describe('Luhn check digit', () => {
  it('computes the check digit of known numbers', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('411111111111111')).toBe(1);
    expect(luhnCheckDigit('0')).toBe(0);
  });

  it('accepts known valid numbers', () => {
    for (const number of ['79927398713', '4111111111111111', '5555555555554444', '378282246310005', '00']) {
      expect(isValidLuhn(number), number).toBe(true);
    }
  });

  it('rejects known invalid numbers', () => {
    for (const number of ['79927398710', '79927398714', '4111111111111112', '5555555555554445', '1234567812345678']) {
      expect(isValidLuhn(number), number).toBe(false);
    }
  });

  it('rejects text that is not all digits or is too short', () => {
    for (const text of ['', '0', '4111 1111 1111 1111', '4111-1111-1111-1111', '41111111111111a1', ' 79927398713']) {
      expect(isValidLuhn(text), JSON.stringify(text)).toBe(false);
    }
  });

  it('catches every single-digit typo (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (position, shift) => {
        const number = newCardNumber();
        const typo = number.slice(0, position) + String((Number(number[position]) + shift) % 10) + number.slice(position + 1);
        expect(isValidLuhn(typo)).toBe(false);
      }),
    );
  });

  it('catches swapped adjacent digits except 0↔9 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), (position) => {
        const number = newCardNumber();
        const [a, b] = [number[position], number[position + 1]];
        fc.pre(a !== b && !(a === '0' && b === '9') && !(a === '9' && b === '0'));
        const swapped = number.slice(0, position) + b + a + number.slice(position + 2);
        expect(isValidLuhn(swapped)).toBe(false);
      }),
    );
  });
});

describe('newCardNumber', () => {
  it('is always 16 digits, starts with 7 and passes the Luhn check (property)', () => {
    fc.assert(
      fc.property(fc.constant(null), () => {
        const number = newCardNumber();
        expect(number).toMatch(/^7\d{15}$/);
        expect(isValidLuhn(number)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('does not repeat itself', () => {
    const numbers = new Set(Array.from({ length: 1000 }, newCardNumber));
    expect(numbers.size).toBe(1000);
  });
});

describe('normaliseTypedCardNumber', () => {
  it('reads a number typed with spaces or hyphens', () => {
    expect(normaliseTypedCardNumber('4111 1111 1111 1111')).toBe('4111111111111111');
    expect(normaliseTypedCardNumber('4111-1111-1111-1111')).toBe('4111111111111111');
    expect(normaliseTypedCardNumber(' 4111 - 1111 - 1111 - 1111 ')).toBe('4111111111111111');
    expect(normaliseTypedCardNumber('4111111111111111')).toBe('4111111111111111');
  });

  it('reads every new card number however it is grouped (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(' ', '-', '  ', ' - '), (separator) => {
        const number = newCardNumber();
        const typed = number.match(/.{4}/g)!.join(separator);
        expect(normaliseTypedCardNumber(typed)).toBe(number);
      }),
    );
  });

  it('refuses a wrong check digit, a wrong length, or other characters', () => {
    expect(normaliseTypedCardNumber('4111 1111 1111 1112')).toBeNull();
    expect(normaliseTypedCardNumber('79927398713')).toBeNull(); // valid Luhn, but not 16 digits
    expect(normaliseTypedCardNumber('4111 1111 1111 1111 1')).toBeNull();
    expect(normaliseTypedCardNumber('4111.1111.1111.1111')).toBeNull();
    expect(normaliseTypedCardNumber('4111 1111 1111 111O')).toBeNull();
    expect(normaliseTypedCardNumber('')).toBeNull();
  });
});
