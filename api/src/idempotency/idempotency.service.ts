import type { Db } from '../deps.ts';
import type { Reply } from '../http/route.ts';
import { canonicalHash } from '../shared/crypto.ts';
import { DomainError } from '../shared/errors.ts';
import { callerOf, type Principal } from '../shared/principal.ts';
import * as repo from './idempotency.repository.ts';

interface IdempotentRequest {
  principal: Principal;
  route: string;
  key: string;
  request: unknown;
}

type Stored = NonNullable<Awaited<ReturnType<typeof repo.find>>>;

const replay = (row: Stored): Reply => ({
  status: row.response_status ?? 200,
  body: row.response_body ?? undefined,
  headers: { 'Idempotent-Replayed': 'true' },
});

const inProgress = () =>
  new DomainError('idempotency_in_progress', 'The first request with this Idempotency-Key is still running', { retryAfter: 1 });

/** Domain errors that are the request's final answer, replayed like a success. */
const isFinal = (error: unknown): error is DomainError =>
  error instanceof DomainError && error.code !== 'idempotency_in_progress' && error.code !== 'rate_limited';

/**
 * Runs `effect` at most once per (tenant, caller, route, key). The effect's transaction first locks
 * the key's row, so a duplicate that finds the row locked answers 409 in progress, and one that
 * finds it unlocked but unfinished (its holder died, and rolled back) runs the effect itself. The
 * response is stored in the effect's transaction: a crash leaves both or neither. A final 4xx is
 * stored too; an unexpected error frees the key for a retry.
 */
export async function runIdempotent(
  db: Db,
  req: IdempotentRequest,
  effect: (trx: Db) => Promise<Reply>,
  renderError: (error: DomainError) => Reply,
): Promise<Reply> {
  const ref = { tenantId: req.principal.tenantId, caller: callerOf(req.principal), route: req.route, key: req.key };
  const hash = canonicalHash(req.request);

  if (!(await repo.claim(db, ref, hash))) {
    const existing = await repo.find(db, ref);
    if (!existing) return runIdempotent(db, req, effect, renderError); // released in between
    if (existing.request_hash !== hash) {
      throw new DomainError('idempotency_key_mismatch', 'This Idempotency-Key was used with a different request body');
    }
    if (existing.status === 'done') return replay(existing);
  }

  let outcome: { reply: Reply } | { final: DomainError } | { retry: true };
  try {
    outcome = await db.transaction().execute(async (trx) => {
      const row = await repo.lockUnlessHeld(trx, ref);
      if (!row) {
        if (await repo.find(trx, ref)) throw inProgress();
        return { retry: true as const }; // the holder failed and freed the key
      }
      if (row.status === 'done') return { reply: replay(row) };
      const reply = await effect(trx);
      await repo.complete(trx, ref, reply.status, reply.body);
      return { reply };
    });
  } catch (error) {
    if (!isFinal(error)) {
      if (!(error instanceof DomainError)) await repo.release(db, ref);
      throw error;
    }
    outcome = { final: error };
  }
  if ('retry' in outcome) return runIdempotent(db, req, effect, renderError);
  if ('reply' in outcome) return outcome.reply;
  // The effect rolled back; its answer is stored now, unless another request finished first.
  const answer = renderError(outcome.final);
  await repo.complete(db, ref, answer.status, answer.body);
  return answer;
}
