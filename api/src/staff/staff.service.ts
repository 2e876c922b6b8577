import type { StaffRole } from '@kartu/db';
import { recordAudit } from '../audit/audit.repository.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { requireStore } from '../stores/stores.service.ts';
import * as repo from './staff.repository.ts';

export interface NewStaff {
  email: string;
  name: string;
  role: StaffRole;
  password: string;
  storeId?: string;
}

export async function createStaff(db: Db, principal: Principal, input: NewStaff) {
  if (input.role === 'owner' && !(principal.kind === 'staff' && principal.role === 'owner')) {
    throw new DomainError('forbidden', 'Only an owner may add another owner');
  }
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    if (input.storeId) await requireStore(trx, principal.tenantId, input.storeId, 'body.storeId');
    if (await repo.emailTaken(trx, input.email)) {
      throw new DomainError('email_taken', 'This email already has a Kartu account', {}, [{ path: 'body.email', message: 'Taken' }]);
    }
    const id = newId();
    await repo.insertStaff(trx, {
      tenant_id: principal.tenantId, id, email: input.email, name: input.name, role: input.role, password_hash: passwordHash, store_id: input.storeId ?? null,
    });
    await recordAudit(trx, principal, { action: 'staff.created', targetType: 'staff', targetId: id, details: { email: input.email, role: input.role, storeId: input.storeId ?? null } });
    return (await repo.findStaff(trx, principal.tenantId, id))!;
  });
}

export const listStaff = (db: Db, principal: Principal) => repo.listStaff(db, principal.tenantId);

export async function getStaff(db: Db, principal: Principal) {
  const staff = await repo.findStaff(db, principal.tenantId, principal.id);
  if (!staff) throw notFound('Staff');
  return staff;
}
