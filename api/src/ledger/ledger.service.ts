import type { EntryKind } from '@kartu/db';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './ledger.repository.ts';

export interface LockedAccount {
  id: string;
  balance: number;
  pending: number;
  debt: number;
}

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

export async function openAccount(db: Db, tenantId: string, memberId: string) {
  await repo.insertAccount(db, { tenant_id: tenantId, id: newId(), member_id: memberId });
}

/** Locks the account for this transaction. Every writer locks accounts before lots. */
export async function lockAccount(db: Db, tenantId: string, memberId: string): Promise<LockedAccount> {
  const account = await repo.lockAccountOfMember(db, tenantId, memberId);
  if (!account) throw notFound('Member');
  return account;
}

/** Adds points as a new lot and an entry. The caller holds the account lock. */
export async function credit(db: Db, tenantId: string, account: LockedAccount, posting: Posting, expiresAt: Date | null = null) {
  if (!Number.isSafeInteger(posting.points) || posting.points <= 0) throw new Error('credit takes a positive integer');
  const after = await repo.addToBalance(db, tenantId, account.id, posting.points);
  const entryId = newId();
  await repo.insertEntry(db, entryOf(tenantId, account.id, entryId, posting, posting.points, after.balance));
  await repo.insertLot(db, {
    tenant_id: tenantId, id: newId(), account_id: account.id, entry_id: entryId, points: posting.points, expires_at: expiresAt, created_at: posting.at,
  });
  Object.assign(account, after);
  return after;
}

/** Spends points from the oldest-expiring lots; more than the balance is refused and changes nothing. */
export async function debit(db: Db, tenantId: string, account: LockedAccount, posting: Posting) {
  if (!Number.isSafeInteger(posting.points) || posting.points <= 0) throw new Error('debit takes a positive integer');
  if (posting.points > account.balance) {
    throw new DomainError('insufficient_points', `Only ${account.balance} points can be spent`, { balance: account.balance });
  }
  const taken = await repo.consumeLots(db, tenantId, account.id, posting.points);
  if (taken !== posting.points) throw new Error(`ledger invariant broken: lots held ${taken} of ${posting.points} points`);
  const after = await repo.addToBalance(db, tenantId, account.id, -posting.points);
  await repo.insertEntry(db, entryOf(tenantId, account.id, newId(), posting, -posting.points, after.balance));
  Object.assign(account, after);
  return after;
}

function entryOf(tenantId: string, accountId: string, id: string, posting: Posting, signed: number, balanceAfter: number): repo.NewEntry {
  return {
    tenant_id: tenantId,
    id,
    account_id: accountId,
    kind: posting.kind,
    points: signed,
    balance_after: balanceAfter,
    transaction_id: posting.transactionId ?? null,
    reference: posting.reference ?? null,
    note: posting.note ?? null,
    ...posting.actor,
    created_at: posting.at,
  };
}

export async function pointsOf(db: Db, tenantId: string, memberId: string, cursor: string | undefined, limit = 50) {
  const account = await repo.findAccountOfMember(db, tenantId, memberId);
  if (!account) throw notFound('Member');
  const [rows, expiring] = await Promise.all([
    repo.listEntries(db, tenantId, account.id, limit, cursor),
    repo.listExpiring(db, tenantId, account.id),
  ]);
  const page = rows.slice(0, limit);
  return {
    balance: account.balance,
    pending: account.pending,
    debt: account.debt,
    expiring: expiring.map((lot) => ({ points: Number(lot.points), expiresAt: lot.expires_at! })),
    entries: { items: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null },
  };
}
