import type { z } from 'zod';
import { recordAudit } from '../audit/audit.repository.ts';
import { evaluateCheckout, type EvaluateInput } from '../checkout/checkout.service.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound, type FieldError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { activeSegmentCodes } from '../segments/segments.repository.ts';
import type { Promotion } from './promotion-engine.ts';
import { PromotionBody, type PromotionConditions, type PromotionInput, type PromotionPatch } from './promotion-schema.ts';
import { toPromotionView, type PromotionView } from './promotions.mapper.ts';
import * as repo from './promotions.repository.ts';

export type StatusAction = 'pause' | 'resume' | 'archive';

const statusAfter: Record<StatusAction, repo.PromotionStatus> = { pause: 'paused', resume: 'active', archive: 'archived' };

export async function listPromotions(db: Db, principal: Principal, filter: { status?: repo.PromotionStatus }, cursor?: string, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listPromotions(db, principal.tenantId, filter, limit, cursor), limit);
  return { items: page.map(toPromotionView), nextCursor };
}

export async function getPromotion(db: Db, principal: Principal, id: string) {
  const row = await repo.findPromotion(db, principal.tenantId, id);
  if (!row) throw notFound('Promotion');
  return toPromotionView(row);
}

export async function createPromotion(db: Db, principal: Principal, input: PromotionInput) {
  return inTransaction(db, async (trx) => {
    await checkReferences(trx, principal.tenantId, input.conditions ?? {});
    const id = newId();
    await repo.insertPromotion(trx, { tenant_id: principal.tenantId, id, ...valuesOf(input) });
    await recordAudit(trx, principal, { action: 'promotion.created', targetType: 'promotion', targetId: id, details: { ...input } });
    return toPromotionView((await repo.findPromotion(trx, principal.tenantId, id))!);
  });
}

/** A partial change; `conditions` and `effect` are replaced whole. The promotion it makes is validated as a whole. */
export async function updatePromotion(db: Db, principal: Principal, id: string, patch: PromotionPatch) {
  return inTransaction(db, async (trx) => {
    const before = await repo.lockPromotion(trx, principal.tenantId, id);
    if (!before) throw notFound('Promotion');
    if (before.status === 'archived') throw archivedError();
    const beforeView = toPromotionView(before);
    const parsed = PromotionBody.safeParse({ ...inputOf(beforeView), ...patch });
    if (!parsed.success) throw validationError(parsed.error.issues);
    await checkReferences(trx, principal.tenantId, parsed.data.conditions ?? {});
    await repo.updatePromotion(trx, principal.tenantId, id, valuesOf(parsed.data));
    await recordAudit(trx, principal, { action: 'promotion.updated', targetType: 'promotion', targetId: id, details: { before: beforeView, patch } });
    return toPromotionView((await repo.findPromotion(trx, principal.tenantId, id))!);
  });
}

/** Pause, resume or archive. Archiving is final; repeating an action changes nothing and logs nothing. */
export async function changePromotionStatus(db: Db, principal: Principal, id: string, action: StatusAction) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockPromotion(trx, principal.tenantId, id);
    if (!row) throw notFound('Promotion');
    const status = statusAfter[action];
    if (row.status === status) return toPromotionView(row);
    if (row.status === 'archived') throw archivedError();
    await repo.setPromotionStatus(trx, principal.tenantId, id, status);
    await recordAudit(trx, principal, {
      action: `promotion.${status}`, targetType: 'promotion', targetId: id, details: { from: row.status, to: status },
    });
    return toPromotionView((await repo.findPromotion(trx, principal.tenantId, id))!);
  });
}

/** The id a draft that is not saved yet has in a preview's `discounts` and `applied`. */
export const DRAFT_PROMOTION_ID = 'draft';

/**
 * The promotion builder's preview: the cart priced as checkout would price it now (or at
 * `occurredAt`), with the draft being edited — if any — taking part as if it were saved and
 * active, together with the live promotions. `replaces` names the saved promotion the draft is an
 * edit of: that one is left out, so the draft stands in for it (paused or not). Nothing is saved.
 */
export async function previewPromotions(
  db: Db,
  principal: Principal,
  input: Omit<EvaluateInput, 'draft'> & { draft?: PromotionInput; replaces?: string },
) {
  const { draft, replaces, ...cart } = input;
  if (!draft) return evaluateCheckout(db, principal, cart);
  const promotion: Promotion = {
    id: replaces ?? DRAFT_PROMOTION_ID,
    name: draft.name,
    priority: draft.priority ?? 0,
    exclusivityGroup: draft.exclusivityGroup ?? null,
    startsAt: new Date(draft.startsAt).toISOString(),
    endsAt: new Date(draft.endsAt).toISOString(),
    conditions: draft.conditions ?? {},
    effect: draft.effect,
  };
  return evaluateCheckout(db, principal, { ...cart, draft: { promotion, replaces } });
}

function inputOf(view: PromotionView): PromotionInput {
  const { name, startsAt, endsAt, priority, exclusivityGroup, conditions, effect } = view;
  return { name, startsAt, endsAt, priority, exclusivityGroup, conditions, effect };
}

function valuesOf(input: PromotionInput): repo.PromotionValues {
  return {
    name: input.name,
    starts_at: input.startsAt,
    ends_at: input.endsAt,
    priority: input.priority ?? 0,
    exclusivity_group: input.exclusivityGroup ?? null,
    conditions: input.conditions ?? {},
    effect: input.effect,
  };
}

/** Tiers, stores and (active) segments named in the conditions must be the tenant's own; each unknown one is named. */
async function checkReferences(db: Db, tenantId: string, conditions: PromotionConditions) {
  const errors: FieldError[] = [];
  const tiers = conditions.tiers ?? [];
  const knownTiers = await repo.existingTierCodes(db, tenantId, tiers);
  tiers.forEach((code, i) => {
    if (!knownTiers.has(code)) errors.push({ path: `body.conditions.tiers.${i}`, message: `No tier with code ${code}` });
  });
  const stores = conditions.stores ?? [];
  const knownStores = await repo.existingStoreIds(db, tenantId, stores);
  stores.forEach((storeId, i) => {
    if (!knownStores.has(storeId)) errors.push({ path: `body.conditions.stores.${i}`, message: 'No such store' });
  });
  const segments = conditions.segments ?? [];
  const knownSegments = await activeSegmentCodes(db, tenantId, segments);
  segments.forEach((code, i) => {
    if (!knownSegments.has(code)) errors.push({ path: `body.conditions.segments.${i}`, message: `No active segment with code ${code}` });
  });
  if (errors.length) throw new DomainError('validation', describe(errors), {}, errors);
}

function validationError(issues: z.ZodError['issues']) {
  const errors = issues.map((issue) => ({ path: ['body', ...issue.path].join('.'), message: issue.message }));
  return new DomainError('validation', describe(errors), {}, errors);
}

const describe = (errors: FieldError[]) => errors.map((e) => `${e.path}: ${e.message}`).join('; ');

const archivedError = () => new DomainError('conflict', 'The promotion is archived and can no longer change');
