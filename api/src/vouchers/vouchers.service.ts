import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, invalidField, notFound, type FieldError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { isoInZone } from '../shared/zoned-time.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { codeSpace, inVoucherAlphabet, isVoucherCode, normaliseVoucherCode, randomVoucherCodes } from './voucher-code.ts';
import { toBatchView } from './vouchers.mapper.ts';
import * as repo from './vouchers.repository.ts';

// Voucher batches: generated codes (origin batch), one public campaign code (public), or codes
// bound to one member (personal). A batch's terms apply to all its codes; each code counts its
// own uses.

export const MAX_BATCH = 1_000_000;
export const DEFAULT_CODE_LENGTH = 10;
const CHUNK = 10_000;
/** Generated codes fill at most one in a million of their code space: a guess hits one at most that often. */
const SPACE_PER_CODE = 1_000_000;
/**
 * The literal path segments where /api/v1/vouchers/{code} takes a code (the router ignores case):
 * a public code spelled like one could never be looked up or redeemed.
 */
export const RESERVED_CODES: readonly string[] = ['BATCHES', 'REDEMPTIONS'];

export interface BatchInput {
  name?: string;
  count: number;
  kind: 'amount' | 'percent' | 'free_shipping' | 'free_item';
  value?: number;
  maxDiscount?: number;
  sku?: string;
  minSpend?: number;
  startsAt?: string;
  expiresAt: string;
  /** Uses of each code; for a public code its total limit. Default 1; null: unlimited. */
  usesPerCode?: number | null;
  perMemberLimit?: number;
  code?: string;
  prefix?: string;
  length?: number;
  channels?: ('store' | 'online')[];
  stores?: string[];
  memberId?: string;
  priority?: number;
  exclusivityGroup?: string;
}

/** Which of value, maxDiscount and sku each kind takes, and which it needs. */
const kindFields: Record<BatchInput['kind'], { takes: ('value' | 'maxDiscount' | 'sku')[]; needs: ('value' | 'sku')[] }> = {
  amount: { takes: ['value'], needs: ['value'] },
  percent: { takes: ['value', 'maxDiscount'], needs: ['value'] },
  free_shipping: { takes: ['maxDiscount'], needs: [] },
  free_item: { takes: ['sku'], needs: ['sku'] },
};

/** The shortest random part that keeps `count` codes within one in SPACE_PER_CODE of their space. */
const minimumLength = (count: number) => Math.ceil(Math.log(count * SPACE_PER_CODE) / Math.log(32) - 1e-9);

/** The checks across fields (zod checked each field alone); every problem at once. */
function fieldProblems(input: BatchInput, now: Date): FieldError[] {
  const problems: FieldError[] = [];
  const problem = (path: string, message: string) => problems.push({ path: `body.${path}`, message });
  const fields = kindFields[input.kind];
  for (const field of ['value', 'maxDiscount', 'sku'] as const) {
    if (input[field] !== undefined && !fields.takes.includes(field)) problem(field, `Not used by ${input.kind} vouchers`);
  }
  for (const field of fields.needs) if (input[field] === undefined) problem(field, `Required for ${input.kind} vouchers`);
  if (input.kind === 'percent' && input.value !== undefined && input.value > 100) problem('value', 'A percentage from 1 to 100');

  const expiresAt = Date.parse(input.expiresAt);
  if (input.startsAt !== undefined && !(expiresAt > Date.parse(input.startsAt))) problem('expiresAt', 'Must be after startsAt');
  if (!(expiresAt > now.getTime())) problem('expiresAt', 'Must be in the future');

  if (input.code !== undefined) {
    const code = normaliseVoucherCode(input.code);
    if (!isVoucherCode(code)) problem('code', '4–32 letters and digits (hyphens and spaces are ignored)');
    else if (RESERVED_CODES.includes(code)) problem('code', 'A word of the API’s paths; choose another code');
    if (input.count !== 1) problem('count', 'A public code is one code: count must be 1');
    for (const field of ['prefix', 'length', 'memberId'] as const) {
      if (input[field] !== undefined) problem(field, 'Not used with a public code');
    }
  } else {
    if (input.prefix !== undefined && !inVoucherAlphabet(input.prefix.toUpperCase())) {
      problem('prefix', 'Letters and digits except I, L, O and U');
    }
    const length = input.length ?? DEFAULT_CODE_LENGTH;
    if (codeSpace(length) < input.count * SPACE_PER_CODE) {
      problem('length', `Too short for ${input.count} codes: they would be easy to guess; use ${minimumLength(input.count)} or more`);
    }
  }
  return problems;
}

/**
 * Generated codes of one prefix and length share a code space, so the guessing bound counts the
 * tenant's codes of that shape already there, not only this batch's.
 */
