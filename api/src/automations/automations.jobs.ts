import type { Db } from '../deps.ts';
import { credit, lockAccount } from '../ledger/ledger.service.ts';
import { queueMemberMessage } from '../messages/messages.service.ts';
import { expiresAt, policyOf } from '../points/policy.ts';
import { rulesOf } from '../segments/segments.mapper.ts';
import { activeSegmentsByCode } from '../segments/segments.repository.ts';
import { newId } from '../shared/ids.ts';
import type { TenantRow } from '../tenants/tenants.repository.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { issuePersonalVoucher, type RewardVoucherTerms } from '../vouchers/reward-vouchers.ts';
import type { AutomationTrigger } from './automation-schema.ts';
import { triggerOf } from './automations.mapper.ts';
import * as repo from './automations.repository.ts';

// What automations do, run by the job queue (jobs/queue.ts) or directly (tests, tools).
//
// Each action for a member happens in one transaction that first claims the run's unique key
// (automation, member, occasion) under the member's account lock, then credits the bonus, issues
// the voucher and queues the message: a run killed part-way leaves nothing, and a run that
// committed is never repeated, however often (or concurrently) the job runs.

const DAY = 86400e3;

export interface RunOptions {
  /** Called inside each member's transaction after its effects, before the commit (crash tests slow the job here). */
  pause?: () => Promise<void>;
  /** Members per query of the scheduled triggers. */
  batch?: number;
}

export type RunOutcome = { runId: string; points: number; voucherId: string | null; message: 'queued' | 'skipped' | null; reason: string | null } | null;

/**
 * One automation's actions for one member on one occasion, once. Members who are not active get
 * nothing. Messages are marketing: they need the member's consent and fit the retailer's
 * frequency cap (automated messages per member per days, across automations).
 */
export async function applyAutomation(
  trx: Db,
  tenant: TenantRow,
  automation: repo.AutomationRow,
  memberId: string,
  occasion: string,
  at: Date,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const member = await repo.memberForRun(trx, tenant.id, memberId);
  if (!member || member.status !== 'active') return null;
  const account = await lockAccount(trx, tenant.id, memberId);
  const runId = newId();
  if (!(await repo.claimRun(trx, { tenant_id: tenant.id, id: runId, automation_id: automation.id, member_id: memberId, occasion }))) return null;

  const outcome = { runId, points: 0, voucherId: null as string | null, message: null as 'queued' | 'skipped' | null, reason: null as string | null };
  if (automation.points) {
    await credit(trx, tenant.id, account, {
      kind: 'bonus', points: automation.points, reference: `automation:${automation.id}`, note: `Automation: ${automation.name}`,
      actor: { actor_kind: 'system', actor_id: null },
    }, { expiresAt: expiresAt(at, policyOf(tenant)) });
    outcome.points = automation.points;
  }
  let voucherCode: string | undefined;
  if (automation.voucher) {
    const voucher = await issuePersonalVoucher(
      trx, tenant, { origin: 'automation', id: automation.id, name: automation.name }, automation.voucher as unknown as RewardVoucherTerms, memberId, at,
    );
    outcome.voucherId = voucher.id;
    voucherCode = voucher.code;
  }
  let messageId: string | null = null;
  if (automation.message) {
    const skip = (reason: string) => Object.assign(outcome, { message: 'skipped', reason });
    if (!member.marketing_opt_in) skip('no_consent');
    else if (await capReached(trx, tenant, memberId)) skip('frequency_cap');
    else {
      const queued = await queueMemberMessage(trx, {
        tenantId: tenant.id, memberId, purpose: `automation:${automation.id}`, marketing: true, text: automation.message,
        vars: voucherCode ? { voucherCode } : {},
      });
      if (queued.queued) {
        outcome.message = 'queued';
        messageId = queued.messageId;
      } else skip(queued.reason);
    }
  }
  await repo.recordRun(trx, tenant.id, runId, {
    points: outcome.points, voucher_id: outcome.voucherId, message_status: outcome.message, message_reason: outcome.reason, message_id: messageId,
  });
  if (options.pause) await options.pause();
  return outcome;
}

