import { describe, expect, it } from 'vitest';
import { contrastRatio, formatRatio, isHexColor, readableOn } from '../../api/client/brand-colors.ts';
import { brandProperties } from '../../member-app/src/lib/brand.ts';

describe('brand colours', () => {
  it('computes WCAG 2 contrast ratios, in either order', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // Reference values (WebAIM's contrast checker): #767676 is the lightest grey at 4.5:1 on white.
    expect(formatRatio(contrastRatio('#767676', '#ffffff'))).toBe('4.54:1');
    expect(formatRatio(contrastRatio('#ffffff', '#777777'))).toBe('4.47:1');
    expect(formatRatio(contrastRatio('#ffff00', '#ffffff'))).toBe('1.07:1');
    expect(formatRatio(contrastRatio('#0f766e', '#FFFFFF'))).toBe('5.47:1');
  });

  it('never rounds a ratio up past a threshold', () => {
    expect(formatRatio(2.999)).toBe('2.99:1');
    expect(formatRatio(3)).toBe('3.00:1');
  });

  it('accepts #rrggbb in either case only', () => {
    expect(['#0f766e', '#0F766E'].every(isHexColor)).toBe(true);
    expect(['0f766e', '#0f766', '#0f766e0', '#0g766e', 'teal', ''].some(isHexColor)).toBe(false);
  });

  it('darkens a pale colour just enough to read on white, and keeps a dark one', () => {
    const ink = readableOn('#facc15', '#ffffff');
    expect(contrastRatio(ink, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(ink, '#ffffff')).toBeLessThan(6);
    expect(readableOn('#1e3a8a', '#ffffff')).toBe('#1e3a8a');
  });
});

describe('the member app’s accent from the brand', () => {
  it('uses the retailer’s text colour on buttons when it reads at 4.5:1, else black or white', () => {
    expect(brandProperties({ primaryColor: '#1e3a8a', textColor: '#fde68a' })).toEqual({
      '--brand': '#1e3a8a', '--brand-on': '#fde68a', '--brand-ink': '#1e3a8a',
    });
    // 3.3:1 is enough for the card's large names, not for a button's label.
    const yellow = brandProperties({ primaryColor: '#facc15', textColor: '#b45309' });
    expect(yellow['--brand-on']).toBe('#000000');
    expect(contrastRatio(yellow['--brand-ink'], '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(brandProperties({ primaryColor: '#7c3aed', textColor: '#c4b5fd' })['--brand-on']).toBe('#ffffff');
  });
});
