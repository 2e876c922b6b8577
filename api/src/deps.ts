import type { DB } from '@kartu/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { RateLimits } from './http/rate-limits.ts';

export type Db = Kysely<DB>;

/** What the app is built from; tests build their own. */
export interface AppDeps {
  db: Db;
  config: Config;
  log: Logger;
  limits: RateLimits;
  /** Lets local command-line tools ask a running server (see server/pid-file.ts). */
  adminToken?: string;
}
