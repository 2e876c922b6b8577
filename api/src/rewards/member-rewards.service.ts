import type { Db } from '../deps.ts';
import { getMember } from '../members/members.service.ts';
import { pageOf } from '../shared/page.ts';
import { toMemberRewardView, toMemberVoucherView } from './rewards.mapper.ts';
import * as repo from './rewards.repository.ts';

// What the member app shows: the rewards this member can see now, and the member's vouchers.

export async function memberCatalog(db: Db, tenantId: string, memberId: string, cursor?: string, limit = 50) {
  const member = await getMember(db, tenantId, memberId);
  const who = { id: memberId, tierCode: member.tier.code };
  const at = new Date();
  const rows = await repo.catalogFor(db, tenantId, who, at, limit, cursor);
  const { page, nextCursor } = pageOf(rows, limit);
  const redeemableNow = await repo.countRedeemable(db, tenantId, who, at, member.points.balance);
  return { items: page.map((row) => toMemberRewardView(row, member.points.balance)), nextCursor, redeemableNow };
}

export const MAX_MEMBER_VOUCHERS = 200;

/** The member's codes that can still be used, newest first (at most 200). */
export async function memberVouchers(db: Db, tenantId: string, memberId: string) {
  const rows = await repo.usableVouchersOf(db, tenantId, memberId, new Date(), MAX_MEMBER_VOUCHERS, 'expiring');
  return { items: rows.map(toMemberVoucherView) };
}
