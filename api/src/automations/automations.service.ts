import type { Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { activeSegmentCodes } from '../segments/segments.repository.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import type { AutomationInput, AutomationPatchInput, AutomationSettings, AutomationTrigger } from './automation-schema.ts';
import { toAutomationView, toTotals, triggerOf } from './automations.mapper.ts';
import * as repo from './automations.repository.ts';

export type StatusAction = 'pause' | 'resume' | 'archive';
const statusAfter: Record<StatusAction, repo.AutomationStatus> = { pause: 'paused', resume: 'active', archive: 'archived' };

function triggerValues(trigger: AutomationTrigger) {
  const { kind, ...settings } = trigger;
  return { trigger_kind: kind, trigger: JSON.stringify(settings) };
}

function actionValues(input: { points?: number | null; voucher?: unknown; message?: { id: string; en: string } | null }) {
  return {
    points: input.points ?? null,
    voucher: input.voucher ? JSON.stringify(input.voucher) : null,
    message: input.message ? JSON.stringify(input.message) : null,
  };
}

/** The trigger's codes must be the tenant's own: an active segment, a tier. */
async function checkTrigger(db: Db, tenantId: string, trigger: AutomationTrigger | undefined) {
  if (trigger?.kind === 'segment_entry' && !(await activeSegmentCodes(db, tenantId, [trigger.segment])).has(trigger.segment)) {
    throw invalidField('body.trigger.segment', `No active segment with code ${trigger.segment}`);
  }
  if (trigger?.kind === 'tier_change' && trigger.tier && !(await repo.tierCodeExists(db, tenantId, trigger.tier))) {
    throw invalidField('body.trigger.tier', `No tier with code ${trigger.tier}`);
  }
}

async function withTotals(db: Db, tenantId: string, rows: repo.AutomationRow[]) {
  const totals = await repo.automationTotals(db, tenantId, rows.map((r) => r.id));
  return rows.map((row) => toAutomationView(row, totals.find((t) => t.automation_id === row.id)));
}

export async function listAutomations(db: Db, principal: Principal, filter: { status?: repo.AutomationStatus }, cursor?: string, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listAutomations(db, principal.tenantId, filter, limit, cursor), limit);
  const failures = await repo.eventFailures(db, principal.tenantId);
  return {
    items: await withTotals(db, principal.tenantId, page), nextCursor,
    eventFailures: { failed: failures.failed, retrying: failures.retrying, lastError: failures.last_error },
  };
}

export async function getAutomation(db: Db, principal: Principal, id: string) {
  const row = await repo.findAutomation(db, principal.tenantId, id);
  if (!row) throw notFound('Automation');
  return (await withTotals(db, principal.tenantId, [row]))[0];
}

export async function createAutomation(db: Db, principal: Principal, input: AutomationInput) {
  return inTransaction(db, async (trx) => {
    await checkTrigger(trx, principal.tenantId, input.trigger);
    const id = newId();
    await repo.insertAutomation(trx, {
      tenant_id: principal.tenantId, id, name: input.name, ...triggerValues(input.trigger), ...actionValues(input),
      ...(input.status ? { status: input.status } : {}),
    });
    await recordAudit(trx, principal, { action: 'automation.created', targetType: 'automation', targetId: id, details: { ...input } });
    return getAutomation(trx, principal, id);
  });
}

export async function updateAutomation(db: Db, principal: Principal, id: string, patch: AutomationPatchInput) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockAutomation(trx, principal.tenantId, id);
    if (!row) throw notFound('Automation');
    if (row.status === 'archived') throw new DomainError('conflict', 'An archived automation cannot change');
    const merged = {
      points: patch.points !== undefined ? patch.points : row.points,
      voucher: patch.voucher !== undefined ? patch.voucher : row.voucher,
      message: patch.message !== undefined ? patch.message : row.message,
    };
    if (!merged.points && !merged.voucher && !merged.message) throw invalidField('body.points', 'Give at least one action: points, voucher or message');
    await checkTrigger(trx, principal.tenantId, patch.trigger);
    const before = triggerOf(row);
    const triggerChanged = patch.trigger !== undefined && JSON.stringify(patch.trigger) !== JSON.stringify(before);
    await repo.updateAutomation(trx, principal.tenantId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.trigger ? triggerValues(patch.trigger) : {}),
      ...actionValues(merged as Parameters<typeof actionValues>[0]),
      // Another segment (or trigger) starts from a new baseline.
      ...(triggerChanged ? { segment_seen_at: null } : {}),
    });
    if (triggerChanged && before.kind === 'segment_entry') {
      await trx.deleteFrom('automation_segment_members').where('tenant_id', '=', principal.tenantId).where('automation_id', '=', id).execute();
    }
    await recordAudit(trx, principal, { action: 'automation.updated', targetType: 'automation', targetId: id, details: { ...patch } });
    return getAutomation(trx, principal, id);
  });
}

/** Pause, resume or archive; archiving is final, and a repeated action changes nothing. */
export async function changeAutomationStatus(db: Db, principal: Principal, id: string, action: StatusAction) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockAutomation(trx, principal.tenantId, id);
    if (!row) throw notFound('Automation');
    const status = statusAfter[action];
    if (row.status !== status) {
      if (row.status === 'archived') throw new DomainError('conflict', 'An archived automation cannot change');
      await repo.updateAutomation(trx, principal.tenantId, id, { status });
      await recordAudit(trx, principal, { action: `automation.${status}`, targetType: 'automation', targetId: id, details: { from: row.status, to: status } });
    }
    return getAutomation(trx, principal, id);
  });
}

/** Results over runs in a window: totals, skipped messages by reason, and a line per local day. */
export async function automationResults(db: Db, principal: Principal, id: string, window: repo.ResultWindow) {
  const row = await repo.findAutomation(db, principal.tenantId, id);
  if (!row) throw notFound('Automation');
  const tenant = await getTenant(db, principal.tenantId);
  const [totals, skipped, daily] = await Promise.all([
    repo.automationTotals(db, principal.tenantId, [id], window),
    repo.skippedByReason(db, principal.tenantId, id, window),
    repo.automationDaily(db, principal.tenantId, id, window, tenant.time_zone),
  ]);
  return {
    from: window.from?.toISOString() ?? null,
    to: window.to?.toISOString() ?? null,
    ...toTotals(totals[0]),
    skipped,
    daily,
  };
}

export async function automationSettings(db: Db, principal: Principal): Promise<AutomationSettings> {
  const row = await repo.settingsOf(db, principal.tenantId);
  return { messageCap: row.automation_message_cap, capDays: row.automation_cap_days };
}

export async function updateAutomationSettings(db: Db, principal: Principal, patch: Partial<AutomationSettings>) {
  return inTransaction(db, async (trx) => {
    await repo.saveSettings(trx, principal.tenantId, { automation_message_cap: patch.messageCap, automation_cap_days: patch.capDays });
    await recordAudit(trx, principal, { action: 'automation_settings.updated', targetType: 'tenant', targetId: principal.tenantId, details: { ...patch } });
    return automationSettings(trx, principal);
  });
}
