import { z } from 'zod';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Routes } from '../http/route.ts';
import { CalendarDate, CursorQuery, IdParams, page } from '../http/schemas.ts';
import { startOfDate } from '../points/policy.ts';
import { invalidField } from '../shared/errors.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getMember } from '../members/members.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { listReferrals, memberReferrals, referralReport } from './referrals.service.ts';

const MAX_POINTS = 1_000_000;
const Points = z.number().int('Whole points').min(0, 'Must not be negative').max(MAX_POINTS, 'At most 1,000,000');

const ReferralSettingsSchema = z
  .object({
    referrerPoints: Points.meta({ description: 'Points for the member who shared the code' }),
    refereePoints: Points.meta({ description: 'Points for the friend who joined' }),
    minSpend: z.number().int().min(0).max(1e13).meta({ description: 'The friend’s first purchase must reach this (goods after discounts and refunds, minor units)' }),
    monthlyCap: z.number().int().min(0).max(100_000).nullable().meta({ description: 'Rewarded referrals per referrer per calendar month; null: no cap' }),
  })
  .meta({ id: 'ReferralSettings' });

const ReferralStatus = z.enum(['pending', 'rewarded', 'refused']);
const RefusalReason = z.enum(['self_referral', 'phone_already_rewarded', 'referrer_monthly_cap', 'referrer_inactive', 'duplicate_member', 'member_erased']);

const ReferralSchema = z
  .object({
    id: z.uuid(),
    status: ReferralStatus,
    reason: RefusalReason.nullable().meta({ description: 'Why a refused referral was not rewarded' }),
    referrer: z.object({ id: z.uuid(), name: z.string() }),
    referee: z.object({ id: z.uuid(), name: z.string() }),
    referrerPoints: z.number().int(),
    refereePoints: z.number().int(),
    transactionId: z.uuid().nullable().meta({ description: 'The friend’s first qualifying purchase' }),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'Referral' });

const ReferralReportSchema = z
  .object({
    pending: z.number().int(),
    rewarded: z.number().int(),
    refused: z.number().int(),
    refusedBy: z.record(z.string(), z.number().int()).meta({ description: 'Refused referrals by reason' }),
    pointsAwarded: z.number().int(),
    topReferrers: z.array(z.object({ id: z.uuid(), name: z.string(), referred: z.number().int(), rewarded: z.number().int(), points: z.number().int() })),
  })
  .meta({ id: 'ReferralReport' });

const toSettings = (t: Awaited<ReturnType<typeof getTenant>>): z.infer<typeof ReferralSettingsSchema> => ({
  referrerPoints: t.referral_referrer_points, refereePoints: t.referral_referee_points, minSpend: t.referral_min_spend, monthlyCap: t.referral_monthly_cap,
});

const RULES = `Both sides are rewarded once the friend’s first qualifying purchase (goods after discounts and refunds of at least \`minSpend\`) is past the return window. A referral is refused, with its reason, for: \`self_referral\` (the friend’s email, or a phone number the referrer used to have, is the referrer’s), \`phone_already_rewarded\` (the phone brought a referral reward before: one per phone number, ever), \`referrer_monthly_cap\`, \`referrer_inactive\`, \`duplicate_member\` (the friend's membership was merged into one that was referred already), \`member_erased\` (the friend's data was erased on their request before the referral was decided). The friend's phone must be proven with a one-time code (joining in the app, or at the till with a code) before the referral counts, and a purchase counts from when it was posted, not the date it carries.`;

export function referralRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/referrals',
    summary: 'Referral rewards and limits',
    description: RULES,
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Settings', schema: ReferralSettingsSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: toSettings(await getTenant(db, principal.tenantId)) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/settings/referrals',
    summary: 'Change referral rewards and limits (audit-logged; referrals not yet decided follow the new rules)',
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: ReferralSettingsSchema.partial().strict(),
    responses: { 200: { description: 'Settings', schema: ReferralSettingsSchema } },
    handler: async ({ db, principal, body }) => {
      const settings = await inTransaction(db, async (trx) => {
        if (body.minSpend !== undefined && body.minSpend % 100 !== 0) throw invalidField('body.minSpend', 'Whole rupiah (a multiple of 100)');
        if (Object.values(body).some((v) => v !== undefined)) await trx
          .updateTable('tenants')
          .set({
            referral_referrer_points: body.referrerPoints, referral_referee_points: body.refereePoints,
            referral_min_spend: body.minSpend, referral_monthly_cap: body.monthlyCap,
          })
          .where('id', '=', principal.tenantId)
          .execute();
        await recordAudit(trx, principal, { action: 'settings.referrals.updated', targetType: 'tenant', targetId: principal.tenantId, details: body });
        return toSettings(await getTenant(trx, principal.tenantId));
      });
      return { status: 200, body: settings };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/referrals',
    summary: 'Referrals, newest first, with the reason each refused one was not rewarded',
    description: RULES,
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({ referrerId: z.uuid().optional(), status: ReferralStatus.optional() }),
    responses: { 200: { description: 'A page of referrals', schema: page(ReferralSchema, 'ReferralPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await listReferrals(db, principal, query, query.cursor) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/referrals',
    summary: 'Referral figures: pending, rewarded, refused by reason, points given, top referrers',
    tags: ['Reports'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    query: z.object({ since: CalendarDate.optional().meta({ description: 'Referrals started on or after this date (the retailer’s calendar)' }) }),
    responses: { 200: { description: 'The report', schema: ReferralReportSchema } },
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: await referralReport(db, principal, query.since ? startOfDate(query.since, (await getTenant(db, principal.tenantId)).time_zone) : null),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/referrals',
    summary: 'The member’s referral code and link, the rewards, and each friend referred',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: {
      200: {
        description: 'Referrals',
        schema: z.object({
          code: z.string(),
          joined: z.number().int().meta({ description: 'Friends who joined with the code' }),
          rewarded: z.number().int().meta({ description: 'Of them, rewarded' }),
          joinPath: z.string().meta({ description: 'Prefix with the server’s address: the link to share' }),
          referrerPoints: z.number().int(),
          refereePoints: z.number().int(),
          minSpend: z.number().int(),
          items: z.array(z.object({ id: z.uuid(), friend: z.string(), status: ReferralStatus, reason: RefusalReason.nullable(), points: z.number().int(), createdAt: z.string() })),
        }),
      },
    },
    handler: async ({ db, principal }) => ({ status: 200, body: await memberReferrals(db, principal.tenantId, principal.id) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/referrals',
    summary: 'Referrals the member made, and the one that brought them',
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'Referrals', schema: z.object({ referredBy: ReferralSchema.nullable(), referred: z.array(ReferralSchema) }) } },
    handler: async ({ db, principal, params }) => {
      await getMember(db, principal.tenantId, params.id);
      const [made, brought] = await Promise.all([
        listReferrals(db, principal, { referrerId: params.id }, undefined, 200),
        listReferrals(db, principal, { refereeId: params.id }, undefined, 1),
      ]);
      return { status: 200, body: { referredBy: brought.items[0] ?? null, referred: made.items } };
    },
  });
}
