import type { StaffRole } from '@kartu/db';

export type Principal =
  | {
      kind: 'staff'; tenantId: string; id: string; role: StaffRole; storeId: string | null; sessionId: string;
      /** Signed in with a temporary password: the API answers only /auth/me and /auth/password until it is changed. */
      mustChangePassword?: boolean;
    }
  | { kind: 'api_key'; tenantId: string; id: string; scopes: ApiKeyScope[]; storeId: string | null }
  | { kind: 'member'; tenantId: string; id: string; sessionId: string };

export type ApiKeyScope = 'pos' | 'read' | 'admin';

export type Permission =
  | 'members.read'
  | 'members.write'
  | 'scan'
  | 'sales.post'
  | 'points.redeem'
  | 'points.adjust'
  /** Block and unblock member cards, see and print a member's card code, generate and download card stock: owners, admins and admin keys. */
  | 'cards.manage'
  /** Merge duplicate members (moves points, sales, cards and vouchers): owners, admins and admin keys. */
  | 'members.merge'
  /** Erase a member's personal data on their written request (UU PDP): owners and admins, signed in (no API key). */
  | 'members.erase'
  | 'stores.read'
  /** Look products up (the till, a POS): every role and every key scope. */
  | 'products.read'
  /** Add and change products one at a time: owners, admins, marketers and admin keys. */
  | 'products.manage'
  /** Bulk-upsert the catalogue (a POS syncing it): products.manage holders and pos keys. */
  | 'products.sync'
  | 'stores.manage'
  | 'staff.manage'
  | 'api_keys.manage'
  | 'programs.manage'
  /** Give back any voucher use; without it (cashiers, POS keys) only a use of today at one's own store. */
  | 'voucher_uses.cancel_any'
  /** Wallet issuer credentials (Google service-account key, Apple pass certificate): owners, admins and admin keys. */
  | 'wallets.manage'
  | 'reports.read'
  | 'outbox.read'
  /** Message transports (SMTP password, gateway tokens) and channel order: owners, admins and admin keys. */
  | 'messages.manage'
  /** Send a failed message again: owners, admins, marketers and admin keys. */
  | 'outbox.retry'
  | 'audit.read'
  /** The feedback inbox (members' ratings, complaints, suggestions): read, assign, reply, change status. Owners, admins, marketers, admin keys; not cashiers. */
  | 'feedback.manage'
  /** Import members with opening balances, export members and the ledger (every member's data at once): owners, admins and admin keys. */
  | 'members.bulk';

const everything: Permission[] = [
  'members.read', 'members.write', 'scan', 'sales.post', 'points.redeem', 'points.adjust', 'cards.manage', 'members.merge', 'members.erase',
  'stores.read', 'stores.manage', 'products.read', 'products.manage', 'products.sync', 'staff.manage', 'api_keys.manage', 'programs.manage', 'voucher_uses.cancel_any', 'wallets.manage', 'reports.read', 'outbox.read', 'audit.read',
  'feedback.manage', 'messages.manage', 'outbox.retry', 'members.bulk',
];

// The one permission table: roles for staff, scopes for API keys.
const grants: Record<StaffRole | `scope:${ApiKeyScope}`, ReadonlySet<Permission>> = {
  owner: new Set(everything),
  admin: new Set(everything),
  marketer: new Set(['members.read', 'members.write', 'stores.read', 'products.read', 'products.manage', 'products.sync', 'programs.manage', 'reports.read', 'outbox.read', 'feedback.manage', 'outbox.retry']),
  cashier: new Set(['members.read', 'members.write', 'scan', 'sales.post', 'points.redeem', 'stores.read', 'products.read']),
  'scope:pos': new Set(['members.read', 'members.write', 'scan', 'sales.post', 'points.redeem', 'stores.read', 'products.read', 'products.sync']),
  'scope:read': new Set(['members.read', 'stores.read', 'products.read', 'reports.read']),
  'scope:admin': new Set(everything.filter((p) => p !== 'staff.manage' && p !== 'api_keys.manage' && p !== 'members.erase')),
};

export function can(principal: Principal, permission: Permission): boolean {
  switch (principal.kind) {
    case 'staff':
      return grants[principal.role].has(permission);
    case 'api_key':
      return principal.scopes.some((scope) => grants[`scope:${scope}`].has(permission));
    case 'member':
      return false;
  }
}

/** Cashiers and POS keys act for a member only with the member present (a fresh scan or a one-time code). */
export function needsMemberPresence(principal: Principal): boolean {
  if (principal.kind === 'staff') return principal.role === 'cashier' || principal.role === 'marketer';
  if (principal.kind === 'api_key') return !principal.scopes.includes('admin');
  return false;
}

export const actorOf = (principal: Principal) => ({ actor_kind: principal.kind, actor_id: principal.id });

/** The identity that scopes idempotency keys: the API key, the staff member or the member. */
export const callerOf = (principal: Principal) => `${principal.kind}:${principal.id}`;
