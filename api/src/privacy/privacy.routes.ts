import { z } from 'zod';
import { clearSessionCookie, MEMBER_COOKIE } from '../http/authenticate.ts';
import { consume } from '../http/rate-limits.ts';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { DataExportSchema } from './data-export.mapper.ts';
import { exportMemberData } from './data-export.service.ts';
import { CONFIRM_WORDS, eraseMember, eraseOwnData } from './erasure.service.ts';

const ErasureSchema = z
  .object({
    memberId: z.uuid(),
    erasedAt: z.string().meta({ format: 'date-time' }),
    pointsForfeited: z.object({ balance: z.number().int(), pending: z.number().int(), debt: z.number().int() })
      .meta({ description: 'What the erasure took off the account (entries of kind `adjust`, reference `erasure`); the same on a retry' }),
  })
  .meta({ id: 'MemberErasure' });

const ERASURE = `Erases the member’s personal data in one transaction (Indonesia’s UU PDP): name, phone, email, birth date, tags, the text of their feedback and of the replies, recipients and text of the messages sent to them, imported file cells, sessions and one-time codes. The cards are blocked (\`reason: erased\`), the remaining points, pending points and debt are forfeited as \`adjust\` entries with reference \`erasure\`, pending referrals are refused. The member stays as a tombstone (\`status: erased\`, \`erasedAt\`) with its id, so sales, lots and the points ledger still add up in reports and \`ledger:verify\`. The phone number can join again as a new member. Doing it again changes nothing and answers the same.`;

export function privacyRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/me/export',
    summary: 'Download everything the retailer holds about the signed-in member, as a JSON file',
    description: 'Profile, consents with their time, cards (numbers and status), points with every ledger entry and lot, purchases with their items, vouchers, reward redemptions, referrals, feedback with replies, messages sent (never the text of one-time codes), tier, lifecycle, RFM and segments. An attachment (`Content-Disposition`); 5 an hour per member.',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: { 200: { description: 'The member’s data', schema: DataExportSchema }, 429: { description: 'Too many exports; see Retry-After' } },
    handler: async ({ db, deps, principal }) => {
      await consume(deps.limits.dataExportByMember, `${principal.tenantId}:${principal.id}`);
      const data = await exportMemberData(db, principal, principal.id);
      const day = data.exportedAt.slice(0, 10);
      return {
        status: 200,
        body: data,
        headers: { 'Content-Disposition': `attachment; filename="${data.retailer.slug}-my-data-${day}.json"`, 'Cache-Control': 'no-store' },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/me/erasure',
    summary: 'The member deletes their account: personal data erased, purchase records kept anonymised',
    description: `${ERASURE} The member confirms by typing ${CONFIRM_WORDS.map((w) => `\`${w}\``).join(' or ')} (\`body.confirm\`, any case); the session ends.`,
    tags: ['Member app'],
    auth: { principals: ['member'] },
    body: z.object({ confirm: z.string().max(20).meta({ description: `${CONFIRM_WORDS.join(' or ')}, as typed by the member`, example: 'HAPUS' }) }),
    responses: { 200: { description: 'Erased; the session cookie is cleared', schema: ErasureSchema } },
    handler: async ({ db, principal, body }, ctx) => {
      const result = await eraseOwnData(db, principal, body.confirm);
      clearSessionCookie(ctx, MEMBER_COOKIE);
      return { status: 200, body: result };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/erasure',
    summary: 'Erase a member’s personal data on their written request (owners and admins; audit-logged)',
    description: `${ERASURE} \`reason\` says which request this answers (e.g. the letter’s date); it is kept in the audit log.`,
    tags: ['Members'],
    auth: { principals: ['staff'], permission: 'members.erase' },
    params: IdParams,
    body: z.object({ reason: z.string().trim().min(1).max(500).meta({ example: 'Letter of 3 December 2026' }) }),
    idempotency: 'optional',
    responses: { 200: { description: 'Erased (or erased before)', schema: ErasureSchema }, 409: { description: 'The member was merged into another' } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await eraseMember(db, principal, params.id, { reason: body.reason }) }),
  });
}
