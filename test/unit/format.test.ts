import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney, formatPhone, formatPoints, parseRupiah } from '../../api/client/format.ts';
import { formatDate, formatMonth } from '../../portal/src/lib/time.ts';

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

describe('formatPhone', () => {
  it.each([
    ['+6281234567890', '0812-3456-7890'],
    ['+628123456789', '0812-3456-789'],
    ['+62812345678', '0812-345-678'],
    ['+62812345678901', '0812-3456-78901'],
    ['+62215551234', '021-5551234'],
    ['+622745551234', '0274-5551234'],
  ])('writes %s the Indonesian way, %s', (e164, shown) => {
    expect(formatPhone(e164)).toBe(shown);
  });

  it.each(['+6591234567', 'dewi@contoh.id', '', '+62812'])('leaves %j as it is', (text) => {
    expect(formatPhone(text)).toBe(text);
  });
});

describe('dates', () => {
  const lastEvening = '2026-12-31T16:30:00Z';

  it('fall on the tenant’s calendar and are written in the reader’s language', () => {
    expect(formatDate(lastEvening, 'Asia/Jakarta', 'id')).toBe('31 Des 2026');
    expect(formatDate(lastEvening, 'Asia/Jayapura', 'id')).toBe('1 Jan 2027');
    expect(formatDate(lastEvening, 'Asia/Jakarta', 'en')).toBe('31 Dec 2026');
    expect(formatDateTime(lastEvening, 'Asia/Jakarta', 'id')).toBe('31 Des 2026, 23.30');
    expect(formatDateTime(lastEvening, 'Asia/Jakarta', 'en')).toBe('31 Dec 2026, 23:30');
  });

  it('write a report’s months without a time zone shift', () => {
    expect(formatMonth('2026-05', 'id')).toBe('Mei 2026');
    expect(formatMonth('2026-05', 'en')).toBe('May 2026');
  });
});
