import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../deps.ts';
import { newId } from '../shared/ids.ts';
import { lockAccount } from './ledger.service.ts';
import * as repo from './ledger.repository.ts';
import { enqueueWebhookEvents } from '../webhooks/webhook-events.ts';
import { pointsExpiredData } from '../webhooks/webhook-payloads.ts';

// Set-based ledger jobs. Each batch of accounts is one transaction that locks its accounts in
// (tenant, id) order before touching lots, the same order every writer uses. A job killed
// mid-way leaves whole batches done or untouched; running it again finishes the rest with the
// same result as one clean run.

export interface JobResult {
  accounts: number;
  points: number;
}

type Account = { tenant_id: string; id: string };

// The batch as two array parameters: a list of 500 `(tenant, id)` literals took the planner longer
// than the batch's work (a BitmapOr arm per pair); a join with unnest() plans in a moment.
const batchRows = (accounts: Account[]) =>
  sql`select * from unnest(${accounts.map((a) => a.tenant_id)}::uuid[], ${accounts.map((a) => a.id)}::uuid[])`;

async function lockBatch(trx: Db, accounts: Account[]) {
  await sql`
    select 1 from point_accounts
    where (tenant_id, id) in (${batchRows(accounts)})
    order by tenant_id, id for update`.execute(trx);
}

const inBatch = (accounts: Account[], alias: string) =>
  sql`(${sql.ref(`${alias}.tenant_id`)}, ${sql.ref(`${alias}.account_id`)}) in (${batchRows(accounts)})`;

// Batches walk the due lots in the order of the job's index (the date they fall due, then tenant and
// account) from where the last batch ended: each batch reads the next lots alone, never again the
// ones before (a million due lots would otherwise be read once per batch), and the index holds all it
// needs. A batch is the accounts of its lots; it expires or posts every due lot of those accounts, so
// the lots behind the cursor are done. Locks are taken in (tenant, id) order within the batch.
type Cursor = { at: string; tenant_id: string; id: string };
type Batch = { accounts: Account[]; last: Cursor };
type FindBatch = (db: Db, size: number, after: Cursor | null) => Promise<Batch | null>;

function dueLots(column: 'expires_at' | 'available_at', condition: RawBuilder<unknown>, now: Date): FindBatch {
  const at = sql.ref(column);
  return async (trx, size, after) => {
    const { rows } = await sql<Cursor>`
      select ${at}::text as at, tenant_id, account_id as id from point_lots
      where ${condition} and ${at} <= ${now}
        ${after ? sql`and (${at}, tenant_id, account_id) > (${after.at}::timestamptz, ${after.tenant_id}::uuid, ${after.id}::uuid)` : sql``}
      order by ${at}, tenant_id, account_id limit ${size}`.execute(trx);
    if (!rows.length) return null;
    const unique = new Map(rows.map((r) => [`${r.tenant_id}/${r.id}`, { tenant_id: r.tenant_id, id: r.id }]));
    const accounts = [...unique.values()].sort((x, y) => (x.tenant_id === y.tenant_id ? compare(x.id, y.id) : compare(x.tenant_id, y.tenant_id)));
    return { accounts, last: rows[rows.length - 1] };
  };
}

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

// Two batches in flight, each a transaction of its own connection: the work is the database's
// (updates and index entries, ~80 µs a lot), so a second backend uses the second core (measured at
// 1,000,000 lots: 59.7 s with one). Batches are found one after another from the cursor, outside their
// transactions; a batch that meets an account the other one holds waits for it, then finds nothing
// left due there (the lots are re-read under the lock). Locks are in (tenant, id) order in both.
// On a single connection (PGlite, or a Kysely bound to one) kysely runs the two one after another.
const IN_FLIGHT = 2;

async function runBatches(db: Db, findBatch: FindBatch, work: (trx: Db, batch: Account[]) => Promise<JobResult>, batchSize: number) {
  const total: JobResult = { accounts: 0, points: 0 };
  let after: Cursor | null = null;
  let finding: Promise<Batch | null> = Promise.resolve(null);
  let stopped = false;
  const next = () => {
    finding = finding.then(async () => {
      if (stopped) return null;
      const batch = await findBatch(db, batchSize, after);
      if (batch) after = batch.last;
      return batch;
    });
    return finding;
  };
  const worker = async () => {
    try {
      for (let batch = await next(); batch; batch = await next()) {
        const accounts = batch.accounts;
        const done = await db.transaction().execute(async (trx) => {
          await lockBatch(trx, accounts);
          return work(trx, accounts);
        });
        total.accounts += done.accounts;
        total.points += done.points;
      }
    } catch (error) {
      stopped = true; // the other takes no new batch
      throw error;
    }
  };
  // Settled, not raced: when one batch fails the job returns only once the other has committed or not.
  const failed = (await Promise.allSettled(Array.from({ length: IN_FLIGHT }, worker))).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return total;
}

/** Expires posted lots whose date has passed: one `expire` entry per account. `batchSize` lots a transaction. */
export function expirePoints(db: Db, now = new Date(), batchSize = 1000): Promise<JobResult> {
  const due = dueLots('expires_at', sql`status = 'posted' and remaining > 0 and expires_at is not null`, now);
  return runBatches(db, due, (trx, batch) => expireLotsOf(trx, batch, now), batchSize);
}

