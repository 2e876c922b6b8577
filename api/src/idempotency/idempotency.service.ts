import type { Db } from '../deps.ts';
import type { Reply } from '../http/route.ts';
import { canonicalHash } from '../shared/crypto.ts';
import { DomainError } from '../shared/errors.ts';
import { callerOf, type Principal } from '../shared/principal.ts';
import * as repo from './idempotency.repository.ts';

// A holder whose request outlives this is gone: requests time out long before.
const STALE_AFTER_SECONDS = 60;

interface IdempotentRequest {
  principal: Principal;
  route: string;
  key: string;
  request: unknown;
}

/**
 * Runs `effect` at most once per (tenant, caller, route, key). The response is stored in the
 * effect's own transaction, so a crash leaves either both or neither. A failed effect frees the key.
 */
export async function runIdempotent(db: Db, req: IdempotentRequest, effect: (trx: Db) => Promise<Reply>): Promise<Reply> {
  const ref = { tenantId: req.principal.tenantId, caller: callerOf(req.principal), route: req.route, key: req.key };
  const hash = canonicalHash(req.request);

  if (!(await repo.claim(db, ref, hash))) {
    const existing = await repo.find(db, ref);
    if (!existing) return runIdempotent(db, req, effect); // released between our two statements
    if (existing.request_hash !== hash) {
      throw new DomainError('idempotency_key_mismatch', 'This Idempotency-Key was used with a different request body');
    }
    if (existing.status === 'done') {
      return {
        status: existing.response_status ?? 200,
        body: existing.response_body ?? undefined,
        headers: { 'Idempotent-Replayed': 'true' },
      };
    }
    if (!(await repo.takeOverStale(db, ref, STALE_AFTER_SECONDS))) {
      throw new DomainError('idempotency_in_progress', 'The first request with this Idempotency-Key is still running', {
        retryAfter: 1,
      });
    }
  }

  try {
    return await db.transaction().execute(async (trx) => {
      const reply = await effect(trx);
      await repo.complete(trx, ref, reply.status, reply.body);
      return reply;
    });
  } catch (error) {
    await repo.release(db, ref);
    throw error;
  }
}
