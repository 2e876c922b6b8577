import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export async function insertCode(db: Db, row: { tenant_id: string; id: string; phone: string; code_hash: Buffer; expires_at: Date }) {
  await db.insertInto('otp_codes').values(row).execute();
}

/** Spends one try of the newest live code for the phone; none when expired, used or out of tries. */
export function takeTry(db: Db, tenantId: string, phone: string, maxTries: number) {
  return db
    .updateTable('otp_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', (eb) =>
      eb.selectFrom('otp_codes').select('id')
        .where('tenant_id', '=', tenantId).where('phone', '=', phone)
        .where('consumed_at', 'is', null).where('expires_at', '>', sql<Date>`now()`)
        .orderBy('created_at', 'desc').limit(1),
    )
    .where('attempts', '<', maxTries)
    .returning(['id', 'code_hash', 'attempts'])
    .executeTakeFirst();
}

export async function consume(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('otp_codes')
    .set({ consumed_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A new code replaces the older live ones. */
export async function retireLiveCodes(db: Db, tenantId: string, phone: string) {
  await db
    .updateTable('otp_codes')
    .set({ consumed_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('phone', '=', phone)
    .where('consumed_at', 'is', null)
    .execute();
}
