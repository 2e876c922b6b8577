import type { Db } from '../deps.ts';

export async function storedForm(db: Db, tenantId: string): Promise<Record<string, unknown>> {
  const row = await db.selectFrom('tenants').select('signup_form').where('id', '=', tenantId).executeTakeFirstOrThrow();
  return row.signup_form;
}

export async function saveSettings(db: Db, tenantId: string, settings: { form?: Record<string, unknown>; welcomeBonusPoints?: number }) {
  if (settings.form === undefined && settings.welcomeBonusPoints === undefined) return;
  await db
    .updateTable('tenants')
    .set({
      signup_form: settings.form === undefined ? undefined : JSON.stringify(settings.form),
      welcome_bonus_points: settings.welcomeBonusPoints,
    })
    .where('id', '=', tenantId)
    .execute();
}
