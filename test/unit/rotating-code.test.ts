import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterAt, rotatingCode, rotatingQrText, secondsLeft, secretFromBase64url } from '../../api/client/rotating-code.ts';
import { matchingCounter, parseRotatingCode } from '../../api/src/cards/rotating-codes.ts';

// An independent HOTP (RFC 4226) with HMAC-SHA256 from node:crypto: 8-byte big-endian counter,
// dynamic truncation to 31 bits, 8 decimal digits.
function referenceHotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha256', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 100_000_000).padStart(8, '0');
}

const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]+$/;

describe('rotatingCode', () => {
  it('matches the RFC 6238 SHA-256 test vectors (8 digits, the RFC’s 32-byte seed)', () => {
    // RFC 6238 appendix B, SHA256 column, seed "12345678901234567890123456789012", period 30.
    const seed = new TextEncoder().encode('12345678901234567890123456789012');
    const vectors: [number, string][] = [
      [59, '46119246'],
      [1111111109, '68084774'],
      [1111111111, '67062674'],
      [1234567890, '91819424'],
      [2000000000, '90698825'],
      [20000000000, '77737706'],
    ];
    for (const [seconds, code] of vectors) expect(rotatingCode(seed, counterAt(seconds * 1000)), String(seconds)).toBe(code);
  });

  it('agrees with node:crypto HMAC-SHA256 and RFC 4226 truncation for random secrets and counters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 2 ** 40 }), (secret, counter) => {
        expect(rotatingCode(secret, counter)).toBe(referenceHotp(Buffer.from(secret), counter));
      }),
      { numRuns: 300 },
    );
  });

  it('pads to 8 digits and refuses a negative or fractional counter', () => {
    const secret = randomBytes(32);
    for (let counter = 0; counter < 2000; counter++) expect(rotatingCode(secret, counter)).toMatch(/^\d{8}$/);
    expect(() => rotatingCode(secret, -1)).toThrow(RangeError);
    expect(() => rotatingCode(secret, 1.5)).toThrow(RangeError);
  });

  it('steps every 30 seconds and counts the seconds left', () => {
    expect(counterAt(0)).toBe(0);
    expect(counterAt(29_999)).toBe(0);
    expect(counterAt(30_000)).toBe(1);
    expect(counterAt(59_000, 60)).toBe(0);
    expect(secondsLeft(30_000)).toBe(30);
    expect(secondsLeft(59_999)).toBe(1);
  });

  it('makes a QR text of alphanumeric-mode characters that the server parses back', () => {
    const text = rotatingQrText('7123456789012347', '01234567');
    expect(text).toBe('K2.7123456789012347.01234567');
    expect(text).toMatch(QR_ALPHANUMERIC);
    expect(parseRotatingCode(text)).toEqual({ number: '7123456789012347', code: '01234567' });
    expect(parseRotatingCode(` ${text.toLowerCase()}\r\n`)).toEqual({ number: '7123456789012347', code: '01234567' });
    for (const bad of ['K2.712345678901234.01234567', 'K2.7123456789012347.0123456', 'K2.7123456789012347.0123456A', 'K3.7123456789012347.01234567']) {
      expect(parseRotatingCode(bad), bad).toBeNull();
    }
  });

  it('decodes the base64url secret without Buffer', () => {
    const secret = randomBytes(32);
    expect(Buffer.from(secretFromBase64url(secret.toString('base64url')))).toEqual(secret);
  });
});

describe('matchingCounter', () => {
  it('accepts one step of drift each way and nothing further', () => {
    const secret = randomBytes(32);
    const now = 1_800_000_015_000; // the middle of a step
    const step = counterAt(now);
    for (const delta of [-1, 0, 1]) expect(matchingCounter(secret, rotatingCode(secret, step + delta), now), String(delta)).toBe(step + delta);
    for (const delta of [-3, -2, 2, 3]) {
      const code = rotatingCode(secret, step + delta);
      // A collision with a neighbouring step's code is possible in principle; skip it.
      if ([-1, 0, 1].some((d) => rotatingCode(secret, step + d) === code)) continue;
      expect(matchingCounter(secret, code, now), String(delta)).toBeNull();
    }
    expect(matchingCounter(randomBytes(32), rotatingCode(secret, step), now)).toBeNull();
    expect(matchingCounter(secret, '', now)).toBeNull();
  });
});
