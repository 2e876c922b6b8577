import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../../api/src/members/phone.ts';

describe('normalisePhone', () => {
  it.each([
    '0812-3456-7890',
    '081234567890',
    '0812 3456 7890',
    '+62 812 3456 7890',
    '+62-812-3456-7890',
    '+6281234567890',
    '6281234567890',
    '62 812 3456 7890',
    '00 62 812 3456 7890',
    '006281234567890',
    '  0812 3456 7890  ',
    '(0812) 3456-7890',
  ])('reads %j as +6281234567890', (input) => {
    expect(normalisePhone(input)).toBe('+6281234567890');
  });

  it('reads Indonesian landlines and numbers of other countries in E.164', () => {
    expect(normalisePhone('021 5555 1234')).toBe('+622155551234');
    expect(normalisePhone('+65 8123 4567')).toBe('+6581234567');
  });

  it('reads the shortest numbers there are (7 digits with the country code), and no name or short code', () => {
    expect(normalisePhone('+683 4002')).toBe('+6834002');
    expect(normalisePhone('Siti Rahayu')).toBeNull();
    expect(normalisePhone('112')).toBeNull();
    expect(normalisePhone('0812 345')).toBeNull();
    expect(normalisePhone('０８１２３４５６７８９０')).toBe('+6281234567890');
  });

  it.each([
    ['too short', '0812'],
    ['too short for a mobile', '0812345'],
    ['too long', '08123456789012345'],
    ['letters', 'abc'],
    ['letters inside', '0812abcd7890'],
    ['zeros', '0000'],
    ['many zeros', '000000000000'],
    ['empty', ''],
    ['blank', '   '],
    ['a plus alone', '+'],
  ])('refuses %s (%j)', (_why, input) => {
    expect(normalisePhone(input)).toBeNull();
  });
});
