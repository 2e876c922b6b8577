import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { earnPoints, shareByLargestRemainder, type EarningInput, type EarningResult, type EarningRule } from './earning-engine.ts';
import * as repo from './earning-rules.repository.ts';
import { toEngineRule, toRuleView } from './earning-rules.mapper.ts';

export interface RuleInput {
  name: string;
  status?: 'active' | 'paused';
  priority?: number;
  exclusivityGroup?: string | null;
  conditions?: EarningRule['conditions'];
  effect: EarningRule['effect'];
}

export const listEarningRules = async (db: Db, principal: Principal) => (await repo.listRules(db, principal.tenantId)).map(toRuleView);

export async function getEarningRule(db: Db, principal: Principal, id: string) {
  const row = await repo.findRule(db, principal.tenantId, id);
  if (!row) throw notFound('Earning rule');
  return toRuleView(row);
}

export async function activeRules(db: Db, tenantId: string): Promise<EarningRule[]> {
  return (await repo.listRules(db, tenantId, 'active')).map(toEngineRule);
}

export async function createEarningRule(db: Db, principal: Principal, input: RuleInput) {
  return inTransaction(db, async (trx) => {
    await checkStores(trx, principal.tenantId, input.conditions);
    const id = newId();
    await repo.insertRule(trx, {
      tenant_id: principal.tenantId, id, name: input.name, status: input.status ?? 'active', priority: input.priority ?? 0,
      exclusivity_group: input.exclusivityGroup ?? null, conditions: input.conditions ?? {}, effect: input.effect,
    });
    await recordAudit(trx, principal, { action: 'earning_rule.created', targetType: 'earning_rule', targetId: id, details: { ...input } });
    return toRuleView((await repo.findRule(trx, principal.tenantId, id))!);
  });
}

export async function updateEarningRule(db: Db, principal: Principal, id: string, patch: Partial<RuleInput>) {
  return inTransaction(db, async (trx) => {
    const before = await repo.findRule(trx, principal.tenantId, id);
    if (!before) throw notFound('Earning rule');
    await checkStores(trx, principal.tenantId, patch.conditions);
    await repo.updateRule(trx, principal.tenantId, id, {
      name: patch.name, status: patch.status, priority: patch.priority, exclusivity_group: patch.exclusivityGroup,
      conditions: patch.conditions, effect: patch.effect,
    });
    await recordAudit(trx, principal, { action: 'earning_rule.updated', targetType: 'earning_rule', targetId: id, details: { before: toRuleView(before), patch } });
    return toRuleView((await repo.findRule(trx, principal.tenantId, id))!);
  });
}

/** Stores named in the conditions must be the tenant's own (another retailer's id is as unknown as a made-up one). */
async function checkStores(db: Db, tenantId: string, conditions: RuleInput['conditions']) {
  const stores = conditions?.stores ?? [];
  const known = await repo.existingStoreIds(db, tenantId, stores);
  const errors = stores.flatMap((storeId, i) => (known.has(storeId) ? [] : [{ path: `body.conditions.stores.${i}`, message: 'No such store' }]));
  if (errors.length) throw new DomainError('validation', 'The conditions name unknown stores', {}, errors);
}

export interface PricedLine {
  sku: string;
  category: string | null;
  quantity: number;
  amount: number;
}

/**
 * Points on a cart: what the member pays for the goods (after discounts and the part paid with
 * points, shared over lines by largest remainder), through the tenant's active rules.
 */
export function earningFor(rules: EarningRule[], lines: PricedLine[], deductions: number, context: Omit<EarningInput, 'rules' | 'lines'>): EarningResult {
  const taken = shareByLargestRemainder(deductions, lines.map((line) => line.amount));
  return earnPoints({
    ...context,
    rules,
    lines: lines.map((line, i) => ({ sku: line.sku, category: line.category, quantity: line.quantity, amount: line.amount - taken[i] })),
  });
}
