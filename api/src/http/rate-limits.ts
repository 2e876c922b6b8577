import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { pgPoolOf } from '@kartu/db';
import type { Logger } from 'pino';
import { RateLimitedError } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';

// Every limit: how many attempts per key (`points`) in a fixed window of `duration` seconds.
const LIMITS = {
  loginByIp: { points: 30, duration: 15 * 60 },
  loginByEmail: { points: 10, duration: 15 * 60 },
  // Changing one's own password, per staff member: wrong current passwords (a borrowed session
  // guessing it), and every attempt (each costs two argon2id hashes of the one thread).
  passwordChangeFailures: { points: 5, duration: 15 * 60 },
  passwordChangeAttempts: { points: 20, duration: 60 * 60 },
  otpSendByPhone: { points: 3, duration: 10 * 60 },
  otpSendByIp: { points: 60, duration: 10 * 60 },
  // Codes to join go to numbers that are not members yet: a cap per retailer keeps the SMS bill
  // of a scripted sign-up flood bounded.
  otpSignupByTenant: { points: 300, duration: 60 * 60 },
  otpVerifyByIp: { points: 60, duration: 10 * 60 },
  // Wrong codes for one phone per day: with 3 codes × 5 tries per 10 minutes a patient guesser
  // would otherwise get about 2,000 tries a day.
  otpFailuresByPhone: { points: 15, duration: 24 * 3600 },
  // Scans: every code per IP and per till (the store, or the API key or staff member when no
  // store), and a stricter limit on typed card numbers, which are shorter than signed codes.
  scanByIp: { points: 600, duration: 60 },
  scanByTill: { points: 300, duration: 60 },
  typedScanByIp: { points: 30, duration: 10 * 60 },
  typedScanByTill: { points: 30, duration: 10 * 60 },
  // App codes that did not scan: 8 digits of a known card number can be guessed, so misses are
  // limited per IP and per till like typed numbers (a good app code counts nothing).
  rotatingMissesByIp: { points: 30, duration: 10 * 60 },
  rotatingMissesByTill: { points: 30, duration: 10 * 60 },
  // Voucher codes: only unknown codes count (a busy till looks up many real ones), per IP, per
  // member the code was tried for, and per caller (API key, staff member or member session).
  voucherMissesByIp: { points: 60, duration: 10 * 60 },
  voucherMissesByMember: { points: 30, duration: 10 * 60 },
  voucherMissesByCaller: { points: 120, duration: 10 * 60 },
  // Presence codes a till sends to a member's phone (each an SMS), and wrong ones per member per
  // day, as for sign-in codes.
  presenceSendByMember: { points: 3, duration: 10 * 60 },
  presenceSendByTill: { points: 30, duration: 10 * 60 },
  presenceFailuresByMember: { points: 15, duration: 24 * 3600 },
  // Signing a .pkpass costs about 0.1 s of the one thread; a phone needs it once in a while.
  passesByCaller: { points: 10, duration: 10 * 60 },
  // Ratings, complaints and suggestions a member sends from the app (issue 8).
  feedbackByMember: { points: 10, duration: 60 * 60 },
  // A member's data export reads everything held about them (issue 10): a few an hour is plenty.
  dataExportByMember: { points: 5, duration: 60 * 60 },
} satisfies Record<string, { points: number; duration: number }>;

export interface Limit {
  readonly points: number;
  readonly limiter: RateLimiterAbstract;
}

export type RateLimits = Record<keyof typeof LIMITS, Limit>;

export interface SharedCounters {
  /** The PostgreSQL pool: counters are written outside the request's transaction, so a refused attempt still counts. */
  pool: NonNullable<ReturnType<typeof pgPoolOf>>;
  /** Prefixes every key: tests give each app its own counters on one database. */
  namespace?: string;
  log?: Logger;
  /** Overrides SHARED_COUNTER_TIMEOUT_MS (tests). */
  timeoutMs?: number;
}

