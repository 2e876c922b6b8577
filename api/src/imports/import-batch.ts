import { currentCardKid } from '../cards/card-keys.ts';
import { takenCardNumbers } from '../cards/cards.repository.ts';
import { newCardNumber } from '../cards/luhn.ts';
import { newSealedRotatingSecret } from '../cards/rotating-codes.ts';
import type { Db } from '../deps.ts';
import { lockAccounts } from '../ledger/ledger.service.ts';
import { creditOpeningBalances, openAccountsWithBalances, type OpeningTerms } from '../ledger/opening-balances.ts';
import { baseTierId } from '../members/members.repository.ts';
import { expiresAt, policyOf } from '../points/policy.ts';
import { newId } from '../shared/ids.ts';
import type { TenantRow } from '../tenants/tenants.repository.ts';
import { randomVoucherCodes } from '../vouchers/voucher-code.ts';
import { importKeyOf } from './import-row.ts';
import * as repo from './imports.repository.ts';

// One batch of an import, set-based: a handful of statements whatever the batch size. Imported
// members get what any member has (a card, a points account, a referral code, a lifecycle stage)
// but no welcome bonus and no sign-up automations: they joined long ago, elsewhere.

export interface BatchContext {
  tenant: TenantRow;
  importId: string;
  secretKey: Buffer;
  actor: { actor_kind: string; actor_id: string | null };
}

type Outcome = Parameters<typeof repo.recordOutcomes>[3][number];

const REFERRAL_CODE_LENGTH = 8;

async function freshReferralCodes(db: Db, tenantId: string, count: number): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < count) {
    const candidates = randomVoucherCodes(count - codes.size, REFERRAL_CODE_LENGTH).filter((c) => !codes.has(c));
    const taken = await repo.takenReferralCodes(db, tenantId, candidates);
    for (const code of candidates) if (!taken.has(code)) codes.add(code);
  }
  return [...codes];
}

async function freshCardNumbers(db: Db, tenantId: string, count: number): Promise<string[]> {
  const numbers = new Set<string>();
  while (numbers.size < count) {
    const candidates = Array.from({ length: count - numbers.size }, newCardNumber).filter((n) => !numbers.has(n));
    const taken = await takenCardNumbers(db, tenantId, candidates);
    for (const number of candidates) if (!taken.has(number)) numbers.add(number);
  }
  return [...numbers];
}

/** Inserts the members; returns phone → id of those that went in. Their accounts are opened later, with the opening balances. */
async function insertNewMembers(db: Db, context: BatchContext, rows: repo.ValidRow[]) {
  const tenantId = context.tenant.id;
  if (rows.length === 0) return new Map<string, string>();
  const codes = await freshReferralCodes(db, tenantId, rows.length);
  const inserted = await repo.insertMembers(db, tenantId, await baseTierId(db, tenantId), rows.map((row, i) => ({
    id: newId(), phone: row.phone!, name: row.name!, email: row.email, birth_date: row.birth_date, marketing_opt_in: row.marketing_opt_in ?? false,
    tags: row.tags ?? [], referral_code: codes[i],
  })));
  await repo.insertFirstStages(db, tenantId, inserted.map((m) => m.id));
  const kid = await currentCardKid(db, tenantId);
  const numbers = await freshCardNumbers(db, tenantId, inserted.length);
  await repo.insertCards(db, tenantId, inserted.map((m, i) => {
    const id = newId();
    return { id, member_id: m.id, number: numbers[i], kid, rotating_secret_enc: newSealedRotatingSecret(context.secretKey, { tenant_id: tenantId, id }) };
  }));
  return new Map(inserted.map((m) => [m.phone, m.id]));
}