/** Expires the due lots of accounts the caller has locked; returns the accounts that had some and the points expired. */
export async function expireLotsOf(trx: Db, batch: Account[], now: Date): Promise<JobResult> {
  const result = await sql<{ tenant_id: string; member_id: string; points: number; balance: number }>`
    with lots as (
      select l.tenant_id, l.id, l.account_id, l.remaining from point_lots l
      where ${inBatch(batch, 'l')} and l.status = 'posted' and l.remaining > 0 and l.expires_at <= ${now}
      for update
    ), zeroed as (
      update point_lots l set expired = l.expired + lots.remaining, remaining = 0
      from lots where l.tenant_id = lots.tenant_id and l.id = lots.id
      returning lots.tenant_id, lots.account_id, lots.remaining
    ), per_account as (
      select tenant_id, account_id, sum(remaining) as points from zeroed group by tenant_id, account_id
    ), accounts as (
      update point_accounts a set balance = a.balance - p.points, updated_at = now()
      from per_account p where a.tenant_id = p.tenant_id and a.id = p.account_id
      returning a.tenant_id, a.id, a.member_id, a.balance, p.points
    ), entries as (
      insert into point_entries (tenant_id, id, account_id, kind, bucket, points, balance_after, reference, actor_kind)
      select tenant_id, kartu_uuidv7(), id, 'expire', 'balance', -points, balance, 'expiry', 'system' from accounts
    )
    select tenant_id, member_id, points, balance from accounts`.execute(trx);
  await enqueueWebhookEvents(trx, 'points.expired', result.rows.map((r) => ({ tenantId: r.tenant_id, data: pointsExpiredData(r.member_id, Number(r.points), Number(r.balance), now) })));
  return { accounts: result.rows.length, points: result.rows.reduce((sum, row) => sum + Number(row.points), 0) };
}

/** Posts pending lots whose return window has passed; posted points repay debt first. */
export function releasePending(db: Db, now = new Date(), batchSize = 1000): Promise<JobResult> {
  const due = dueLots('available_at', sql`status = 'pending'`, now);
  return runBatches(db, due, async (trx, batch) => {
    const result = await sql<{ points: number }>`
      with lots as (
        select l.tenant_id, l.id, l.account_id, l.remaining from point_lots l
        where ${inBatch(batch, 'l')} and l.status = 'pending' and l.available_at <= ${now}
        for update
      ), posted as (
        update point_lots l set status = 'posted'
        from lots where l.tenant_id = lots.tenant_id and l.id = lots.id
        returning lots.tenant_id, lots.account_id, lots.remaining
      ), per_account as (
        -- Lots a refund or void emptied inside the window post with nothing to move.
        select tenant_id, account_id, sum(remaining) as points from posted group by tenant_id, account_id having sum(remaining) > 0
      ), accounts as (
        update point_accounts a set pending = a.pending - p.points, balance = a.balance + p.points, updated_at = now()
        from per_account p where a.tenant_id = p.tenant_id and a.id = p.account_id
        returning a.tenant_id, a.id, a.balance, p.points
      ), out_of_pending as (
        insert into point_entries (tenant_id, id, account_id, kind, bucket, points, balance_after, reference, actor_kind)
        select tenant_id, kartu_uuidv7(), id, 'earn', 'pending', -points, balance, 'return window over', 'system' from accounts
      )
      insert into point_entries (tenant_id, id, account_id, kind, bucket, points, balance_after, reference, actor_kind)
      select tenant_id, kartu_uuidv7(), id, 'earn', 'balance', points, balance, 'return window over', 'system' from accounts
      returning points`.execute(trx);
    await expireLotsOf(trx, batch, now);
    await repayDebtsOf(trx, batch);
    return { accounts: result.rows.length, points: result.rows.reduce((sum, row) => sum + Number(row.points), 0) };
  }, batchSize);
}

/** Accounts in the batch that now have both debt and points settle it (rare: a loop is fine). */
async function repayDebtsOf(trx: Db, batch: Account[]) {
  const owing = await sql<{ tenant_id: string; member_id: string }>`
    select a.tenant_id, a.member_id from point_accounts a
    where (a.tenant_id, a.id) in (${sql.join(batch.map((a) => sql`(${a.tenant_id}::uuid, ${a.id}::uuid)`))})
      and a.debt > 0 and a.balance > 0`.execute(trx);
  for (const { tenant_id, member_id } of owing.rows) {
    const account = await lockAccount(trx, tenant_id, member_id);
    const repay = Math.min(account.debt, account.balance);
    const taken = await repo.consumeLots(trx, tenant_id, account.id, repay);
    if (taken !== repay) throw new Error(`ledger invariant broken: lots held ${taken} of ${repay} points`);
    const after = await repo.changeAccount(trx, tenant_id, account.id, { balance: -repay, debt: -repay });
    for (const bucket of ['balance', 'debt'] as const) {
      await repo.insertEntry(trx, {
        tenant_id, id: newId(), account_id: account.id, kind: 'repay', bucket, points: -repay, balance_after: after.balance,
        transaction_id: null, reference: 'debt repaid', note: null, actor_kind: 'system', actor_id: null,
      });
    }
  }
}
