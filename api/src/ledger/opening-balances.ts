import type { Db } from '../deps.ts';
import { newId } from '../shared/ids.ts';
import { credit, lockAccounts } from './ledger.service.ts';
import { addToAccounts, insertAccountsWithBalance, insertOpeningEntries, linkOpeningEntry, type OpeningCredit } from './opening-balances.repository.ts';

export interface OpeningTerms {
  expiresAt: Date | null;
  reference: string;
  actor: { actor_kind: string; actor_id: string | null };
}

const NOTE = 'Opening balance';

export interface OpeningBalance {
  importKey: string;
  memberId: string;
  points: number;
  /** The entry id claimed with the import key (member_opening_balances), written in the same transaction. */
  entryId: string;
}

/**
 * Opening balances brought from another system, many at once: entries of kind 'opening' with a
 * posted lot each under the tenant's expiry. Accounts are locked first, in ascending id
 * (DESIGN.md's lock order). An account in debt goes through `credit`, which repays the debt first.
 */
export async function creditOpeningBalances(
  db: Db,
  tenantId: string,
  balances: OpeningBalance[],
  terms: OpeningTerms,
) {
  if (balances.length === 0) return;
  const accounts = await lockAccounts(db, tenantId, balances.map((b) => b.memberId));
  const setBased: OpeningCredit[] = [];
  for (const balance of balances) {
    const account = accounts.get(balance.memberId)!;
    if (account.debt > 0) {
      await credit(db, tenantId, account, { kind: 'opening', points: balance.points, reference: terms.reference, note: NOTE, actor: terms.actor }, { expiresAt: terms.expiresAt });
      await linkOpeningEntry(db, tenantId, balance.importKey, account.id, terms.reference);
      continue;
    }
    account.balance += balance.points;
    setBased.push({ entry_id: balance.entryId, lot_id: newId(), account_id: account.id, points: balance.points, balance_after: account.balance });
  }
  await insertOpeningEntries(db, tenantId, setBased, { reference: terms.reference, note: NOTE, ...terms.actor, expires_at: terms.expiresAt });
  await addToAccounts(db, tenantId, setBased);
}

/**
 * The points accounts of members created in this transaction, each opened with its opening balance
 * (0 for none) and the entry and lot behind it. Nobody else sees these rows before the commit, so
 * there is nothing to lock and no balance to read first.
 */
export async function openAccountsWithBalances(db: Db, tenantId: string, accounts: { memberId: string; opening: { points: number; entryId: string } | null }[], terms: OpeningTerms) {
  const rows = accounts.map((a) => ({ id: newId(), member_id: a.memberId, balance: a.opening?.points ?? 0 }));
  await insertAccountsWithBalance(db, tenantId, rows);
  const credits = accounts.flatMap((a, i) => a.opening
    ? [{ entry_id: a.opening.entryId, lot_id: newId(), account_id: rows[i].id, points: a.opening.points, balance_after: a.opening.points }]
    : []);
  await insertOpeningEntries(db, tenantId, credits, { reference: terms.reference, note: NOTE, ...terms.actor, expires_at: terms.expiresAt });
}
