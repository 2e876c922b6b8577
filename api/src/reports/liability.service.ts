import { z } from 'zod';
import type { Db } from '../deps.ts';
import type { Principal } from '../shared/principal.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { localDate } from '../points/policy.ts';
import { pageOf } from '../shared/page.ts';
import * as repo from './liability.repository.ts';

const Money = z.number().int().meta({ description: 'Minor units of the tenant currency' });

export const LiabilitySchema = z
  .object({
    pointValue: Money.meta({ description: 'What one point is worth when spent' }),
    outstanding: z.object({ points: z.number().int(), value: Money, pending: z.number().int(), debt: z.number().int(), members: z.number().int() }),
    byTier: z.array(z.object({ code: z.string(), name: z.string(), members: z.number().int(), points: z.number().int(), value: Money })),
    byStore: z.array(z.object({ storeId: z.uuid().nullable(), name: z.string().nullable(), points: z.number().int(), value: Money })),
    expiring: z.array(z.object({ days: z.number().int(), points: z.number().int(), value: Money })),
    monthly: z.array(z.object({ month: z.string(), issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int(), reversed: z.number().int() }))
      .meta({ description: 'The last 12 local months, oldest first; reversed includes debt repaid from later points' }),
  })
  .meta({ id: 'PointsLiability' });

/** What the retailer owes in points: outstanding and its money value, where it sits, what expires soon, how it moved. */
export async function pointsLiability(db: Db, principal: Principal): Promise<z.infer<typeof LiabilitySchema>> {
  const tenant = await getTenant(db, principal.tenantId);
  const value = (points: number) => points * tenant.point_value;
  const [outstanding, tiers, stores, expiring, monthly] = await Promise.all([
    repo.outstanding(db, tenant.id),
    repo.byTier(db, tenant.id),
    repo.byStore(db, tenant.id),
    repo.expiringWithin(db, tenant.id, new Date(), [30, 60, 90]),
    repo.monthlyFlows(db, tenant.id, tenant.time_zone, 12),
  ]);
  return {
    pointValue: tenant.point_value,
    outstanding: { ...outstanding, value: value(outstanding.points) },
    byTier: tiers.map((t) => ({ ...t, value: value(t.points) })),
    byStore: stores.map((s) => ({ ...s, value: value(s.points) })),
    expiring: expiring.map((e) => ({ ...e, value: value(e.points) })),
    monthly: lastMonths(12, tenant.time_zone).map((month) => monthly.find((m) => m.month === month) ?? { month, issued: 0, redeemed: 0, expired: 0, reversed: 0 }),
  };
}

/** 'YYYY-MM' of the last n local months, oldest first. */
function lastMonths(n: number, timeZone: string): string[] {
  const { year, month } = localDate(new Date(), timeZone);
  return Array.from({ length: n }, (_, i) => {
    const index = year * 12 + (month - 1) - (n - 1 - i);
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

export const ExpiringMemberSchema = z
  .object({
    memberId: z.uuid(),
    name: z.string(),
    phone: z.string(),
    marketingOptIn: z.boolean(),
    points: z.number().int(),
    firstExpiry: z.string(),
  })
  .meta({ id: 'ExpiringMember' });

/** Members whose points expire within `days`: the list behind expiry reminders. */
export async function expiringMembers(db: Db, principal: Principal, days: number, cursor?: string, limit = 100) {
  const until = new Date(Date.now() + days * 86400e3);
  const rows = await repo.membersWithExpiringPoints(db, principal.tenantId, until, limit, cursor);
  const { page, nextCursor } = pageOf(rows, limit);
  return {
    items: page.map((r) => ({
      memberId: r.id, name: r.name, phone: r.phone, marketingOptIn: r.marketing_opt_in, points: Number(r.points),
      firstExpiry: new Date(r.first_expiry).toISOString(),
    })),
    nextCursor,
  };
}