/** Works one batch of valid staged rows; returns the counts to add to the import's progress. */
export async function processBatch(db: Db, context: BatchContext, rows: repo.ValidRow[]) {
  const tenantId = context.tenant.id;
  const outcomes = new Map<number, Outcome>();
  const fail = (row: repo.ValidRow, field: string, message: string) =>
    outcomes.set(row.row_no, { row_no: row.row_no, outcome: 'failed', member_id: null, error_field: field, error_message: message });

  const known = new Map((await repo.membersByPhone(db, tenantId, rows.map((r) => r.phone!))).map((m) => [m.phone, m]));
  const toCreate: repo.ValidRow[] = [];
  for (const row of rows) {
    const member = known.get(row.phone!);
    if (member?.status === 'merged') fail(row, 'phone', 'This number belongs to a member merged into another; use that member’s number');
    else if (!member && !row.name) fail(row, 'name', 'Required for a new member');
    else if (!member) toCreate.push(row);
  }
  const created = await insertNewMembers(db, context, toCreate);
  // A number that joined meanwhile (a sign-up at the till) is filled in like any existing member.
  const late = toCreate.filter((r) => !created.has(r.phone!)).map((r) => r.phone!);
  for (const m of await repo.membersByPhone(db, tenantId, late)) known.set(m.phone, m);

  const memberOf = new Map<number, string>();
  const existing: repo.ValidRow[] = [];
  for (const row of rows) {
    if (outcomes.has(row.row_no)) continue;
    const createdId = created.get(row.phone!);
    if (createdId) memberOf.set(row.row_no, createdId);
    else {
      memberOf.set(row.row_no, known.get(row.phone!)!.id);
      existing.push(row);
    }
  }
  // DESIGN.md's lock order, the one a sale takes: points accounts (ascending id) before member rows, which the update locks.
  if (existing.length) await lockAccounts(db, tenantId, existing.map((row) => memberOf.get(row.row_no)!));
  const changed = await repo.updateMembers(db, tenantId, existing.map((row) => ({
    id: memberOf.get(row.row_no)!, name: row.name, email: row.email, birth_date: row.birth_date, marketing_opt_in: row.marketing_opt_in, tags: row.tags,
  })));

  const claims = rows.filter((r) => memberOf.has(r.row_no) && Number(r.opening_points) > 0).map((row) => ({
    import_key: importKeyOf(row), member_id: memberOf.get(row.row_no)!, points: Number(row.opening_points), entry_id: newId(),
  }));
  const credited = await repo.claimOpeningBalances(db, tenantId, context.importId, claims);
  const creditOf = new Map(credited.map((c) => [c.member_id, c]));
  const terms: OpeningTerms = { expiresAt: expiresAt(new Date(), policyOf(context.tenant)), reference: `import:${context.importId}`, actor: context.actor };
  const newIds = new Set(created.values());
  await openAccountsWithBalances(db, tenantId, [...newIds].map((memberId) => {
    const claim = creditOf.get(memberId);
    return { memberId, opening: claim ? { points: claim.points, entryId: claim.entry_id } : null };
  }), terms);
  await creditOpeningBalances(db, tenantId, credited.filter((c) => !newIds.has(c.member_id))
    .map((c) => ({ importKey: c.import_key, memberId: c.member_id, points: c.points, entryId: c.entry_id })), terms);

  const counts = { processed: rows.length, created: 0, updated: 0, skipped: 0, failed: 0 };
  for (const row of rows) {
    if (outcomes.has(row.row_no)) {
      counts.failed++;
      continue;
    }
    const memberId = memberOf.get(row.row_no)!;
    const outcome = newIds.has(memberId) ? 'created' : changed.has(memberId) || creditOf.has(memberId) ? 'updated' : 'unchanged';
    counts[outcome === 'unchanged' ? 'skipped' : outcome]++;
    outcomes.set(row.row_no, { row_no: row.row_no, outcome, member_id: memberId, error_field: null, error_message: null });
  }
  await repo.recordOutcomes(db, tenantId, context.importId, [...outcomes.values()]);
  return counts;
}
