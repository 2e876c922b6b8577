import { randomInt } from 'node:crypto';

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let digit = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidLuhn(number: string): boolean {
  return /^\d{2,}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === Number(number.at(-1));
}

/** A 16-digit card number: a fixed leading 7, 14 random digits, a Luhn check digit. */
export function newCardNumber(): string {
  let payload = '7';
  for (let i = 0; i < 14; i++) payload += String(randomInt(10));
  return payload + luhnCheckDigit(payload);
}

/** What a cashier typed from a damaged card, with spaces or hyphens, if it is a valid number. */
export function normaliseTypedCardNumber(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{16}$/.test(digits) && isValidLuhn(digits) ? digits : null;
}
