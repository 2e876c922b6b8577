import type { Db } from '../deps.ts';
import { localDate, offsetMinutes, startOfLocalDay } from '../points/policy.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { randomVoucherCodes } from './voucher-code.ts';
import * as repo from './reward-vouchers.repository.ts';
import { insertBatch, lockVoucher } from './vouchers.repository.ts';
import { DEFAULT_CODE_LENGTH } from './vouchers.service.ts';

// The voucher a reward redemption (or an offer shown to a member) gives: one single-use code bound
// to the member, in a batch of origin 'reward' (or 'offer') that holds the voucher terms. The batch
// is made on the first issue and reused while the terms stay the same; when a marketer changes the
// terms (or disables the batch), the next issue starts a new batch, so codes already issued keep
// the terms they were issued with. Callers hold the reward's (or the member's account) row lock,
// which serialises the batch's creation.

export interface RewardVoucherTerms {
  kind: 'amount' | 'percent' | 'free_shipping' | 'free_item';
  value?: number;
  maxDiscount?: number;
  sku?: string;
  minSpend?: number;
  validDays: number;
}

export interface IssuedVoucher {
  id: string;
  code: string;
  expiresAt: Date;
}

/**
 * When a code issued at `issuedAt` expires: the end (23:59:59.999) of the local day `validDays`
 * days after the day of issue, in the tenant's time zone. validDays 7 issued on 1 March at 10:00
 * is valid until 8 March 23:59:59.999 — the rest of the day of issue plus 7 whole days, so a
 * member is never surprised by a code that lapses at an odd hour.
 */
export function rewardVoucherExpiry(issuedAt: Date, validDays: number, timeZone: string): Date {
  const { year, month, day } = localDate(issuedAt, timeZone);
  // Local noon of the day after the last valid day: that day's start, less 1 ms, whatever the zone's offset.
  const noonUtc = Date.UTC(year, month - 1, day + validDays + 1, 12);
  const dayAfterNoon = new Date(noonUtc - offsetMinutes(new Date(noonUtc), timeZone) * 60e3);
  return new Date(startOfLocalDay(dayAfterNoon, timeZone).getTime() - 1);
}

const ATTEMPTS = 5;

/** What a personal voucher is issued for: a reward redemption, an offer or an automation. */
export interface VoucherSource {
  origin: 'reward' | 'offer' | 'automation';
  id: string;
  name: string;
}

export async function issuePersonalVoucher(
  trx: Db,
  tenant: { id: string; time_zone: string },
  source: VoucherSource,
  terms: RewardVoucherTerms,
  memberId: string,
  issuedAt: Date,
): Promise<IssuedVoucher> {
  const batchId = await sourceBatch(trx, tenant.id, source, terms);
  const expiresAt = rewardVoucherExpiry(issuedAt, terms.validDays, tenant.time_zone);
  // 32^10 codes: a collision with the tenant's other codes is a one-in-a-million-million event; try again then.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [code] = randomVoucherCodes(1, DEFAULT_CODE_LENGTH);
    const id = newId();
    if (await repo.insertPersonalCode(trx, { tenant_id: tenant.id, id, batch_id: batchId, code, member_id: memberId, expires_at: expiresAt })) {
      await repo.addToCount(trx, tenant.id, batchId);
      return { id, code, expiresAt };
    }
  }
  throw new Error(`no free voucher code after ${ATTEMPTS} attempts`);
}

async function sourceBatch(trx: Db, tenantId: string, source: VoucherSource, terms: RewardVoucherTerms) {
  const batchTerms: repo.RewardBatchTerms = {
    kind: terms.kind, value: terms.value ?? null, max_discount: terms.maxDiscount ?? null, sku: terms.sku ?? null, min_spend: terms.minSpend ?? 0,
  };
  const found = await repo.findSourceBatch(trx, tenantId, source, batchTerms);
  if (found) return found;
  const id = newId();
  await insertBatch(trx, {
    tenant_id: tenantId, id, name: source.name, origin: source.origin, ...batchTerms, starts_at: null, expires_at: null,
    uses_per_code: 1, per_member_limit: null, channels: null, stores: null, exclusivity_group: null,
    reward_id: source.origin === 'reward' ? source.id : null, offer_id: source.origin === 'offer' ? source.id : null,
    automation_id: source.origin === 'automation' ? source.id : null, count: 0,
  });
  return id;
}

/**
 * Cancels the voucher of a cancelled reward redemption, under its row lock: a voucher used at a
 * sale that still counts (its use not given back) cannot be cancelled, 409.
 */
export async function cancelRewardVoucher(trx: Db, tenantId: string, voucherId: string): Promise<void> {
  const voucher = await lockVoucher(trx, tenantId, voucherId);
  if (!voucher) throw new Error(`reward voucher ${voucherId} is missing`);
  if (voucher.uses > 0) {
    throw new DomainError('conflict', 'The reward’s voucher was used; void or refund the sale it was used on first');
  }
  await repo.voidVoucher(trx, tenantId, voucherId);
}
