import type { StaffRole, StaffTable } from '@kartu/db';
import type { Updateable } from 'kysely';
import { recordAudit } from '../audit/audit.repository.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { Db } from '../deps.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { requireStore } from '../stores/stores.service.ts';
import * as repo from './staff.repository.ts';
import { temporaryPassword } from './temporary-password.ts';

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

export interface NewStaff {
  email: string;
  name: string;
  role: StaffRole;
  /** Absent: an invitation, with a temporary password shown once and changed at the first sign-in. */
  password?: string;
  storeId?: string;
}

export interface StaffChanges {
  name?: string;
  role?: StaffRole;
  storeId?: string | null;
  active?: boolean;
}

const isOwner = (principal: Principal) => principal.kind === 'staff' && principal.role === 'owner';

/** Only an owner makes, changes, resets or signs out an owner. */
function assertMayManage(actorIsOwner: boolean, target: { role: StaffRole }) {
  if (target.role === 'owner' && !actorIsOwner) throw new DomainError('forbidden', 'Only an owner may change another owner');
}

/**
 * Locks the active owners (in id order, as every owner-changing use case does first) and tells
 * whether the actor is still one of them. The session's role was read before the transaction: an
 * owner demoted or deactivated meanwhile must not still act as an owner once the demotion commits.
 */
async function lockOwnersFor(trx: Db, principal: Principal, needed: boolean) {
  const activeOwners = needed || isOwner(principal) ? await repo.lockActiveOwners(trx, principal.tenantId) : [];
  return { activeOwners, actorIsOwner: isOwner(principal) && activeOwners.includes(principal.id) };
}

export async function createStaff(db: Db, principal: Principal, input: NewStaff) {
  if (input.role === 'owner' && !isOwner(principal)) {
    throw new DomainError('forbidden', 'Only an owner may add another owner');
  }
  const temporary = input.password === undefined ? temporaryPassword() : null;
  const passwordHash = await hashPassword(input.password ?? temporary!);
  return inTransaction(db, async (trx) => {
    if (input.role === 'owner' && !(await lockOwnersFor(trx, principal, true)).actorIsOwner) {
      throw new DomainError('forbidden', 'Only an owner may add another owner');
    }
    if (input.storeId) await requireStore(trx, principal.tenantId, input.storeId, 'body.storeId');
    if (await repo.emailTaken(trx, input.email)) {
      throw new DomainError('email_taken', 'This email already has a Kartu account', {}, [{ path: 'body.email', message: 'Taken' }]);
    }
    const id = newId();
    await repo.insertStaff(trx, {
      tenant_id: principal.tenantId, id, email: input.email, name: input.name, role: input.role, password_hash: passwordHash, store_id: input.storeId ?? null,
      must_change_password: temporary !== null,
    });
    await recordAudit(trx, principal, {
      action: temporary ? 'staff.invited' : 'staff.created', targetType: 'staff', targetId: id,
      details: { email: input.email, name: input.name, role: input.role, storeId: input.storeId ?? null },
    });
    return { staff: (await repo.findStaff(trx, principal.tenantId, id))!, temporaryPassword: temporary };
  });
}

export async function listStaff(db: Db, principal: Principal, filter: repo.StaffFilter & { cursor?: string; limit: number }) {
  const rows = await repo.listStaff(db, principal.tenantId, filter, filter.limit, filter.cursor);
  return pageOf(rows, filter.limit);
}

export async function findStaffMember(db: Db, principal: Principal, id: string) {
  const staff = await repo.findStaff(db, principal.tenantId, id);
  if (!staff) throw notFound('Staff member');
  return staff;
}

