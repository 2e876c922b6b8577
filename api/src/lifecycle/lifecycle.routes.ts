import { z } from 'zod';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { getMember } from '../members/members.service.ts';
import { invalidField } from '../shared/errors.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { refreshStages } from './lifecycle.repository.ts';
import { stageHistory } from './lifecycle.service.ts';

const Days = z.number().int('Whole days').min(1, 'At least 1').max(3650, 'At most 3650');
const Stage = z.enum(['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back']);

const LifecycleSettingsSchema = z
  .object({
    newDays: Days.meta({ description: 'A member is `new` this many days after the first purchase, and `won_back` this long after returning' }),
    atRiskDays: Days.meta({ description: 'No purchase for more than this many days: `at_risk`' }),
    lapsedDays: Days.meta({ description: 'No purchase for more than this many days: `lapsed`; a purchase after that is a win-back' }),
    rfmWindowMonths: z.number().int().min(1).max(60).meta({ description: 'RFM scores and CLV look at purchases of this many months' }),
    clvHorizonMonths: z.number().int().min(1).max(240).meta({ description: 'CLV projects the annualised spend over this many months' }),
  })
  .meta({ id: 'LifecycleSettings' });

export const LIFECYCLE_RULES = `Stages, in this order of precedence: \`prospect\` (no purchase yet), \`lapsed\` (last purchase more than \`lapsedDays\` ago), \`at_risk\` (more than \`atRiskDays\` ago), \`won_back\` (a purchase after a lapse, within \`newDays\` of it), \`new\` (first purchase within \`newDays\`), \`active\`. A sale moves the member at once; a scheduled job moves members as time passes, within the hour.`;

const toSettings = (t: Awaited<ReturnType<typeof getTenant>>): z.infer<typeof LifecycleSettingsSchema> => ({
  newDays: t.lifecycle_new_days, atRiskDays: t.lifecycle_at_risk_days, lapsedDays: t.lifecycle_lapsed_days,
  rfmWindowMonths: t.rfm_window_months, clvHorizonMonths: t.clv_horizon_months,
});

export function lifecycleRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/lifecycle',
    summary: 'Lifecycle thresholds (days), the RFM window and the CLV horizon',
    description: LIFECYCLE_RULES,
    tags: ['Know the customer'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Settings', schema: LifecycleSettingsSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: toSettings(await getTenant(db, principal.tenantId)) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/settings/lifecycle',
    summary: 'Change the lifecycle thresholds; every member’s stage is brought up to date at once (audit-logged)',
    description: LIFECYCLE_RULES,
    tags: ['Know the customer'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: LifecycleSettingsSchema.partial().strict(),
    responses: { 200: { description: 'Settings', schema: LifecycleSettingsSchema } },
    handler: async ({ db, principal, body }) => {
      const settings = await inTransaction(db, async (trx) => {
        const merged = { ...toSettings(await getTenant(trx, principal.tenantId)), ...body };
        if (merged.atRiskDays >= merged.lapsedDays) throw invalidField(body.atRiskDays !== undefined ? 'body.atRiskDays' : 'body.lapsedDays', 'At-risk days must be fewer than lapsed days');
        if (Object.values(body).some((v) => v !== undefined)) await trx
          .updateTable('tenants')
          .set({
            lifecycle_new_days: body.newDays, lifecycle_at_risk_days: body.atRiskDays, lifecycle_lapsed_days: body.lapsedDays,
            rfm_window_months: body.rfmWindowMonths, clv_horizon_months: body.clvHorizonMonths,
            // New RFM settings: the scheduled job recomputes the scores on its next run.
            rfm_computed_at: body.rfmWindowMonths !== undefined || body.clvHorizonMonths !== undefined ? null : undefined,
          })
          .where('id', '=', principal.tenantId)
          .execute();
        await refreshStages(trx, new Date(), { tenantId: principal.tenantId });
        await recordAudit(trx, principal, { action: 'settings.lifecycle.updated', targetType: 'tenant', targetId: principal.tenantId, details: body });
        return toSettings(await getTenant(trx, principal.tenantId));
      });
      return { status: 200, body: settings };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/stages',
    summary: 'The member’s lifecycle stage history, newest first',
    tags: ['Know the customer'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'History', schema: z.object({ current: Stage, items: z.array(z.object({ from: Stage.nullable(), to: Stage, at: z.string() })) }) } },
    handler: async ({ db, principal, params }) => {
      const member = await getMember(db, principal.tenantId, params.id);
      return { status: 200, body: { current: member.lifecycleStage, items: await stageHistory(db, principal.tenantId, params.id) } };
    },
  });
}
