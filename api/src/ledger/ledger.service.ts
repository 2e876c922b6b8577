import { pageOf } from '../shared/page.ts';
import type { EntryKind } from '@kartu/db';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { expireLotsOf } from './ledger-jobs.ts';
import * as repo from './ledger.repository.ts';

// The points ledger's primitives. Callers hold the account lock (lockAccount) for the whole
// transaction; every writer locks accounts before lots, so jobs and sales never deadlock.

export interface LockedAccount {
  id: string;
  balance: number;
  pending: number;
  debt: number;
}

export const balancesOf = (account: LockedAccount) => ({ balance: account.balance, pending: account.pending, debt: account.debt });

export interface Posting {
  kind: EntryKind;
  points: number;
  transactionId?: string | null;
  reference?: string | null;
  note?: string | null;
  actor: { actor_kind: string; actor_id: string | null };
  /** When the entry happened, for imported history; otherwise now. */
  at?: Date;
}

export interface LotTerms {
  expiresAt: Date | null;
  /** Pending until then (the return window); posted at once when absent or past. */
  availableAt?: Date | null;
}

export async function openAccount(db: Db, tenantId: string, memberId: string) {
  await repo.insertAccount(db, { tenant_id: tenantId, id: newId(), member_id: memberId });
}

/** Locks the account for this transaction. */
export async function lockAccount(db: Db, tenantId: string, memberId: string): Promise<LockedAccount> {
  const found = await repo.lockAccountOfMember(db, tenantId, memberId);
  if (!found) throw notFound('Member');
  // A merge moves everything out under this lock; whoever queued behind it must not write here.
  const { merged_into: mergedInto, ...account } = found;
  if (mergedInto) throw new DomainError('conflict', 'This member was just merged into another; use that member', { mergedInto });
  return account;
}

/** Locks several members' accounts in ascending account id (DESIGN.md's lock order); keyed by member. */
export async function lockAccounts(db: Db, tenantId: string, memberIds: string[]): Promise<Map<string, LockedAccount>> {
  const rows = await repo.lockAccountsOfMembers(db, tenantId, [...new Set(memberIds)]);
  if (rows.length !== new Set(memberIds).size) throw notFound('Member');
  return new Map(rows.map(({ member_id, ...account }) => [member_id, account]));
}

/** What a debit now could spend, without changing anything: the balance less points already past their date. */
export async function spendablePoints(db: Db, tenantId: string, memberId: string): Promise<number> {
  const spendable = await repo.spendableOfMember(db, tenantId, memberId, new Date());
  if (spendable === undefined) throw notFound('Member');
  return spendable;
}

export const insufficientPoints = (balance: number) => new DomainError('insufficient_points', `Only ${balance} points can be spent`, { balance });

function assertPositive(points: number) {
  if (!Number.isSafeInteger(points) || points <= 0) throw new Error('ledger postings take a positive integer');
}

async function entry(db: Db, tenantId: string, account: LockedAccount, posting: Posting, signed: number, bucket: 'balance' | 'pending' | 'debt') {
  const id = newId();
  await repo.insertEntry(db, {
    tenant_id: tenantId,
    id,
    account_id: account.id,
    kind: posting.kind,
    bucket,
    points: signed,
    balance_after: account.balance,
    transaction_id: posting.transactionId ?? null,
    reference: posting.reference ?? null,
    note: posting.note ?? null,
    ...posting.actor,
    created_at: posting.at,
  });
  return id;
}

async function change(db: Db, tenantId: string, account: LockedAccount, delta: repo.AccountDelta) {
  Object.assign(account, await repo.changeAccount(db, tenantId, account.id, delta));
}

/**
 * Adds points as a lot: pending during the return window, else posted at once. Posted points
 * repay any debt first, so the balance grows only once the debt is cleared.
 */
export async function credit(db: Db, tenantId: string, account: LockedAccount, posting: Posting, terms: LotTerms = { expiresAt: null }) {
  assertPositive(posting.points);
  // By the real clock: an imported sale whose return window is over posts at once.
  const pending = Boolean(terms.availableAt && terms.availableAt > new Date());
  await change(db, tenantId, account, pending ? { pending: posting.points, earned: posting.points } : { balance: posting.points, earned: posting.points });
  const entryId = await entry(db, tenantId, account, posting, posting.points, pending ? 'pending' : 'balance');
  const lotId = newId();
  await repo.insertLot(db, {
    tenant_id: tenantId, id: lotId, account_id: account.id, entry_id: entryId, points: posting.points, expires_at: terms.expiresAt,
    // A sale's own lots are what it earned; points it gave back are not (refunds reverse and forgive earnings only).
    transaction_id: posting.kind === 'earn' ? posting.transactionId ?? null : null, status: pending ? 'pending' : 'posted', available_at: pending ? terms.availableAt! : null,
    created_at: posting.at,
  });
  if (!pending) await repayDebt(db, tenantId, account, lotId, posting);
  return account;
}

