// The dashboard's period presets, as local days on the retailer's calendar ending today.

export const PRESETS = ['days7', 'days30', 'days90', 'month', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

const DAY = 86400e3;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The first and last day of a preset, given today's local date. */
export function rangeOf(preset: Exclude<Preset, 'custom'>, today: string): { from: string; to: string } {
  switch (preset) {
    case 'days7':
      return { from: addDays(today, -6), to: today };
    case 'days30':
      return { from: addDays(today, -29), to: today };
    case 'days90':
      return { from: addDays(today, -89), to: today };
    case 'month':
      return { from: `${today.slice(0, 7)}-01`, to: today };
  }
}

/** The preset a period is, or custom. */
export function presetOf(from: string, to: string, today: string): Preset {
  const named = PRESETS.filter((p) => p !== 'custom').find((p) => {
    const range = rangeOf(p, today);
    return range.from === from && range.to === to;
  });
  return named ?? 'custom';
}
