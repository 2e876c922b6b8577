import { describe, expect, it } from 'vitest';
import { prefixEnd } from '../../api/src/members/members.repository.ts';

describe('prefixEnd (the name search’s range)', () => {
  it('is the first text after every text with the prefix, in code point order', () => {
    expect(prefixEnd('siti nu')).toBe('siti nv');
    expect(prefixEnd('a\u{d7ff}')).toBe('a\u{e000}');
    expect(prefixEnd('é')).toBe('ê');
    expect(prefixEnd('a\u{10ffff}')).toBe('b');
    expect(prefixEnd('\u{10ffff}')).toBeUndefined();
  });
});