async function capReached(trx: Db, tenant: TenantRow, memberId: string) {
  const { automation_message_cap: cap, automation_cap_days: days } = await repo.settingsOf(trx, tenant.id);
  if (cap <= 0) return true;
  return (await repo.messagesQueuedSince(trx, tenant.id, memberId, new Date(Date.now() - days * DAY))) >= cap;
}

// --- event triggers -------------------------------------------------------------------------------

const eventKinds = { sign_up: ['sign_up'], purchase: ['first_purchase', 'category_purchase'], tier_change: ['tier_change'] } as const;

/** The automations an event fires, each with its occasion. */
async function firedBy(trx: Db, event: repo.EventRow, automations: repo.AutomationRow[]) {
  const fired: { automation: repo.AutomationRow; occasion: string }[] = [];
  let first: boolean | undefined;
  let categories: Set<string> | undefined;
  let tiers: Map<string, { code: string; rank: number }> | undefined;
  for (const automation of automations) {
    const trigger = triggerOf(automation) as AutomationTrigger;
    switch (trigger.kind) {
      case 'sign_up':
        fired.push({ automation, occasion: 'sign_up' });
        break;
      case 'first_purchase':
        first ??= await repo.isFirstPurchase(trx, event.tenant_id, event.member_id, event.transaction_id!);
        if (first) fired.push({ automation, occasion: 'first_purchase' });
        break;
      case 'category_purchase': {
        categories ??= await repo.saleCategories(trx, event.tenant_id, event.transaction_id!);
        if (trigger.categories.some((c) => categories!.has(c))) fired.push({ automation, occasion: `sale:${event.transaction_id}` });
        break;
      }
      case 'tier_change': {
        tiers ??= new Map((await repo.tiersById(trx, event.tenant_id, [event.from_tier_id, event.to_tier_id].filter((t): t is string => Boolean(t))))
          .map((t) => [t.id, t]));
        const from = event.from_tier_id ? tiers.get(event.from_tier_id) : undefined;
        const to = event.to_tier_id ? tiers.get(event.to_tier_id) : undefined;
        if (!from || !to || from.rank === to.rank) break;
        const direction = to.rank > from.rank ? 'up' : 'down';
        if ((trigger.direction === 'any' || trigger.direction === direction) && (!trigger.tier || trigger.tier === to.code)) {
          fired.push({ automation, occasion: `tier:${event.id}` });
        }
        break;
      }
    }
  }
  return fired;
}

/** Seconds before attempt n + 1 of a failed event (about 9 hours in all); after the last, it is given up. */
export const EVENT_RETRY_DELAYS = [60, 300, 1800, 7200, 21600];

/**
 * Works off recorded sign-ups, purchases and tier changes, oldest first, one event per
 * transaction (several workers skip each other's events). An event whose transaction fails (a
 * deadlock, a dropped connection, a member merged a moment ago) is rolled back and tried again
 * later with backoff; after the last attempt it is kept with its error, shown in the portal.
 */
export async function runAutomationEvents(db: Db, options: RunOptions & { max?: number } = {}) {
  let events = 0;
  let runs = 0;
  let failed = 0;
  for (let i = 0; i < (options.max ?? 10_000); i++) {
    let current: repo.EventRow | undefined;
    let done = 0;
    try {
      const worked = await db.transaction().execute(async (trx) => {
        const event = await repo.nextEvent(trx);
        if (!event) return false;
        current = event;
        const automations = await repo.activeAutomations(trx, [...eventKinds[event.kind]], event.tenant_id);
        if (automations.length) {
          const tenant = await getTenant(trx, event.tenant_id);
          for (const { automation, occasion } of await firedBy(trx, event, automations)) {
            if (await applyAutomation(trx, tenant, automation, event.member_id, occasion, new Date(), options)) done++;
          }
        }
        await repo.markEvent(trx, event.id);
        return true;
      });
      if (!worked) break;
      runs += done;
    } catch (error) {
      // Nothing of the event's transaction stayed; when the database is gone this throws too and the event stays due.
      if (!current) throw error;
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      await repo.failEvent(db, current.id, message, EVENT_RETRY_DELAYS[current.attempts] ?? null);
      failed++;
    }
    events++;
  }
  return { events, runs, failed };
}

