import { createDb, migrateToLatest } from '@kartu/db';

/** With DATABASE_URL the suites share one migrated Postgres database; each test makes its own tenant. */
export default async function setup() {
  if (!process.env.DATABASE_URL) return;
  const db = await createDb({ url: process.env.DATABASE_URL });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
