import type { Db } from '../deps.ts';

export async function insertCard(
  db: Db,
  row: { tenant_id: string; id: string; member_id: string; number: string; kid: string; rotating_secret_enc: string | null },
) {
  await db.insertInto('cards').values(row).execute();
}

export async function cardNumberTaken(db: Db, tenantId: string, number: string) {
  return Boolean(await db.selectFrom('cards').select('id').where('tenant_id', '=', tenantId).where('number', '=', number).executeTakeFirst());
}

export function findActiveCardByNumber(db: Db, tenantId: string, number: string) {
  return db
    .selectFrom('cards')
    .select(['tenant_id', 'id', 'member_id', 'number', 'kid', 'rotating_secret_enc'])
    .where('tenant_id', '=', tenantId)
    .where('number', '=', number)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export function findActiveCardOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('cards')
    .select(['tenant_id', 'id', 'member_id', 'number', 'kid', 'rotating_secret_enc'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}
