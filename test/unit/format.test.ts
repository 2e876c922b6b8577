import { describe, expect, it } from 'vitest';
import { formatMoney, formatPoints, parseRupiah } from '../../api/client/format.ts';

describe('formatMoney', () => {
  it('shows rupiah without the minor units, with dots between thousands', () => {
    expect(formatMoney(15_000_000)).toBe('Rp 150.000');
    expect(formatMoney(100)).toBe('Rp 1');
    expect(formatMoney(0)).toBe('Rp 0');
    expect(formatMoney(123_456_789_00)).toBe('Rp 123.456.789');
  });

  it('drops the sen rather than rounding them up', () => {
    expect(formatMoney(15_000_099)).toBe('Rp 150.000');
  });
});

describe('formatPoints', () => {
  it('groups thousands in the language of the screen', () => {
    expect(formatPoints(1234567)).toBe('1.234.567');
    expect(formatPoints(1234567, 'en')).toBe('1,234,567');
  });
});

describe('parseRupiah', () => {
  it.each([
    ['150.000', 15_000_000],
    ['Rp 150.000', 15_000_000],
    ['rp150.000', 15_000_000],
    ['Rp. 150.000', 15_000_000],
    ['150000', 15_000_000],
    ['150 000', 15_000_000],
    ['  150.000  ', 15_000_000],
    ['0', 0],
    ['1', 100],
  ])('reads %j as %d minor units', (text, minor) => {
    expect(parseRupiah(text)).toBe(minor);
  });

  it.each(['12,5', '150.000,00', '', '   ', 'Rp', 'abc', '-5', '1e5', '12a', '99999999999999'])('refuses %j', (text) => {
    expect(parseRupiah(text)).toBeNull();
  });

  it('round-trips with formatMoney for whole rupiah', () => {
    for (const minor of [0, 100, 15_000_000, 999_999_900, 123_456_789_00]) {
      expect(parseRupiah(formatMoney(minor))).toBe(minor);
    }
  });
});