// --- scheduled triggers ---------------------------------------------------------------------------

const SCHEDULED = ['birthday', 'inactive', 'points_expiring', 'segment_entry'] as const;

/** Who an automation with a scheduled trigger is due for now (the next batch not run yet). */
async function dueFor(db: Db, automation: repo.AutomationRow, at: Date, batch: number) {
  const trigger = triggerOf(automation) as AutomationTrigger;
  const { tenant_id: tenantId, id } = automation;
  switch (trigger.kind) {
    case 'birthday':
      return repo.dueBirthdays(db, tenantId, id, at, batch);
    case 'inactive':
      return repo.dueInactive(db, tenantId, id, trigger.days, at, batch);
    case 'points_expiring':
      return repo.dueExpiring(db, tenantId, id, trigger.days, at, batch);
    case 'segment_entry': {
      const [segment] = await activeSegmentsByCode(db, tenantId, [trigger.segment]);
      if (!segment) return [];
      const rules = rulesOf(segment);
      if (!automation.segment_seen_at) {
        await repo.baselineSegment(db, tenantId, id, rules, at);
        return [];
      }
      return repo.dueSegmentEntries(db, tenantId, id, rules, at, batch);
    }
    default:
      return [];
  }
}

/**
 * Birthdays, quiet spells, expiring points and segment entries: for each active automation, the
 * members due (one set-based query per batch, leaving out those already run for the occasion),
 * then each member's actions in a transaction of its own.
 */
export async function runScheduledAutomations(db: Db, at = new Date(), options: RunOptions & { tenantId?: string } = {}) {
  const batch = options.batch ?? 500;
  let runs = 0;
  const failures: unknown[] = [];
  const automations = await repo.activeAutomations(db, [...SCHEDULED], options.tenantId);
  const tenants = new Map<string, TenantRow>();
  for (const automation of automations) {
    if (automation.trigger_kind === 'segment_entry' && automation.segment_seen_at) {
      const [segment] = await activeSegmentsByCode(db, automation.tenant_id, [(triggerOf(automation) as { segment: string }).segment]);
      if (segment) await repo.forgetLeavers(db, automation.tenant_id, automation.id, rulesOf(segment), at);
    }
    const tenant = tenants.get(automation.tenant_id) ?? (await getTenant(db, automation.tenant_id));
    tenants.set(tenant.id, tenant);
    for (;;) {
      const due = await dueFor(db, automation, at, batch);
      if (!due.length) break;
      let acted = 0;
      for (const { member_id: memberId, occasion } of due) {
        // One member's failure (merged a moment ago, say) rolls back only that member, who is tried again next time.
        const done = await db.transaction().execute(async (trx) => {
          // Paused or archived meanwhile: stop.
          const current = await repo.findAutomation(trx, automation.tenant_id, automation.id);
          if (current?.status !== 'active') return 'stopped' as const;
          const outcome = await applyAutomation(trx, tenant, current, memberId, occasion, at, options);
          if (current.trigger_kind === 'segment_entry') await repo.rememberSegmentMember(trx, tenant.id, current.id, memberId);
          return outcome;
        }).catch((error: unknown) => {
          failures.push(error);
          return null;
        });
        if (done === 'stopped') break;
        if (done) {
          runs++;
          acted++;
        }
      }
      // A short batch was the last; a batch where nobody was acted for (stopped, or all taken meanwhile) ends it too.
      if (acted === 0 || due.length < batch) break;
    }
  }
  if (failures.length && !runs) throw new AggregateError(failures, `${failures.length} automation run(s) failed`);
  return { automations: automations.length, runs, failed: failures.length, firstError: failures.length ? String(failures[0]) : undefined };
}
