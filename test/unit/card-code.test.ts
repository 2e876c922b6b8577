import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newKid, parseCardCode, signCardCode, verifyCardCode } from '../../api/src/cards/card-code.ts';
import { newCardNumber } from '../../api/src/cards/luhn.ts';

// The characters a QR code's alphanumeric mode can hold.
const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]+$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function fixture() {
  const key = randomBytes(32);
  const tenantId = randomUUID();
  const kid = newKid(randomBytes(2));
  const number = newCardNumber();
  return { key, tenantId, kid, number, code: signCardCode(key, tenantId, kid, number) };
}

describe('card code', () => {
  it('has the form K1.<kid>.<number>.<16-character MAC>', () => {
    const { code, kid, number } = fixture();
    expect(code).toMatch(new RegExp(`^K1\\.${kid}\\.${number}\\.[${CROCKFORD}]{16}$`));
  });

  it('parses and verifies what it signed', () => {
    const { key, tenantId, kid, number, code } = fixture();
    const parsed = parseCardCode(code);
    expect(parsed).toEqual({ kid, number, mac: code.split('.')[3] });
    expect(verifyCardCode(key, tenantId, parsed!)).toBe(true);
  });

  it('is deterministic for the same key, tenant, kid and number', () => {
    const { key, tenantId, kid, number, code } = fixture();
    expect(signCardCode(key, tenantId, kid, number)).toBe(code);
  });

  it('fails when any one character of the MAC is changed (property)', () => {
    const { key, tenantId, code } = fixture();
    const parsed = parseCardCode(code)!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 31 }), (position, shift) => {
        const replacement = CROCKFORD[(CROCKFORD.indexOf(parsed.mac[position]) + shift) % 32];
        const mac = parsed.mac.slice(0, position) + replacement + parsed.mac.slice(position + 1);
        const flipped = parseCardCode(`K1.${parsed.kid}.${parsed.number}.${mac}`);
        expect(flipped).not.toBeNull();
        expect(verifyCardCode(key, tenantId, flipped!)).toBe(false);
      }),
    );
  });

  it('does not verify for another tenant', () => {
    const { key, code } = fixture();
    expect(verifyCardCode(key, randomUUID(), parseCardCode(code)!)).toBe(false);
  });

  it('does not verify with the MAC moved onto another card number', () => {
    const { key, tenantId, code } = fixture();
    const parsed = parseCardCode(code)!;
    expect(verifyCardCode(key, tenantId, { ...parsed, number: newCardNumber() })).toBe(false);
  });

  it('does not verify with the MAC moved onto another key id', () => {
    const { key, tenantId, code } = fixture();
    const parsed = parseCardCode(code)!;
    const otherKid = parsed.kid === 'AA' ? 'AB' : 'AA';
    expect(verifyCardCode(key, tenantId, { ...parsed, kid: otherKid })).toBe(false);
  });

  it('does not verify under another key', () => {
    const { tenantId, code } = fixture();
    expect(verifyCardCode(randomBytes(32), tenantId, parseCardCode(code)!)).toBe(false);
  });

  it('still parses and verifies when read in lower case or with surrounding whitespace', () => {
    const { key, tenantId, code } = fixture();
    for (const read of [code.toLowerCase(), ` ${code}\n`, `\t${code.toLowerCase()} `]) {
      const parsed = parseCardCode(read);
      expect(parsed, JSON.stringify(read)).toEqual(parseCardCode(code));
      expect(verifyCardCode(key, tenantId, parsed!)).toBe(true);
    }
  });

  it('refuses text that is not a card code', () => {
    const { code } = fixture();
    for (const text of ['', 'hello', code.replace(/^K1/, 'K2'), code.slice(0, -1), `${code}X`, code.replaceAll('.', '-'), '4111111111111111']) {
      expect(parseCardCode(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('uses only QR alphanumeric-mode characters (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uuid(), fc.uint8Array({ minLength: 2, maxLength: 2 }), (key, tenantId, kidBytes) => {
        const kid = newKid(Buffer.from(kidBytes));
        expect(kid).toMatch(new RegExp(`^[${CROCKFORD}]{2}$`));
        const code = signCardCode(Buffer.from(key), tenantId, kid, newCardNumber());
        expect(code).toMatch(QR_ALPHANUMERIC);
        expect(parseCardCode(code)).not.toBeNull();
      }),
    );
  });
});
