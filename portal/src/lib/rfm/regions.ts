// Named regions of the R × F grid, as retailers commonly read it (the usual ten-segment RFM map).
// Every one of the 25 cells is in exactly one region. Scores are quintiles (api/src/rfm/rfm.service.ts):
// 5 is the best fifth — the most recent for R, the most frequent for F.

export type RegionId =
  | 'champions' | 'loyal' | 'potential' | 'new' | 'promising'
  | 'attention' | 'sleep' | 'at_risk' | 'cant_lose' | 'hibernating';

export interface Region {
  id: RegionId;
  /** Inclusive score ranges. */
  r: [number, number];
  f: [number, number];
  /** Shades of one hue per region for its name tag; the heat map itself shows counts. */
  color: string;
}

// Ordered from the best customers to the ones slipping away; `loyal` spans two boxes (R 3–4, F 4–5).
export const regions: readonly Region[] = [
  { id: 'champions', r: [5, 5], f: [4, 5], color: '#0b6e4f' },
  { id: 'loyal', r: [3, 4], f: [4, 5], color: '#1d4ed8' },
  { id: 'potential', r: [4, 5], f: [2, 3], color: '#0e7490' },
  { id: 'new', r: [5, 5], f: [1, 1], color: '#4d7c0f' },
  { id: 'promising', r: [4, 4], f: [1, 1], color: '#6d28d9' },
  { id: 'attention', r: [3, 3], f: [3, 3], color: '#a16207' },
  { id: 'sleep', r: [3, 3], f: [1, 2], color: '#9a3412' },
  { id: 'cant_lose', r: [1, 2], f: [5, 5], color: '#b91c1c' },
  { id: 'at_risk', r: [1, 2], f: [3, 4], color: '#be123c' },
  { id: 'hibernating', r: [1, 2], f: [1, 2], color: '#4b5563' },
];

export function regionOf(r: number, f: number): Region {
  const found = regions.find((region) => r >= region.r[0] && r <= region.r[1] && f >= region.f[0] && f <= region.f[1]);
  if (!found) throw new Error(`No RFM region for R ${r}, F ${f}`);
  return found;
}

/** "4–5" or "5". */
export const span = ([from, to]: [number, number]) => (from === to ? String(from) : `${from}–${to}`);

/**
 * The heat map's fill for a share (0–1) of the fullest cell, and the text colour that reads on it.
 * The steps skip the middle shades where neither dark nor white text reaches 4.5:1.
 */
const steps: { fill: string; text: string }[] = [
  { fill: '#f4f6f8', text: '#1b1f24' },
  { fill: '#dcefe7', text: '#1b1f24' },
  { fill: '#b9dfcf', text: '#1b1f24' },
  { fill: '#8fcab3', text: '#1b1f24' },
  { fill: '#1d7a5c', text: '#ffffff' },
  { fill: '#0b5e44', text: '#ffffff' },
];

export function heat(count: number, max: number): { fill: string; text: string; level: number } {
  if (count <= 0 || max <= 0) return { ...steps[0], level: 0 };
  const level = Math.min(5, Math.max(1, Math.ceil((count / max) * 5)));
  return { ...steps[level], level };
}
