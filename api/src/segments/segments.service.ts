import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound, type FieldError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import type { SegmentRules } from './segment-rules.ts';
import { rulesOf, toSegmentMemberView, toSegmentView } from './segments.mapper.ts';
import * as repo from './segments.repository.ts';

export interface SegmentInput {
  code: string;
  name: string;
  description?: string | null;
  rules: SegmentRules;
}

export type SegmentPatch = Partial<Omit<SegmentInput, 'code'>>;

const PREVIEW_SIZE = 20;

export async function listSegments(db: Db, principal: Principal, filter: { status?: repo.SegmentStatus }, cursor?: string, limit = 50, now = new Date()) {
  const { page, nextCursor } = pageOf(await repo.listSegments(db, principal.tenantId, filter, limit, cursor), limit);
  const counts = await repo.countMembers(db, principal.tenantId, page.map(rulesOf), now);
  return { items: page.map((row, i) => toSegmentView(row, counts[i])), nextCursor };
}

export async function getSegment(db: Db, principal: Principal, id: string, now = new Date()) {
  const row = await repo.findSegment(db, principal.tenantId, id);
  if (!row) throw notFound('Segment');
  return withCount(db, principal.tenantId, row, now);
}

export async function createSegment(db: Db, principal: Principal, input: SegmentInput) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    if (await repo.codeTaken(trx, tenantId, input.code)) throw codeTakenError(input.code);
    await checkReferences(trx, tenantId, input.rules, 'body.rules');
    const id = newId();
    await repo.insertSegment(trx, { tenant_id: tenantId, id, code: input.code, name: input.name, description: input.description ?? null, rules: input.rules });
    await recordAudit(trx, principal, { action: 'segment.created', targetType: 'segment', targetId: id, details: { ...input } });
    return withCount(trx, tenantId, (await repo.findSegment(trx, tenantId, id))!, new Date());
  });
}

/** Name, description and rules (replaced whole) may change; the code never does. */
export async function updateSegment(db: Db, principal: Principal, id: string, patch: SegmentPatch) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const before = await repo.lockSegment(trx, tenantId, id);
    if (!before) throw notFound('Segment');
    if (before.status === 'archived') throw new DomainError('conflict', 'The segment is archived and can no longer change');
    if (patch.rules) await checkReferences(trx, tenantId, patch.rules, 'body.rules');
    await repo.updateSegment(trx, tenantId, id, {
      name: patch.name ?? before.name,
      description: patch.description !== undefined ? patch.description : before.description,
      rules: patch.rules ?? rulesOf(before),
    });
    await recordAudit(trx, principal, {
      action: 'segment.updated', targetType: 'segment', targetId: id,
      details: { before: { name: before.name, description: before.description, rules: before.rules }, patch },
    });
    return withCount(trx, tenantId, (await repo.findSegment(trx, tenantId, id))!, new Date());
  });
}

/** Archiving is final and repeating it changes nothing; the code stays taken. */
export async function archiveSegment(db: Db, principal: Principal, id: string) {
  await inTransaction(db, async (trx) => {
    const row = await repo.lockSegment(trx, principal.tenantId, id);
    if (!row) throw notFound('Segment');
    if (row.status === 'archived') return;
    await repo.archiveSegment(trx, principal.tenantId, id);
    await recordAudit(trx, principal, { action: 'segment.archived', targetType: 'segment', targetId: id, details: { code: row.code } });
  });
}

/** The live count and the newest members of rules being built; nothing is saved. */
export async function previewSegment(db: Db, principal: Principal, rules: SegmentRules, now = new Date()) {
  await checkReferences(db, principal.tenantId, rules, 'body.rules');
  const [[count], rows] = await Promise.all([
    repo.countMembers(db, principal.tenantId, [rules], now),
    repo.segmentMembers(db, principal.tenantId, rules, now, PREVIEW_SIZE),
  ]);
  return { count, members: rows.slice(0, PREVIEW_SIZE).map(toSegmentMemberView) };
}

export async function listSegmentMembers(db: Db, principal: Principal, id: string, cursor?: string, limit = 50, now = new Date()) {
  const row = await repo.findSegment(db, principal.tenantId, id);
  if (!row) throw notFound('Segment');
  const { page, nextCursor } = pageOf(await repo.segmentMembers(db, principal.tenantId, rulesOf(row), now, limit, cursor), limit);
  return { items: page.map(toSegmentMemberView), nextCursor };
}

async function withCount(db: Db, tenantId: string, row: repo.SegmentRow, now: Date) {
  const [count] = await repo.countMembers(db, tenantId, [rulesOf(row)], now);
  return toSegmentView(row, count);
}

/** Tier codes and store ids in the conditions must be the tenant's own; each unknown one is named. */
async function checkReferences(db: Db, tenantId: string, rules: SegmentRules, at: string) {
  const tiers: { code: string; path: string }[] = [];
  const stores: { id: string; path: string }[] = [];
  rules.conditions.forEach((c, i) => {
    if (c.type === 'tier') c.tiers.forEach((code, j) => tiers.push({ code, path: `${at}.conditions.${i}.tiers.${j}` }));
    if (c.type === 'store') c.stores.forEach((id, j) => stores.push({ id, path: `${at}.conditions.${i}.stores.${j}` }));
  });
  const [knownTiers, knownStores] = await Promise.all([
    repo.knownTierCodes(db, tenantId, tiers.map((t) => t.code)),
    repo.knownStoreIds(db, tenantId, stores.map((s) => s.id)),
  ]);
  const errors: FieldError[] = [
    ...tiers.filter((t) => !knownTiers.has(t.code)).map((t) => ({ path: t.path, message: `No tier with code ${t.code}` })),
    ...stores.filter((s) => !knownStores.has(s.id)).map((s) => ({ path: s.path, message: 'No such store' })),
  ];
  if (errors.length) throw new DomainError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {}, errors);
}

const codeTakenError = (code: string) =>
  new DomainError('conflict', `A segment with code ${code} exists (archived segments keep their code)`, {}, [{ path: 'body.code', message: 'Taken' }]);

/**
 * The codes among `codes` of the tenant's active segments that contain the member at `now`: one
 * read of the segments' rules, then one query that evaluates all of them. For checkout.
 */
export async function memberSegmentCodes(db: Db, tenantId: string, memberId: string, codes: string[], now: Date): Promise<string[]> {
  const segments = await repo.activeSegmentsByCode(db, tenantId, [...new Set(codes)]);
  return repo.segmentsOfMember(db, tenantId, memberId, segments.map((s) => ({ code: s.code, rules: rulesOf(s) })), now);
}
