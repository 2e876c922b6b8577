import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createScanToken, readScanToken, SCAN_TOKEN_SECONDS } from '../../api/src/scan/scan-token.ts';

const NOW = Date.UTC(2025, 5, 1, 3, 0, 0); // a whole second
const MINUTE = 60_000;

/** True when the token lets a till spend: genuine, fresh, for this member and store, from a scanned QR. */
const verifyScanToken = (...args: Parameters<typeof readScanToken>) => readScanToken(...args) === 'scanned';

function fixture(storeId: string | null = randomUUID()) {
  const key = randomBytes(32);
  const expected = { tenantId: randomUUID(), memberId: randomUUID(), storeId };
  const token = createScanToken(key, expected.tenantId, expected.memberId, expected.storeId, 'scanned', NOW);
  return { key, expected, token };
}

describe('scan token', () => {
  it('lasts five minutes', () => {
    expect(SCAN_TOKEN_SECONDS).toBe(300);
  });

  it('verifies for the same tenant, member and store right away and until just before five minutes', () => {
    const { key, expected, token } = fixture();
    expect(verifyScanToken(key, token, expected, NOW)).toBe(true);
    expect(verifyScanToken(key, token, expected, NOW + 4 * MINUTE)).toBe(true);
    expect(verifyScanToken(key, token, expected, NOW + 5 * MINUTE - 1)).toBe(true);
  });

  it('verifies with the real clock when no time is passed', () => {
    const key = randomBytes(32);
    const token = createScanToken(key, 't', 'm', 's', 'scanned');
    expect(verifyScanToken(key, token, { tenantId: 't', memberId: 'm', storeId: 's' })).toBe(true);
  });

  it('has expired after five minutes', () => {
    const { key, expected, token } = fixture();
    expect(verifyScanToken(key, token, expected, NOW + 5 * MINUTE)).toBe(false);
    expect(verifyScanToken(key, token, expected, NOW + 60 * MINUTE)).toBe(false);
  });

  it('fails for another member, store or tenant', () => {
    const { key, expected, token } = fixture();
    expect(verifyScanToken(key, token, { ...expected, memberId: randomUUID() }, NOW)).toBe(false);
    expect(verifyScanToken(key, token, { ...expected, storeId: randomUUID() }, NOW)).toBe(false);
    expect(verifyScanToken(key, token, { ...expected, storeId: null }, NOW)).toBe(false);
    expect(verifyScanToken(key, token, { ...expected, tenantId: randomUUID() }, NOW)).toBe(false);
  });

  it('a token from a scan without a store is good only without a store', () => {
    const { key, expected, token } = fixture(null);
    expect(verifyScanToken(key, token, expected, NOW)).toBe(true);
    expect(verifyScanToken(key, token, { ...expected, storeId: randomUUID() }, NOW)).toBe(false);
  });

  it('fails under another server key', () => {
    const { expected, token } = fixture();
    expect(verifyScanToken(randomBytes(32), token, expected, NOW)).toBe(false);
  });

  it('fails when tampered with', () => {
    const { key, expected, token } = fixture();
    const [memberId, storeId, expires, mark, mac] = token.split('.');
    const later = String(Number(expires) + 3600);
    const flippedMac = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    const other = randomUUID();
    const tampered = [
      [other, storeId, expires, mark, mac].join('.'), // another member, same MAC
      [memberId, other, expires, mark, mac].join('.'), // another store, same MAC
      [memberId, storeId, later, mark, mac].join('.'), // extended expiry, same MAC
      [memberId, storeId, expires, mark, flippedMac].join('.'),
      [memberId, storeId, expires, mac].join('.'), // the older four-part form
      [memberId, storeId, expires, mark].join('.'),
      `${token}.extra`,
      '',
      'garbage',
    ];
    for (const t of tampered) {
      expect(verifyScanToken(key, t, expected, NOW), t).toBe(false);
    }
    // Tampering with the expiry does not revive a stale token either.
    expect(verifyScanToken(key, [memberId, storeId, later, mark, mac].join('.'), expected, NOW + 10 * MINUTE)).toBe(false);
    // The member and store the token names are not enough: it must be the expected ones.
    expect(verifyScanToken(key, [other, storeId, expires, mark, mac].join('.'), { ...expected, memberId: other }, NOW)).toBe(false);
  });

  it('says how the member was identified; a typed number’s token cannot be turned into a scanned one', () => {
    const key = randomBytes(32);
    const expected = { tenantId: randomUUID(), memberId: randomUUID(), storeId: randomUUID() };
    const typed = createScanToken(key, expected.tenantId, expected.memberId, expected.storeId, 'typed', NOW);
    expect(readScanToken(key, typed, expected, NOW)).toBe('typed');
    expect(readScanToken(key, createScanToken(key, expected.tenantId, expected.memberId, expected.storeId, 'scanned', NOW), expected, NOW)).toBe('scanned');
    const [memberId, storeId, expires, mark, mac] = typed.split('.');
    expect(mark).toBe('t');
    for (const forged of ['s', 'x', '']) expect(readScanToken(key, [memberId, storeId, expires, forged, mac].join('.'), expected, NOW), forged).toBeNull();
  });
});