async function crowdingProblems(db: Db, tenantId: string, input: BatchInput): Promise<FieldError[]> {
  if (input.code !== undefined) return [];
  const length = input.length ?? DEFAULT_CODE_LENGTH;
  const existing = await repo.countCodesOfShape(db, tenantId, (input.prefix ?? '').toUpperCase(), length);
  const total = existing + input.count;
  if (codeSpace(length) >= total * SPACE_PER_CODE) return [];
  return [{
    path: 'body.length',
    message: `Too short: with the ${existing} codes of this prefix and length you have, they would be easy to guess; use ${minimumLength(total)} or more`,
  }];
}

async function referenceProblems(db: Db, tenantId: string, input: BatchInput): Promise<FieldError[]> {
  const problems: FieldError[] = [];
  if (input.memberId !== undefined && !(await repo.findMemberRef(db, tenantId, input.memberId))) {
    problems.push({ path: 'body.memberId', message: 'No such member' });
  }
  const known = await repo.existingStoreIds(db, tenantId, input.stores ?? []);
  (input.stores ?? []).forEach((id, i) => {
    if (!known.has(id)) problems.push({ path: `body.stores.${i}`, message: 'No such store' });
  });
  return problems;
}

const invalid = (problems: FieldError[]) =>
  new DomainError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), {}, problems);

/**
 * Creates the batch and its codes in one transaction. Generated codes go in chunks of 10,000,
 * each sorted (neighbouring index entries are written together) and inserted skipping any code
 * the tenant has already; the shortfall is generated again.
 */
export async function createBatch(db: Db, principal: Principal, input: BatchInput) {
  const shapeProblems = fieldProblems(input, new Date());
  if (shapeProblems.length) throw invalid(shapeProblems);
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const referenced = [...(await referenceProblems(trx, tenantId, input)), ...(await crowdingProblems(trx, tenantId, input))];
    if (referenced.length) throw invalid(referenced);

    const batchId = newId();
    const origin = input.code !== undefined ? 'public' : input.memberId !== undefined ? 'personal' : 'batch';
    const usesPerCode = input.usesPerCode === undefined ? 1 : input.usesPerCode;
    await repo.insertBatch(trx, {
      tenant_id: tenantId, id: batchId, name: input.name ?? null, origin, kind: input.kind, value: input.value ?? null,
      max_discount: input.maxDiscount ?? null, sku: input.sku ?? null, min_spend: input.minSpend ?? 0,
      starts_at: input.startsAt ? new Date(input.startsAt) : null, expires_at: new Date(input.expiresAt),
      uses_per_code: usesPerCode, per_member_limit: input.perMemberLimit ?? null,
      channels: input.channels?.length ? input.channels : null, stores: input.stores?.length ? input.stores : null,
      priority: input.priority ?? 0, exclusivity_group: input.exclusivityGroup ?? null, count: input.count,
    });
    const target = { tenantId, batchId, memberId: input.memberId ?? null, maxUses: usesPerCode };
    if (input.code !== undefined) {
      if ((await repo.insertCodes(trx, target, [newId()], [normaliseVoucherCode(input.code)])) === 0) {
        throw new DomainError('voucher_code_taken', 'This code is in use in a voucher of yours', {}, [{ path: 'body.code', message: 'Taken' }]);
      }
    } else {
      await insertRandomCodes(trx, target, input.count, input.length ?? DEFAULT_CODE_LENGTH, (input.prefix ?? '').toUpperCase());
    }
    // The codes themselves stay out of the audit log: whoever reads it must not be able to spend them.
    const { code: _code, ...terms } = input;
    await recordAudit(trx, principal, { action: 'voucher_batch.created', targetType: 'voucher_batch', targetId: batchId, details: { ...terms, origin } });
    return { batchId, count: input.count };
  });
}

async function insertRandomCodes(db: Db, target: repo.CodeTarget, count: number, length: number, prefix: string) {
  let inserted = 0;
  let skipped = 0;
  while (inserted < count) {
    const codes = randomVoucherCodes(Math.min(CHUNK, count - inserted), length, prefix).filter((code) => !RESERVED_CODES.includes(code)).sort();
    const added = await repo.insertCodes(db, target, codes.map(newId), codes);
    inserted += added;
    skipped += codes.length - added;
    // Only when the tenant's earlier codes of this prefix and length crowd the space.
    if (skipped > count) throw invalid([{ path: 'body.length', message: 'Too many codes of this prefix and length exist; choose a longer length' }]);
  }
}

export async function listBatches(db: Db, principal: Principal, filter: repo.BatchFilter, cursor: string | undefined, limit = 50) {
  const rows = await repo.listBatches(db, principal.tenantId, filter, limit, cursor);
  const { page, nextCursor } = pageOf(rows, limit);
  return { items: page.map(toBatchView), nextCursor };
}

