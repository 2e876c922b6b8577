import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';

// Per-process limits (rate-limiter-flexible). Several API processes each keep their own
// counters; a shared store is a later step (issue 11).
export function createRateLimits() {
  return {
    loginByIp: new RateLimiterMemory({ points: 30, duration: 15 * 60 }),
    loginByEmail: new RateLimiterMemory({ points: 10, duration: 15 * 60 }),
    // Changing one's own password, per staff member: wrong current passwords (a borrowed session
    // guessing it), and every attempt (each costs two argon2id hashes of the one thread).
    passwordChangeFailures: new RateLimiterMemory({ points: 5, duration: 15 * 60 }),
    passwordChangeAttempts: new RateLimiterMemory({ points: 20, duration: 60 * 60 }),
    otpSendByPhone: new RateLimiterMemory({ points: 3, duration: 10 * 60 }),
    otpSendByIp: new RateLimiterMemory({ points: 60, duration: 10 * 60 }),
    // Codes to join go to numbers that are not members yet: a cap per retailer keeps the SMS bill
    // of a scripted sign-up flood bounded.
    otpSignupByTenant: new RateLimiterMemory({ points: 300, duration: 60 * 60 }),
    otpVerifyByIp: new RateLimiterMemory({ points: 60, duration: 10 * 60 }),
    // Wrong codes for one phone per day: with 3 codes × 5 tries per 10 minutes a patient guesser
    // would otherwise get about 2,000 tries a day.
    otpFailuresByPhone: new RateLimiterMemory({ points: 15, duration: 24 * 3600 }),
    // Scans: every code per IP and per till (the store, or the API key or staff member when no
    // store), and a stricter limit on typed card numbers, which are shorter than signed codes.
    scanByIp: new RateLimiterMemory({ points: 600, duration: 60 }),
    scanByTill: new RateLimiterMemory({ points: 300, duration: 60 }),
    typedScanByIp: new RateLimiterMemory({ points: 30, duration: 10 * 60 }),
    typedScanByTill: new RateLimiterMemory({ points: 30, duration: 10 * 60 }),
    // App codes that did not scan: 8 digits of a known card number can be guessed, so misses are
    // limited per IP and per till like typed numbers (a good app code counts nothing).
    rotatingMissesByIp: new RateLimiterMemory({ points: 30, duration: 10 * 60 }),
    rotatingMissesByTill: new RateLimiterMemory({ points: 30, duration: 10 * 60 }),
    // Voucher codes: only unknown codes count (a busy till looks up many real ones), per IP, per
    // member the code was tried for, and per caller (API key, staff member or member session).
    voucherMissesByIp: new RateLimiterMemory({ points: 60, duration: 10 * 60 }),
    voucherMissesByMember: new RateLimiterMemory({ points: 30, duration: 10 * 60 }),
    voucherMissesByCaller: new RateLimiterMemory({ points: 120, duration: 10 * 60 }),
    // Presence codes a till sends to a member's phone (each an SMS), and wrong ones per member per
    // day, as for sign-in codes.
    presenceSendByMember: new RateLimiterMemory({ points: 3, duration: 10 * 60 }),
    presenceSendByTill: new RateLimiterMemory({ points: 30, duration: 10 * 60 }),
    presenceFailuresByMember: new RateLimiterMemory({ points: 15, duration: 24 * 3600 }),
    // Signing a .pkpass costs about 0.1 s of the one thread; a phone needs it once in a while.
    passesByCaller: new RateLimiterMemory({ points: 10, duration: 10 * 60 }),
    // Ratings, complaints and suggestions a member sends from the app (issue 8).
    feedbackByMember: new RateLimiterMemory({ points: 10, duration: 60 * 60 }),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/** Refuses while the key is over its limit, without counting this attempt (count failures with consume). */
export async function assertUnder(limiter: RateLimiterMemory, key: string): Promise<void> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points) throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
}

export async function consume(limiter: RateLimiterMemory, key: string, points = 1): Promise<void> {
  try {
    await limiter.consume(key, points);
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
