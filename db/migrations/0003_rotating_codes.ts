import { sql, type Kysely } from 'kysely';

// The member app's rotating QR: a per-card 32-byte secret sealed with KARTU_SECRET_KEY (cards made
// before this migration get one lazily on first use), and the last accepted time step per card so
// a code scans once (no replay).
export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `alter table cards
         add column rotating_secret_enc text,
         add column rotating_last_counter int8 check (rotating_last_counter >= 0)`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table cards drop column rotating_secret_enc, drop column rotating_last_counter').execute(db);
}
