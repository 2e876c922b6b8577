import type { Db } from '../deps.ts';

/** One transaction per use case: opens one, or joins the caller's (an idempotent request's). */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
