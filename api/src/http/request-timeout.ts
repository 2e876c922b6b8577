import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { DomainError } from '../shared/errors.ts';

/** Sent as Retry-After: long enough for the work that is still running to finish most of the time. */
export const RETRY_AFTER_SECONDS = 3;

/**
 * Answers 503 when a request takes longer than `ms`, so a stuck query cannot hold a till or a proxy
 * for ever. The work itself is not cancelled (a sale may still be posted): the till's retry with the
 * same Idempotency-Key gets the real answer. Requests `exempt` names (streamed files) may run longer.
 */
export function requestTimeout(ms: number, exempt: (path: string) => boolean): Middleware {
  return async function timeLimit(ctx, next) {
    if (exempt(ctx.path)) return next();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DomainError('timeout', `No answer within ${ms / 1000} s; try again (with the same Idempotency-Key)`, { retryAfter: RETRY_AFTER_SECONDS })), ms);
    });
    const work = next();
    try {
      await Promise.race([work, timedOut]);
    } catch (error) {
      // Nobody awaits the work after its 503: an unexpected failure would otherwise go unseen.
      if (error instanceof DomainError && error.code === 'timeout') {
        work.catch((late) => {
          if (!(late instanceof DomainError)) (ctx.state.log as Logger | undefined)?.error({ err: late }, 'request failed after its timeout answer');
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
