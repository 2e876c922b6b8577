import { describe, expect, it } from 'vitest';
import { problemText } from '../../api/client/problems.ts';

describe('problemText', () => {
  it('speaks the reader’s language for known codes, with the problem’s figures', () => {
    expect(problemText({ code: 'insufficient_points', detail: 'Only 40 points can be spent', balance: 40 }, 'id')).toBe('Poin tidak cukup: yang bisa dipakai 40 poin.');
    expect(problemText({ code: 'insufficient_points', balance: 40 }, 'en')).toBe('Not enough points: 40 can be spent.');
    expect(problemText({ code: 'invalid_code', triesLeft: 3 }, 'id')).toBe('Kode salah. Sisa 3 percobaan.');
    expect(problemText({ code: 'invalid_code', triesLeft: 0 }, 'en')).toBe('Wrong or expired code.');
  });

  it('falls back to the API’s detail, then title, for codes it does not know', () => {
    expect(problemText({ code: 'validation', detail: 'body.items: Required', title: 'Invalid request' }, 'id')).toBe('body.items: Required');
    expect(problemText({ title: 'Internal' }, 'en')).toBe('Internal');
    expect(problemText(undefined, 'en')).toBeUndefined();
  });
});
