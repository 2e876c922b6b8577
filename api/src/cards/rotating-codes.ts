import { randomBytes } from 'node:crypto';
import { counterAt, ROTATING_DIGITS, ROTATING_PERIOD_SECONDS, rotatingCode } from '../../client/rotating-code.ts';
import type { Db } from '../deps.ts';
import { decryptSecret, encryptSecret, safeEqual } from '../shared/crypto.ts';

// The member app's rotating QR `K2.<card number>.<8 digits>`: a TOTP-style code (client/rotating-code.ts)
// under a per-card 32-byte secret sealed with KARTU_SECRET_KEY. The server accepts the step before,
// the step of and the step after its own clock (one step of drift each way, so a screenshot stops
// scanning after about a minute). Once a step was seen, older steps of that card no longer scan
// (cards.rotating_last_counter); the current one may be scanned again, as a cashier often does.
const K2 = /^K2\.(\d{16})\.(\d{8})$/;

/** Steps of drift accepted on each side of the server's current step. */
export const DRIFT_STEPS = 1;

export function parseRotatingCode(text: string): { number: string; code: string } | null {
  const match = K2.exec(text.trim().toUpperCase());
  return match ? { number: match[1], code: match[2] } : null;
}

const rotatingContext = (card: { tenant_id: string; id: string }) => `rotating|${card.tenant_id}|${card.id}`;

/** A new rotating-code secret for the card, sealed. */
export const newSealedRotatingSecret = (masterKey: Buffer, card: { tenant_id: string; id: string }): string =>
  encryptSecret(masterKey, randomBytes(32), rotatingContext(card));

/**
 * The card's rotating secret; a card issued before rotating codes gets one now. Race-safe: the
 * guarded update only fills an empty column, then everyone reads what was stored.
 */
export async function rotatingSecretOf(
  db: Db,
  masterKey: Buffer,
  card: { tenant_id: string; id: string; rotating_secret_enc: string | null },
): Promise<Buffer> {
  if (card.rotating_secret_enc) return decryptSecret(masterKey, card.rotating_secret_enc, rotatingContext(card));
  await db
    .updateTable('cards')
    .set({ rotating_secret_enc: newSealedRotatingSecret(masterKey, card) })
    .where('tenant_id', '=', card.tenant_id)
    .where('id', '=', card.id)
    .where('rotating_secret_enc', 'is', null)
    .execute();
  const row = await db
    .selectFrom('cards')
    .select('rotating_secret_enc')
    .where('tenant_id', '=', card.tenant_id)
    .where('id', '=', card.id)
    .executeTakeFirstOrThrow();
  return decryptSecret(masterKey, row.rotating_secret_enc!, rotatingContext(card));
}

/** The accepted step a code matches (now − 1, now, now + 1), or null. Every candidate is compared. */
export function matchingCounter(secret: Uint8Array, code: string, now = Date.now()): number | null {
  const current = counterAt(now, ROTATING_PERIOD_SECONDS);
  const given = Buffer.from(code.padEnd(ROTATING_DIGITS, ' '));
  let found: number | null = null;
  for (let counter = current - DRIFT_STEPS; counter <= current + DRIFT_STEPS; counter++) {
    if (safeEqual(Buffer.from(rotatingCode(secret, counter)), given) && found === null) found = counter;
  }
  return found;
}

/**
 * Accepts a step unless a later one of the card was seen: a guarded single statement that only
 * moves the card's last step forward. False for an older step (a screenshot or a replayed code).
 */
export async function claimCounter(db: Db, card: { tenant_id: string; id: string }, counter: number): Promise<boolean> {
  const result = await db
    .updateTable('cards')
    .set({ rotating_last_counter: counter })
    .where('tenant_id', '=', card.tenant_id)
    .where('id', '=', card.id)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('rotating_last_counter', 'is', null), eb('rotating_last_counter', '<=', counter)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const rotatingParameters = { periodSeconds: ROTATING_PERIOD_SECONDS, digits: ROTATING_DIGITS } as const;
