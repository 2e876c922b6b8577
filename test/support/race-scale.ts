// The race suite's contenders scaled by KARTU_RACE_SCALE (default 1): `npm run chaos` runs it at 4.

/** A KARTU_RACE_SCALE value as a whole multiplier from 1 to 50 (unset or empty: 1); anything else throws. */
export function parseRaceScale(value: string | undefined): number {
  const scale = value === undefined || value.trim() === '' ? 1 : Number(value);
  if (!Number.isInteger(scale) || scale < 1 || scale > 50) {
    throw new Error(`KARTU_RACE_SCALE must be a whole number from 1 to 50, got ${JSON.stringify(value)}`);
  }
  return scale;
}

export const raceScale = (): number => parseRaceScale(process.env.KARTU_RACE_SCALE);

/** `n` concurrent contenders at scale 1, n × KARTU_RACE_SCALE when scaled. */
export function concurrent(n: number): number {
  return n * raceScale();
}

/**
 * The race apps' config when scaled: contenders queue for the 20-connection pool, and past the
 * 30 s request timeout they get 503s instead of the answers under test; the timeout grows with them.
 */
export function raceAppEnv(): Record<string, string> {
  const scale = raceScale();
  return scale === 1 ? {} : { KARTU_REQUEST_TIMEOUT: String(Math.min(600, 30 * scale)) };
}