/** Fresh posted points in `lotId` pay off debt before they can be spent. */
async function repayDebt(db: Db, tenantId: string, account: LockedAccount, lotId: string, cause: Posting) {
  const repay = Math.min(account.debt, account.balance, cause.points);
  if (repay <= 0) return;
  await repo.takeFromLot(db, tenantId, lotId, repay);
  await change(db, tenantId, account, { balance: -repay, debt: -repay });
  const posting = { ...cause, kind: 'repay' as const, points: repay };
  await entry(db, tenantId, account, posting, -repay, 'balance');
  await entry(db, tenantId, account, posting, -repay, 'debt');
}

/** Points past their date are gone before anything is spent, even between two runs of the job. */
async function expireDueLots(db: Db, tenantId: string, account: LockedAccount) {
  if ((await expireLotsOf(db, [{ tenant_id: tenantId, id: account.id }], new Date())).points) {
    Object.assign(account, await repo.findAccountOfMemberById(db, tenantId, account.id));
  }
}

/** Spends points from the oldest-expiring posted lots; more than the balance is refused and changes nothing. */
export async function debit(db: Db, tenantId: string, account: LockedAccount, posting: Posting) {
  assertPositive(posting.points);
  await expireDueLots(db, tenantId, account);
  if (posting.points > account.balance) {
    throw insufficientPoints(account.balance);
  }
  const taken = await repo.consumeLots(db, tenantId, account.id, posting.points);
  if (taken !== posting.points) throw new Error(`ledger invariant broken: lots held ${taken} of ${posting.points} points`);
  await change(db, tenantId, account, { balance: -posting.points, redeemed: posting.points });
  await entry(db, tenantId, account, posting, -posting.points, 'balance');
  return account;
}

/**
 * Takes back points credited outside a sale's earning (an offer's conversion bonus, when the sale
 * that converted is voided or its suggested items refunded): from the posted balance, and what the
 * balance cannot cover becomes debt, as reverseSale does. Not a sale's own reversal: it does not
 * count in the sale's points_reversed.
 */
export async function reclaim(db: Db, tenantId: string, account: LockedAccount, posting: Posting) {
  assertPositive(posting.points);
  await expireDueLots(db, tenantId, account);
  const fromBalance = Math.min(posting.points, account.balance);
  if (fromBalance > 0) {
    const taken = await repo.consumeLots(db, tenantId, account.id, fromBalance);
    if (taken !== fromBalance) throw new Error(`ledger invariant broken: lots held ${taken} of ${fromBalance} points`);
  }
  const debt = posting.points - fromBalance;
  await change(db, tenantId, account, { balance: -fromBalance, debt });
  if (fromBalance) await entry(db, tenantId, account, posting, -fromBalance, 'balance');
  if (debt) await entry(db, tenantId, account, { ...posting, kind: 'debt' }, debt, 'debt');
  return { reclaimed: fromBalance, debt };
}

/**
 * Takes back `points` a sale earned (a refund or void): the sale's expired points are set off
 * first (neither reversed nor owed), then its own lots (pending before posted), then other
 * posted lots, and what is left becomes debt.
 */
export async function reverseSale(
  db: Db,
  tenantId: string,
  account: LockedAccount,
  sale: { id: string; pointsForgiven: number },
  posting: Posting,
) {
  await expireDueLots(db, tenantId, account);
  let left = posting.points;
  const forgiven = Math.min(left, (await repo.expiredOfSale(db, tenantId, sale.id)) - sale.pointsForgiven);
  left -= Math.max(0, forgiven);
  const own = left > 0 ? await repo.reverseSaleLots(db, tenantId, account.id, sale.id, left) : { pending: 0, posted: 0 };
  left -= own.pending + own.posted;
  const other = Math.min(left, account.balance - own.posted);
  if (other > 0) {
    const taken = await repo.consumeLots(db, tenantId, account.id, other);
    if (taken !== other) throw new Error(`ledger invariant broken: lots held ${taken} of ${other} points`);
  }
  left -= Math.max(0, other);
  const fromBalance = own.posted + Math.max(0, other);
  await change(db, tenantId, account, { pending: -own.pending, balance: -fromBalance, debt: left });
  const reversal = { ...posting, kind: 'reverse' as const };
  if (own.pending) await entry(db, tenantId, account, reversal, -own.pending, 'pending');
  if (fromBalance) await entry(db, tenantId, account, reversal, -fromBalance, 'balance');
  if (left) await entry(db, tenantId, account, { ...posting, kind: 'debt' }, left, 'debt');
  return { reversed: own.pending + fromBalance, forgiven: Math.max(0, forgiven), debt: left };
}

