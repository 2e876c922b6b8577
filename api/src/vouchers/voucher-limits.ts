import { assertUnder, consume, type RateLimits } from '../http/rate-limits.ts';
import { callerOf, type Principal } from '../shared/principal.ts';

/** Who is trying codes: the client's IP, the caller, and the member the code is tried for (if any). */
export interface VoucherGuesser {
  ip: string;
  principal: Principal;
  memberId?: string | null;
}

/**
 * The guessing limits on voucher codes (see rate-limits.ts): unknown codes count against the IP,
 * the caller and the member; known codes count nothing, so a busy till is never slowed. Call it
 * after the codes are resolved and before anything is answered or changed — also with
 * `unknownCount` 0, which refuses (429) a guesser already over a limit so that a lucky guess
 * cannot be told from a miss. For /checkout/evaluate and sales: the number of `voucherCodes`
 * that matched no voucher.
 */
export async function checkVoucherGuessLimits(limits: RateLimits, who: VoucherGuesser, unknownCount: number): Promise<void> {
  const keys: [typeof limits.voucherMissesByIp, string][] = [
    [limits.voucherMissesByIp, who.ip],
    [limits.voucherMissesByCaller, `${who.principal.tenantId}:${callerOf(who.principal)}`],
  ];
  if (who.memberId) keys.push([limits.voucherMissesByMember, `${who.principal.tenantId}:${who.memberId}`]);
  for (const [limiter, key] of keys) {
    if (unknownCount > 0) await consume(limiter, key, unknownCount);
    else await assertUnder(limiter, key);
  }
}