export async function updateStaff(db: Db, principal: Principal, id: string, changes: StaffChanges) {
  return inTransaction(db, async (trx) => {
    // A change that may take away an owner locks every active owner first, in id order, before the
    // target: two owners demoting each other at once then queue instead of both succeeding or deadlocking.
    const mayLoseOwner = changes.role !== undefined || changes.active === false;
    const { activeOwners, actorIsOwner } = await lockOwnersFor(trx, principal, mayLoseOwner);
    const before = await repo.lockStaff(trx, principal.tenantId, id);
    if (!before) throw notFound('Staff member');
    assertMayManage(actorIsOwner, before);
    if (changes.role === 'owner' && before.role !== 'owner' && !actorIsOwner) {
      throw new DomainError('forbidden', 'Only an owner may make someone an owner');
    }
    if (changes.active === false && before.active && principal.id === id) {
      throw invalidField('body.active', 'You cannot deactivate yourself');
    }
    if (changes.storeId) await requireStore(trx, principal.tenantId, changes.storeId, 'body.storeId');
    const losesOwner = before.role === 'owner' && before.active && ((changes.role && changes.role !== 'owner') || changes.active === false);
    if (losesOwner && activeOwners.length === 1 && activeOwners[0] === id) {
      throw new DomainError('last_owner', 'This is the last active owner: make someone else an owner first');
    }

    const set: Updateable<StaffTable> = {};
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const note = <K extends 'name' | 'role' | 'store_id'>(column: K, field: string, value: StaffTable[K] | undefined) => {
      if (value === undefined || value === before[column]) return;
      set[column] = value as never;
      changed[field] = { from: before[column], to: value };
    };
    note('name', 'name', changes.name);
    note('role', 'role', changes.role);
    note('store_id', 'storeId', changes.storeId);
    const activeChanged = changes.active !== undefined && changes.active !== before.active;
    if (activeChanged) set.active = changes.active;

    if (Object.keys(set).length) await repo.updateStaff(trx, principal.tenantId, id, set);
    if (Object.keys(changed).length) {
      await recordAudit(trx, principal, { action: 'staff.updated', targetType: 'staff', targetId: id, details: { name: before.name, changes: changed } });
    }
    if (activeChanged) {
      const sessionsEnded = changes.active ? 0 : await repo.deleteSessionsOf(trx, principal.tenantId, id);
      await recordAudit(trx, principal, {
        action: changes.active ? 'staff.reactivated' : 'staff.deactivated', targetType: 'staff', targetId: id,
        details: { name: before.name, ...(changes.active ? {} : { sessionsEnded }) },
      });
    }
    return (await repo.findStaff(trx, principal.tenantId, id))!;
  });
}

/** Sets a temporary password, shown once; the holder must choose their own at the next sign-in. Their sessions end. */
export async function resetPassword(db: Db, principal: Principal, id: string) {
  const temporary = temporaryPassword();
  const passwordHash = await hashPassword(temporary);
  return inTransaction(db, async (trx) => {
    const { actorIsOwner } = await lockOwnersFor(trx, principal, false);
    const target = await repo.lockStaff(trx, principal.tenantId, id);
    if (!target) throw notFound('Staff member');
    assertMayManage(actorIsOwner, target);
    if (principal.id === id) throw new DomainError('forbidden', 'Change your own password instead of resetting it');
    await repo.updateStaff(trx, principal.tenantId, id, { password_hash: passwordHash, must_change_password: true });
    const sessionsEnded = await repo.deleteSessionsOf(trx, principal.tenantId, id);
    await recordAudit(trx, principal, { action: 'staff.password_reset', targetType: 'staff', targetId: id, details: { name: target.name, sessionsEnded } });
    return { temporaryPassword: temporary, sessionsEnded };
  });
}

/** Signs the staff member out everywhere (a lost tablet, a shared password). */
export async function endSessions(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const { actorIsOwner } = await lockOwnersFor(trx, principal, false);
    const target = await repo.findStaff(trx, principal.tenantId, id);
    if (!target) throw notFound('Staff member');
    assertMayManage(actorIsOwner, target);
    const sessionsEnded = await repo.deleteSessionsOf(trx, principal.tenantId, id);
    await recordAudit(trx, principal, { action: 'staff.sessions_ended', targetType: 'staff', targetId: id, details: { name: target.name, sessionsEnded } });
    return { sessionsEnded };
  });
}

/** The signed-in staff member chooses a new password; their other sessions end. */
export async function changeOwnPassword(db: Db, principal: StaffPrincipal, input: { currentPassword: string; newPassword: string }) {
  const self = await repo.findWithPassword(db, principal.tenantId, principal.id);
  if (!self || !(await verifyPassword(self.password_hash, input.currentPassword))) {
    throw invalidField('body.currentPassword', 'Wrong password');
  }
  if (input.newPassword === input.currentPassword) throw invalidField('body.newPassword', 'Must differ from the current password');
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(db, async (trx) => {
    await repo.updateStaff(trx, principal.tenantId, principal.id, { password_hash: passwordHash, must_change_password: false });
    await repo.deleteSessionsOf(trx, principal.tenantId, principal.id, principal.sessionId);
    await recordAudit(trx, principal, { action: 'staff.password_changed', targetType: 'staff', targetId: principal.id, details: { name: self.name } });
  });
}

export async function getStaff(db: Db, principal: Principal) {
  const staff = await repo.findStaff(db, principal.tenantId, principal.id);
  if (!staff) throw notFound('Staff');
  return staff;
}
