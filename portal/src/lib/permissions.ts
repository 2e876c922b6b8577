import type { components } from '@kartu/api/client';

export type Role = components['schemas']['Staff']['role'];

/** What the portal's screens need; mirrors the API's permission table (api/src/shared/principal.ts). */
export type Permission = 'members.read' | 'members.write' | 'members.merge' | 'cards.manage' | 'sales.post' | 'programs.manage' | 'wallets.manage' | 'reports.read' | 'outbox.read' | 'points.redeem' | 'messages.manage' | 'outbox.retry' | 'feedback.manage' | 'points.adjust' | 'audit.read' | 'stores.manage' | 'staff.manage' | 'api_keys.manage' | 'members.bulk' | 'members.erase';

const grants: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(['members.read', 'members.write', 'members.merge', 'cards.manage', 'sales.post', 'programs.manage', 'wallets.manage', 'reports.read', 'outbox.read', 'points.redeem', 'messages.manage', 'outbox.retry', 'feedback.manage', 'points.adjust', 'audit.read', 'stores.manage', 'staff.manage', 'api_keys.manage', 'members.bulk', 'members.erase']),
  admin: new Set(['members.read', 'members.write', 'members.merge', 'cards.manage', 'sales.post', 'programs.manage', 'wallets.manage', 'reports.read', 'outbox.read', 'points.redeem', 'messages.manage', 'outbox.retry', 'feedback.manage', 'points.adjust', 'audit.read', 'stores.manage', 'staff.manage', 'api_keys.manage', 'members.bulk', 'members.erase']),
  marketer: new Set(['members.read', 'members.write', 'programs.manage', 'reports.read', 'outbox.read', 'outbox.retry', 'feedback.manage']),
  cashier: new Set(['members.read', 'members.write', 'sales.post', 'points.redeem']),
};

/** Whether a role may use a screen or action; the API decides in the end, this only hides what would be refused. */
export function can(role: Role, permission: Permission): boolean {
  return grants[role].has(permission);
}
