import createClient, { type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.ts';

export type { paths, components } from './schema.ts';
export * from './format.ts';

/** The typed Kartu API client, generated from /api/openapi.json (see scripts/generate-client.ts). */
export function createKartuClient(options: ClientOptions = {}) {
  return createClient<paths>({ credentials: 'same-origin', ...options });
}

export type KartuClient = ReturnType<typeof createKartuClient>;
export * from './i18n.ts';
export * from './problems.ts';
export * from './rotating-code.ts';
export * from './brand-colors.ts';
export * from './promotion-summary.ts';
