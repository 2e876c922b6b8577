import { describe, expect, it } from 'vitest';
import { parseRaceScale, raceAppEnv } from '../support/race-scale.ts';

describe('KARTU_RACE_SCALE', () => {
  it('is 1 when unset or empty, else the whole number given', () => {
    expect(parseRaceScale(undefined)).toBe(1);
    expect(parseRaceScale('')).toBe(1);
    expect(parseRaceScale('4')).toBe(4);
    expect(parseRaceScale('50')).toBe(50);
  });

  it('refuses what is not a whole number from 1 to 50, naming the variable', () => {
    for (const value of ['0', '-2', '51', '2.5', 'four', 'Infinity']) {
      expect(() => parseRaceScale(value), value).toThrow(/KARTU_RACE_SCALE must be a whole number from 1 to 50/);
    }
  });

  it('leaves the race apps as they are at scale 1 and lengthens their request timeout when scaled', () => {
    const before = process.env.KARTU_RACE_SCALE;
    try {
      delete process.env.KARTU_RACE_SCALE;
      expect(raceAppEnv()).toEqual({});
      process.env.KARTU_RACE_SCALE = '4';
      expect(raceAppEnv()).toEqual({ KARTU_REQUEST_TIMEOUT: '120' });
      process.env.KARTU_RACE_SCALE = '50';
      expect(raceAppEnv()).toEqual({ KARTU_REQUEST_TIMEOUT: '600' });
    } finally {
      if (before === undefined) delete process.env.KARTU_RACE_SCALE;
      else process.env.KARTU_RACE_SCALE = before;
    }
  });
});
