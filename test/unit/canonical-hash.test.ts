import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHash } from '../../api/src/shared/crypto.ts';

describe('canonicalHash', () => {
  it('is a SHA-256 hex digest', () => {
    expect(canonicalHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the order of keys', () => {
    expect(canonicalHash({ a: 1, b: 'x' })).toBe(canonicalHash({ b: 'x', a: 1 }));
  });

  it('ignores the order of keys in nested objects, also inside arrays', () => {
    const one = { body: { items: [{ sku: 'A', quantity: 1 }], shipping: { fee: 1000, region: 'JKT' } }, params: { id: 'x' } };
    const two = { params: { id: 'x' }, body: { shipping: { region: 'JKT', fee: 1000 }, items: [{ quantity: 1, sku: 'A' }] } };
    expect(canonicalHash(one)).toBe(canonicalHash(two));
  });

  it('treats an absent field and an undefined one alike, as JSON does', () => {
    expect(canonicalHash({ a: 1, b: undefined })).toBe(canonicalHash({ a: 1 }));
  });

  it('differs when a value differs, also deep down', () => {
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: '1' }));
    expect(canonicalHash({ a: null })).not.toBe(canonicalHash({ a: 0 }));
    expect(canonicalHash({ a: { b: { c: true } } })).not.toBe(canonicalHash({ a: { b: { c: false } } }));
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ b: 1 }));
  });

  it('keeps the order of arrays', () => {
    expect(canonicalHash([1, 2])).not.toBe(canonicalHash([2, 1]));
    expect(canonicalHash({ items: [{ sku: 'A' }, { sku: 'B' }] })).not.toBe(canonicalHash({ items: [{ sku: 'B' }, { sku: 'A' }] }));
  });

  it('does not confuse structures that print alike', () => {
    expect(canonicalHash({ a: [1, 2] })).not.toBe(canonicalHash({ a: '1,2' }));
    expect(canonicalHash({ 'a,b': 1 })).not.toBe(canonicalHash({ a: 1, b: 1 }));
    expect(canonicalHash([[1], [2]])).not.toBe(canonicalHash([[1, 2]]));
  });

  it('gives the same hash for any key order of the same JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffled = JSON.parse(JSON.stringify(value, (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v));
        expect(canonicalHash(shuffled)).toBe(canonicalHash(value));
      }),
    );
  });

  it('gives different hashes for different JSON values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(canonicalJsonOf(a) !== canonicalJsonOf(b));
        expect(canonicalHash(a)).not.toBe(canonicalHash(b));
      }),
    );
  });
});

// An independent canonical form for the property above: sorted keys, via JSON.stringify.
function canonicalJsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v);
}
