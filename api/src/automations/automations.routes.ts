import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Instant } from '../http/schemas.ts';
import { invalidField } from '../shared/errors.ts';
import { AutomationBody, AutomationPatch, AutomationSettingsSchema } from './automation-schema.ts';
import { AutomationSchema, AutomationTotalsSchema } from './automations.mapper.ts';
import {
  automationResults, automationSettings, changeAutomationStatus, createAutomation, getAutomation, listAutomations, updateAutomation,
  updateAutomationSettings,
} from './automations.service.ts';

const AutomationPageSchema = z
  .object({
    items: z.array(AutomationSchema),
    nextCursor: z.string().nullable(),
    eventFailures: z.object({
      failed: z.number().int().meta({ description: 'Sign-ups, purchases and tier changes given up after their last attempt: those members got nothing from event automations' }),
      retrying: z.number().int().meta({ description: 'Events that failed and wait to be tried again' }),
      lastError: z.string().nullable(),
    }),
  })
  .meta({ id: 'AutomationPage' });

const HOW_AUTOMATIONS_WORK = `An automation has one \`trigger\` and at least one action: bonus \`points\` (a bonus entry naming the automation), a personal \`voucher\`, a \`message\` in both languages. It acts once per member and occasion — the sign-up, the first purchase, the year of a birthday, a quiet spell (from the last purchase), the date the soonest points expire, a tier change, a sale, a day of entering a segment — however often the jobs run.

Sign-ups, purchases and tier changes are recorded with the change itself and worked off within about a minute; one whose work fails (a deadlock, a lost database connection) is tried again after 1, 5 and 30 minutes, 2 and 6 hours, then given up and counted in \`eventFailures\` of the list; birthdays (in the retailer's time zone; 29 February counts on 28 February in other years), quiet spells, expiring points and segment entries are checked every ten minutes. Only active members are reached. Messages are marketing: a member who did not consent gets none (\`no_consent\`), nor one over the retailer's cap of automated messages per member (\`frequency_cap\`, \`GET /api/v1/settings/automations\`); the outbox may also refuse one (\`no_channel\`, \`inactive_member\`). Skipped messages do not hold back the points or the voucher.`;

const ResultsQuery = z.object({
  from: Instant.optional().meta({ description: 'Runs from (default: since the start)' }),
  to: Instant.optional().meta({ description: 'Runs until (default: now)' }),
});

export function automationRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/automations',
    summary: 'The frequency cap of automated marketing messages per member',
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Settings', schema: AutomationSettingsSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await automationSettings(db, principal) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/settings/automations',
    summary: 'Change the frequency cap (audit-logged)',
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: AutomationSettingsSchema.partial().meta({ id: 'AutomationSettingsPatch' }),
    responses: { 200: { description: 'Settings', schema: AutomationSettingsSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await updateAutomationSettings(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/automations',
    summary: 'Automations, newest first, with their results',
    description: HOW_AUTOMATIONS_WORK,
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({ status: z.enum(['active', 'paused', 'archived']).optional().meta({ description: 'Default: active and paused' }) }),
    responses: { 200: { description: 'A page of automations', schema: AutomationPageSchema } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await listAutomations(db, principal, { status: query.status }, query.cursor) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/automations',
    summary: 'Create an automation (audit-logged)',
    description: HOW_AUTOMATIONS_WORK,
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: AutomationBody,
    responses: { 201: { description: 'Created', schema: AutomationSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createAutomation(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/automations/{id}',
    summary: 'An automation with its results',
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The automation', schema: AutomationSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getAutomation(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/automations/{id}',
    summary: 'Change an automation (audit-logged); an archived one cannot change',
    description: 'What it did stays done: a changed automation does not act again for an occasion it already acted on.',
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: AutomationPatch,
    responses: { 200: { description: 'The automation', schema: AutomationSchema }, 409: { description: 'Archived' } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateAutomation(db, principal, params.id, body) }),
  });

  for (const action of ['pause', 'resume', 'archive'] as const) {
    routes.add({
      method: 'post',
      path: `/api/v1/automations/{id}/${action}`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} an automation (audit-logged)`,
      tags: ['Automations'],
      auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
      params: IdParams,
      responses: { 200: { description: 'The automation', schema: AutomationSchema }, 409: { description: 'Archived' } },
      handler: async ({ db, principal, params }) => ({ status: 200, body: await changeAutomationStatus(db, principal, params.id, action) }),
    });
  }

  routes.add({
    method: 'get',
    path: '/api/v1/automations/{id}/results',
    summary: 'Members reached, points awarded, vouchers issued and redeemed, messages queued, sent and skipped (by reason), with a line per day',
    description: HOW_AUTOMATIONS_WORK,
    tags: ['Automations'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    params: IdParams,
    query: ResultsQuery,
    responses: {
      200: {
        description: 'Results over runs in the window (days on the retailer’s calendar)',
        schema: AutomationTotalsSchema.extend({
          from: z.string().nullable(),
          to: z.string().nullable(),
          skipped: z.array(z.object({ reason: z.string(), count: z.number().int() })).meta({ description: 'Skipped messages by reason' }),
          daily: z.array(z.object({ day: z.string(), reached: z.number().int(), points: z.number().int() })),
        }).meta({ id: 'AutomationResults' }),
      },
    },
    handler: async ({ db, principal, params, query }) => {
      const from = query.from ? new Date(query.from) : undefined;
      const to = query.to ? new Date(query.to) : undefined;
      if (from && to && from > to) throw invalidField('query.from', 'Must not be after to');
      return { status: 200, body: await automationResults(db, principal, params.id, { from, to }) };
    },
  });
}