/** How long a request waits for the shared counters before this process counts alone. */
export const SHARED_COUNTER_TIMEOUT_MS = 1000;

/**
 * The limits, counted in this process (the embedded PGlite is one process) or, given a pool,
 * shared by every API process on the PostgreSQL (table rate_limits, migration 0026), so N
 * processes behind one port allow the quota once, not N times.
 *
 * When the shared counters fail (PostgreSQL down, or no answer within SHARED_COUNTER_TIMEOUT_MS),
 * every limit deliberately falls back to a counter in this process with the same numbers — what
 * Kartu did before the counters were shared — and a warning is logged at most once a minute.
 * Not fail-open: the guessing guards (sign-in, one-time and presence codes, typed and app codes,
 * voucher misses) would stop guarding exactly when someone may be hammering the database. Not
 * fail-closed: refusing every till scan and sign-in, or answering 500, because a counter table
 * did not answer turns a hiccup into an outage. The cost guards (SMS sends, passes, feedback)
 * and throughput guards (scans) follow the same reasoning: the worst case is the quota per
 * process for the minutes the database is unreachable.
 *
 * A key over its limit is refused from this process's memory until its window ends, so a flood
 * from one IP costs no database writes once it is refused. Expired rows are deleted by the
 * housekeeping job (jobs/scheduler.ts), not by the library's per-limiter timers.
 */
export function createRateLimits(shared?: SharedCounters, { scale = 1 }: { scale?: number } = {}): RateLimits {
  const warn = warnAtMostEveryMinute(shared?.log);
  const entries = Object.entries(LIMITS).map(([name, limit]) => {
    const { duration } = limit;
    const points = limit.points * scale;
    if (!shared) return [name, { points, limiter: new RateLimiterMemory({ points, duration, keyPrefix: name }) }];
    const store = new RateLimiterPostgres({
      storeClient: shared.pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: `${shared.namespace ?? ''}${name}`,
      points,
      duration,
      inMemoryBlockOnConsumed: points + 1,
    });
    const limiter = new RLWrapperTimeouts({
      limiter: store,
      timeoutMs: shared.timeoutMs ?? SHARED_COUNTER_TIMEOUT_MS,
      insuranceLimiter: new LocalFallback({ points, duration, keyPrefix: name }, () => warn(name)),
    });
    return [name, { points, limiter }];
  });
  return Object.fromEntries(entries) as RateLimits;
}

/** The in-process counter a shared limit falls back to; says so in the log. */
class LocalFallback extends RateLimiterMemory {
  constructor(options: ConstructorParameters<typeof RateLimiterMemory>[0], private readonly onUse: () => void) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    this.onUse();
    return super.consume(key, points, options);
  }

  override get(key: string | number, options?: Record<string, unknown>) {
    this.onUse();
    return super.get(key, options);
  }
}

function warnAtMostEveryMinute(log: Logger | undefined) {
  let last = 0;
  return (limit: string) => {
    if (!log || Date.now() - last < 60_000) return;
    last = Date.now();
    log.warn({ limit }, 'rate limits: the shared counters in PostgreSQL did not answer; counting in this process meanwhile');
  };
}

/** Refuses while the key is over its limit, without counting this attempt (count failures with consume). */
export async function assertUnder(limit: Limit, key: string): Promise<void> {
  const state = await limit.limiter.get(key);
  if (state && state.consumedPoints >= limit.points) throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
}

export async function consume(limit: Limit, key: string, points = 1): Promise<void> {
  try {
    await limit.limiter.consume(key, points);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
    throw error;
  }
}

/**
 * Whose scan budget a request spends: the store a key or staff member is bound to, else the caller
 * itself. A storeId in the body is not trusted for this, since it is checked only later.
 */
export function tillOf(principal: Principal): string {
  const bound = principal.kind === 'member' ? null : principal.storeId;
  return `${principal.tenantId}:${bound ? `store:${bound}` : `${principal.kind}:${principal.id}`}`;
}