async function requireBatch(db: Db, tenantId: string, id: string) {
  const batch = await repo.findBatch(db, tenantId, id);
  if (!batch) throw notFound('Voucher batch');
  return batch;
}

export async function getBatch(db: Db, principal: Principal, id: string) {
  const batch = await requireBatch(db, principal.tenantId, id);
  return { ...toBatchView(batch), ...(await repo.batchUsage(db, principal.tenantId, id)) };
}

/** Disables (or enables again) every code of the batch; repeating the call changes nothing. */
export async function setBatchStatus(db: Db, principal: Principal, id: string, status: 'active' | 'disabled') {
  return inTransaction(db, async (trx) => {
    const batch = await requireBatch(trx, principal.tenantId, id);
    if (batch.status !== status) {
      await repo.setBatchStatus(trx, principal.tenantId, id, status);
      await recordAudit(trx, principal, { action: `voucher_batch.${status === 'active' ? 'enabled' : 'disabled'}`, targetType: 'voucher_batch', targetId: id });
    }
    return toBatchView(await requireBatch(trx, principal.tenantId, id));
  });
}

/** Origins whose codes carry their own expiry (from the day each was issued): the batch's would not apply. */
const EXPIRY_PER_CODE = new Set(['reward', 'offer', 'automation']);

/**
 * Renames a batch or moves its expiry (to a time in the future, after its start); its codes and
 * uses stay. Repeating the call changes nothing.
 */
export async function updateBatch(db: Db, principal: Principal, id: string, patch: { name?: string | null; expiresAt?: string }) {
  return inTransaction(db, async (trx) => {
    const before = await requireBatch(trx, principal.tenantId, id);
    if (patch.expiresAt !== undefined) {
      const expiresAt = Date.parse(patch.expiresAt);
      if (EXPIRY_PER_CODE.has(before.origin)) throw invalidField('body.expiresAt', 'Each code of this batch expires on its own, counted from the day it was issued');
      if (before.starts_at && !(expiresAt > before.starts_at.getTime())) throw invalidField('body.expiresAt', 'Must be after startsAt');
      if (!(expiresAt > Date.now())) throw invalidField('body.expiresAt', 'Must be in the future');
    }
    const changes = {
      name: patch.name === before.name ? undefined : patch.name,
      expires_at: patch.expiresAt === undefined || Date.parse(patch.expiresAt) === before.expires_at?.getTime() ? undefined : new Date(patch.expiresAt),
    };
    if (Object.values(changes).every((value) => value === undefined)) return toBatchView(before);
    await repo.updateBatch(trx, principal.tenantId, id, changes);
    await recordAudit(trx, principal, {
      action: 'voucher_batch.updated', targetType: 'voucher_batch', targetId: id,
      details: { before: { name: before.name, expiresAt: before.expires_at?.toISOString() ?? null }, patch },
    });
    return toBatchView(await requireBatch(trx, principal.tenantId, id));
  });
}

const CSV_PAGE = 10_000;
export const CSV_COLUMNS = ['code', 'uses', 'max_uses', 'member_id', 'expires_at'] as const;

/**
 * The batch's codes as CSV, streamed: pages of 10,000 codes (keyset on the code) go through
 * csv-stringify as the response reads them, so memory stays flat whatever the batch size. Codes
 * are written as stored (upper case, no hyphens); `expires_at` is the code's own or the batch's, in
 * the tenant's time zone with its offset.
 */
export async function batchCodesCsv(db: Db, principal: Principal, batchId: string): Promise<Readable> {
  const tenantId = principal.tenantId;
  const batch = await requireBatch(db, tenantId, batchId);
  const { time_zone: timeZone } = await getTenant(db, tenantId);
  // Most codes share the batch's expiry: format each instant once, not once per code.
  let last: { ms: number; text: string } | null = null;
  const expiry = (at: Date | null) => {
    if (!at) return null;
    if (last?.ms !== at.getTime()) last = { ms: at.getTime(), text: isoInZone(at, timeZone) };
    return last.text;
  };
  async function* records() {
    let after: string | null = null;
    for (;;) {
      const page = await repo.batchCodesPage(db, tenantId, batchId, after, CSV_PAGE);
      for (const row of page) {
        yield { code: row.code, uses: row.uses, max_uses: row.max_uses, member_id: row.member_id, expires_at: expiry(row.expires_at ?? batch.expires_at) };
      }
      if (page.length < CSV_PAGE) return;
      after = page[page.length - 1].code;
    }
  }
  // An error midway destroys the response stream: the client sees a broken download, not a short file.
  return pipeline(Readable.from(records()), stringify({ header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' }), () => {});
}
