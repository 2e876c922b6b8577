import { z } from 'zod';
import { VoucherKindSchema, VoucherStatusSchema } from '../vouchers/vouchers.mapper.ts';
import type { VoucherRow } from '../vouchers/vouchers.repository.ts';
import type { MemberAuditRow, MemberMessageRow } from './member360.repository.ts';

const iso = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());

export const MemberVoucherSchema = z
  .object({
    id: z.uuid(),
    code: z.string().meta({ description: 'A personal code that can still be used is masked to its last 4 characters for callers who act for a member only with the member present' }),
    origin: z.enum(['batch', 'public', 'personal', 'reward', 'offer', 'automation']),
    batchName: z.string().nullable(),
    personal: z.boolean().meta({ description: 'The code belongs to this member; otherwise a shared code the member used' }),
    kind: VoucherKindSchema,
    value: z.number().int().nullable().meta({ description: 'amount: minor units off; percent: 1–100' }),
    maxDiscount: z.number().int().nullable(),
    sku: z.string().nullable(),
    minSpend: z.number().int().meta({ description: 'Minor units' }),
    status: VoucherStatusSchema.meta({ description: 'voided, then disabled, used_up, expired, not_started, else active' }),
    uses: z.number().int().meta({ description: 'Uses of the code by anyone' }),
    maxUses: z.number().int().nullable().meta({ description: 'null: unlimited' }),
    usesByMember: z.number().int().meta({ description: 'Live uses of the code by this member' }),
    startsAt: z.string().nullable(),
    expiresAt: z.string().nullable().meta({ description: 'Inclusive' }),
    createdAt: z.string(),
  })
  .meta({ id: 'MemberVoucherDetail' });

const stillUsable = new Set<z.infer<typeof VoucherStatusSchema>>(['active', 'not_started', 'disabled']);

/** `••••••K7QX`: enough to match the code the member shows, not enough to use it. */
const maskVoucherCode = (code: string) => `${'•'.repeat(Math.max(0, code.length - 4))}${code.slice(-4)}`;

export function toMemberVoucher(
  row: VoucherRow, memberId: string, status: z.infer<typeof VoucherStatusSchema>, usesByMember: number, revealCodes: boolean,
): z.infer<typeof MemberVoucherSchema> {
  const personal = row.member_id === memberId;
  return {
    id: row.id,
    code: personal && !revealCodes && stillUsable.has(status) ? maskVoucherCode(row.code) : row.code,
    origin: row.origin,
    batchName: row.batch_name,
    personal,
    kind: row.kind,
    value: row.value,
    maxDiscount: row.max_discount,
    sku: row.sku,
    minSpend: row.min_spend,
    status,
    uses: row.uses,
    maxUses: row.max_uses,
    usesByMember,
    startsAt: iso(row.starts_at),
    expiresAt: iso(row.expires_at),
    createdAt: row.created_at.toISOString(),
  };
}

export const MemberSegmentSchema = z
  .object({ id: z.uuid(), code: z.string(), name: z.string(), description: z.string().nullable() })
  .meta({ id: 'MemberSegment' });

export const toMemberSegment = (row: { id: string; code: string; name: string; description: string | null }): z.infer<typeof MemberSegmentSchema> => ({
  id: row.id, code: row.code, name: row.name, description: row.description,
});

export const MemberMessageSchema = z
  .object({
    id: z.uuid(),
    channel: z.enum(['sms', 'whatsapp', 'email']),
    recipient: z.string(),
    purpose: z.string(),
    oneTimeCode: z.boolean().meta({ description: 'A sign-in or presence code: its body is never shown here' }),
    subject: z.string().nullable(),
    body: z.string().nullable().meta({ description: 'null for one-time codes' }),
    status: z.enum(['pending', 'sent', 'failed', 'unconfigured']),
    attempts: z.number().int(),
    lastError: z.string().nullable().meta({ description: 'Why the last attempt failed' }),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'MemberMessage' });

/** Purposes whose body is a one-time code, even after the stored secret was scrubbed. */
const CODE_PURPOSES: ReadonlySet<string> = new Set(['otp', 'presence']);

export function toMemberMessage(row: MemberMessageRow): z.infer<typeof MemberMessageSchema> {
  const oneTimeCode = row.secret !== null || CODE_PURPOSES.has(row.purpose);
  const mask = (text: string) => (row.secret ? text.replaceAll(row.secret, '•'.repeat(row.secret.length)) : text);
  return {
    id: row.id,
    channel: row.channel,
    recipient: row.recipient,
    purpose: row.purpose,
    oneTimeCode,
    subject: row.subject,
    body: oneTimeCode ? null : row.body,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error === null ? null : mask(row.last_error),
    createdAt: row.created_at.toISOString(),
    sentAt: iso(row.sent_at),
  };
}

export const MemberAuditEntrySchema = z
  .object({
    id: z.uuid(),
    actor: z.object({ kind: z.string(), id: z.string().nullable(), name: z.string().nullable().meta({ description: 'The staff member’s name' }) }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .meta({ id: 'MemberAuditEntry' });

export const toMemberAuditEntry = (row: MemberAuditRow): z.infer<typeof MemberAuditEntrySchema> => ({
  id: row.id,
  actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
  action: row.action,
  target: { type: row.target_type, id: row.target_id },
  details: row.details as Record<string, unknown>,
  at: row.created_at.toISOString(),
});
