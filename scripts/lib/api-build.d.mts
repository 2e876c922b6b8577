export const apiBundle: string;
export function newest(path: string): number;
export function buildApi(): Promise<string>;
export function ensureApiBuilt(): Promise<string>;
