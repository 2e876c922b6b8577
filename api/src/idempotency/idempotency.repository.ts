import type { Db } from '../deps.ts';

export interface IdempotencyKeyRef {
  tenantId: string;
  caller: string;
  route: string;
  key: string;
}

const where = (ref: IdempotencyKeyRef) => (eb: any) =>
  eb.and([
    eb('tenant_id', '=', ref.tenantId),
    eb('caller', '=', ref.caller),
    eb('route', '=', ref.route),
    eb('key', '=', ref.key),
  ]);

const columns = ['request_hash', 'status', 'response_status', 'response_body'] as const;

/** Inserts an in-progress row; false when the key exists already. */
export async function claim(db: Db, ref: IdempotencyKeyRef, requestHash: string): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ tenant_id: ref.tenantId, caller: ref.caller, route: ref.route, key: ref.key, request_hash: requestHash, status: 'in_progress' })
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .executeTakeFirst();
  return Boolean(inserted);
}

export function find(db: Db, ref: IdempotencyKeyRef) {
  return db.selectFrom('idempotency_keys').select(columns).where(where(ref)).executeTakeFirst();
}

/**
 * Locks the key row for the effect's transaction, or returns undefined when another running
 * request holds it. A holder that died released its lock with its connection.
 */
export function lockUnlessHeld(db: Db, ref: IdempotencyKeyRef) {
  return db.selectFrom('idempotency_keys').select(columns).where(where(ref)).forUpdate().skipLocked().executeTakeFirst();
}

/** Stores the answer, unless another request's answer is stored already. */
export async function complete(db: Db, ref: IdempotencyKeyRef, status: number, body: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response_status: status, response_body: JSON.stringify(body ?? null) })
    .where(where(ref))
    .where('status', '=', 'in_progress')
    .execute();
}

export async function release(db: Db, ref: IdempotencyKeyRef): Promise<void> {
  await db.deleteFrom('idempotency_keys').where(where(ref)).where('status', '=', 'in_progress').execute();
}