/**
 * Moves everything an account holds (balance, pending points, debt, and the live lots behind them
 * with their expiry dates) to another, as compensating `adjust` entries on both: a member merge.
 * The caller holds both account locks.
 */
export async function transferAll(db: Db, tenantId: string, from: LockedAccount, to: LockedAccount, posting: Omit<Posting, 'kind' | 'points'>) {
  const moved = balancesOf(from);
  await repo.moveLiveLots(db, tenantId, from.id, to.id);
  await change(db, tenantId, from, { balance: -moved.balance, pending: -moved.pending, debt: -moved.debt });
  await change(db, tenantId, to, { balance: moved.balance, pending: moved.pending, debt: moved.debt });
  const adjust = { ...posting, kind: 'adjust' as const, points: 0 };
  for (const bucket of ['balance', 'pending', 'debt'] as const) {
    if (!moved[bucket]) continue;
    await entry(db, tenantId, from, adjust, -moved[bucket], bucket);
    await entry(db, tenantId, to, adjust, moved[bucket], bucket);
  }
  return moved;
}

/**
 * Forfeits everything the account holds (an erasure): points past their date expire first, then
 * the posted and pending lots are emptied and any debt written off, as compensating `adjust`
 * entries. The caller holds the account lock; a second call finds nothing left and writes nothing.
 */
export async function forfeitAll(db: Db, tenantId: string, account: LockedAccount, posting: Omit<Posting, 'kind' | 'points'>) {
  await expireDueLots(db, tenantId, account);
  const gone = balancesOf(account);
  await repo.emptyLots(db, tenantId, account.id);
  await change(db, tenantId, account, { balance: -gone.balance, pending: -gone.pending, debt: -gone.debt });
  const adjust = { ...posting, kind: 'adjust' as const, points: 0 };
  for (const bucket of ['balance', 'pending', 'debt'] as const) {
    if (gone[bucket]) await entry(db, tenantId, account, adjust, -gone[bucket], bucket);
  }
  return gone;
}

/** Balance and debt at once (after a merge): the balance pays the debt off first, as earnings would. */
export async function repayDebtFromBalance(db: Db, tenantId: string, account: LockedAccount, cause: Omit<Posting, 'kind' | 'points'>) {
  const repay = Math.min(account.debt, account.balance);
  if (repay <= 0) return;
  const taken = await repo.consumeLots(db, tenantId, account.id, repay);
  if (taken !== repay) throw new Error(`ledger invariant broken: lots held ${taken} of ${repay} points`);
  await change(db, tenantId, account, { balance: -repay, debt: -repay });
  const posting = { ...cause, kind: 'repay' as const, points: repay };
  await entry(db, tenantId, account, posting, -repay, 'balance');
  await entry(db, tenantId, account, posting, -repay, 'debt');
}

export async function pointsOf(db: Db, tenantId: string, memberId: string, cursor: string | undefined, limit = 50) {
  const account = await repo.findAccountOfMember(db, tenantId, memberId);
  if (!account) throw notFound('Member');
  const [rows, expiring] = await Promise.all([
    repo.listEntries(db, tenantId, account.id, limit, cursor),
    repo.listExpiring(db, tenantId, account.id),
  ]);
  const { page, nextCursor } = pageOf(rows, limit);
  return {
    balance: account.balance,
    pending: account.pending,
    debt: account.debt,
    expiring: expiring.map((lot) => ({ points: Number(lot.points), expiresAt: lot.expires_at! })),
    entries: { items: page, nextCursor },
  };
}

export async function openLotsOf(db: Db, tenantId: string, memberId: string) {
  const account = await repo.findAccountOfMember(db, tenantId, memberId);
  if (!account) throw notFound('Member');
  return repo.listOpenLots(db, tenantId, account.id, 500);
}
