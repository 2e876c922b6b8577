import { pageOf } from '../shared/page.ts';
import type { Db } from '../deps.ts';
import { issueCard } from '../cards/cards.service.ts';
import { normaliseTypedCardNumber } from '../cards/luhn.ts';
import { openAccount } from '../ledger/ledger.service.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { toMemberView } from './members.mapper.ts';
import * as repo from './members.repository.ts';
import { normalisePhone } from './phone.ts';

export interface NewMember {
  name: string;
  phone: string;
  email?: string;
  birthDate?: string;
  marketingOptIn?: boolean;
  referralCode?: string;
  source?: string;
}

export function requirePhone(input: string, field = 'body.phone'): string {
  const phone = normalisePhone(input);
  if (!phone) throw invalidField(field, 'Not a valid phone number (e.g. 0812 3456 7890 or +62 812 3456 7890)');
  return phone;
}

/** Today's date (YYYY-MM-DD) where the retailer is. */
const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

/**
 * With the server key (`secretKey`) the new card gets its rotating-code secret at issue. With
 * `giveCard` no card is issued: it gives the member a card (a pre-printed stock card) instead, in
 * the same transaction.
 */
export async function createMember(
  db: Db,
  principal: Principal,
  input: NewMember,
  secretKey?: Buffer,
  giveCard?: (trx: Db, memberId: string) => Promise<void>,
) {
  const phone = requirePhone(input.phone);
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    if (input.birthDate) {
      const tenant = await getTenant(trx, tenantId);
      if (input.birthDate > todayIn(tenant.time_zone)) throw invalidField('body.birthDate', 'Must not be in the future');
      if (input.birthDate < '1900-01-01') throw invalidField('body.birthDate', 'Must be after 1900');
    }
    if (await repo.phoneTaken(trx, tenantId, phone)) {
      throw new DomainError('phone_taken', `${phone} is already a member`, {}, [{ path: 'body.phone', message: 'Already registered' }]);
    }
    const id = newId();
    await repo.insertMember(trx, {
      tenant_id: tenantId, id, name: input.name.trim(), phone, email: input.email?.toLowerCase() ?? null, birth_date: input.birthDate ?? null,
      marketing_opt_in: input.marketingOptIn ?? false, tier_id: await repo.baseTierId(trx, tenantId), source: input.source ?? 'in_store',
    });
    await openAccount(trx, tenantId, id);
    if (giveCard) await giveCard(trx, id);
    else await issueCard(trx, tenantId, id, secretKey);
    return getMember(trx, tenantId, id);
  });
}

export async function getMember(db: Db, tenantId: string, id: string) {
  const row = await repo.findMember(db, tenantId, id);
  if (!row) throw notFound('Member');
  return toMemberView(row);
}

export async function searchMembers(db: Db, principal: Principal, query: string | undefined, cursor: string | undefined, limit = 25) {
  const text = query?.trim();
  const rows = await repo.searchMembers(
    db,
    principal.tenantId,
    { text, phone: text ? normalisePhone(text) : null, cardNumber: text ? normaliseTypedCardNumber(text) : null },
    limit,
    cursor,
  );
  const { page, nextCursor } = pageOf(rows, limit);
  return { items: page.map(toMemberView), nextCursor };
}
