import type { components } from '@kartu/api/client';
import { t, tEnum } from './i18n.svelte';
import { staffEn } from './i18n-staff';

type AuditEntry = components['schemas']['AuditEntry'];

/** The actions the portal describes in words, for the filter. */
export const DESCRIBED_ACTIONS = Object.keys(staffEn)
  .filter((key) => key.startsWith('auditAction.'))
  .map((key) => key.slice('auditAction.'.length));

/** What changed, in the reader's language where the portal knows the action; otherwise its code. */
export const describeAction = (action: string) => tEnum('auditAction', action);

export function describeActor(entry: AuditEntry): string {
  if (entry.actor.kind === 'api_key') return t('audit.apiKey', { name: entry.actor.name ?? '?' });
  if (entry.actor.kind === 'member') return t('audit.member');
  return entry.actor.name ?? t('audit.unknown');
}

/** The thing changed, as the details name it (a staff member, a store, a key…). */
export function subjectOf(entry: AuditEntry): string | null {
  const { name, code, email } = entry.details as { name?: unknown; code?: unknown; email?: unknown };
  const label = [name, code, email].find((value) => typeof value === 'string' && value);
  return (label as string | undefined) ?? null;
}

/** "field: before → after" lines of an update that recorded its changes. */
export function changesOf(entry: AuditEntry): string[] {
  const changes = entry.details.changes;
  if (!changes || typeof changes !== 'object') return [];
  const shown = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : String(value));
  return Object.entries(changes as Record<string, { from?: unknown; to?: unknown }>).map(
    ([field, change]) => `${field}: ${shown(change?.from)} → ${shown(change?.to)}`,
  );
}
