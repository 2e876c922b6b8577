import { z } from 'zod';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Routes } from '../http/route.ts';
import { invalidField } from '../shared/errors.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';

const SettingsSchema = z
  .object({
    pointValue: z.number().int().min(0).max(1e9).meta({ description: 'What one point is worth when spent, in minor units (IDR: 10000 = Rp 100)' }),
    expiryPolicy: z.enum(['never', 'months', 'end_of_period']),
    expiryMonths: z.number().int().min(1).max(120),
    expiryPeriod: z.enum(['month', 'quarter', 'year']).meta({ description: 'With end_of_period: points expire at the end of the period in which expiryMonths end' }),
    returnWindowDays: z.number().int().min(0).max(90).meta({ description: 'Earned points stay pending this many days (0: spendable at once)' }),
    tierBasis: z.enum(['spend', 'points']),
    tierWindowMonths: z.number().int().min(1).max(36),
  })
  .meta({ id: 'PointsSettings' });

type Settings = z.infer<typeof SettingsSchema>;

const toSettings = (t: Awaited<ReturnType<typeof getTenant>>): Settings => ({
  pointValue: t.point_value, expiryPolicy: t.expiry_policy, expiryMonths: t.expiry_months, expiryPeriod: t.expiry_period,
  returnWindowDays: t.return_window_days, tierBasis: t.tier_basis, tierWindowMonths: t.tier_window_months,
});

export function pointsSettingsRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/points',
    summary: 'Point value, expiry policy, return window and tier qualification',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Settings', schema: SettingsSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: toSettings(await getTenant(db, principal.tenantId)) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/settings/points',
    summary: 'Change the points policy (applies to points earned from now on), audit-logged',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: SettingsSchema.partial(),
    responses: { 200: { description: 'Settings', schema: SettingsSchema } },
    handler: async ({ db, principal, body }) => {
      const settings = await inTransaction(db, async (trx) => {
        const merged = { ...toSettings(await getTenant(trx, principal.tenantId)), ...body };
        // Points must be spendable for a while before they can expire: a window of a month or more
        // against a one-month expiry would let points expire while still pending.
        if (merged.expiryPolicy !== 'never' && merged.returnWindowDays >= merged.expiryMonths * 28) {
          throw invalidField('body.returnWindowDays', `Must be shorter than the ${merged.expiryMonths}-month expiry`);
        }
        if (Object.values(body).some((v) => v !== undefined)) await trx
          .updateTable('tenants')
          .set({
            point_value: body.pointValue, expiry_policy: body.expiryPolicy, expiry_months: body.expiryMonths, expiry_period: body.expiryPeriod,
            return_window_days: body.returnWindowDays, tier_basis: body.tierBasis, tier_window_months: body.tierWindowMonths,
          })
          .where('id', '=', principal.tenantId)
          .execute();
        await recordAudit(trx, principal, { action: 'settings.points.updated', targetType: 'tenant', targetId: principal.tenantId, details: body });
        return toSettings(await getTenant(trx, principal.tenantId));
      });
      return { status: 200, body: settings };
    },
  });
}
