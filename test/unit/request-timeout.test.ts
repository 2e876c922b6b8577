import Koa from 'koa';
import { pino } from 'pino';
import request from 'supertest';
import { expect, it } from 'vitest';
import { requestTimeout } from '../../api/src/http/request-timeout.ts';
import { DomainError } from '../../api/src/shared/errors.ts';

// The app's 503 for slow requests (its answers: test/api/operations.test.ts): work that fails
// after the 503 went out is still logged, with the request's logger (its request id).

it('logs an unexpected failure of work that ended after its timeout answer, and not a domain error', async () => {
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const app = new Koa();
  app.use(async (ctx, next) => {
    ctx.state.log = log.child({ requestId: ctx.path });
    try {
      await next();
    } catch (error) {
      ctx.status = error instanceof DomainError && error.code === 'timeout' ? 503 : 500;
    }
  });
  app.use(requestTimeout(50, () => false));
  app.use(async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    throw ctx.path === '/broken' ? new Error('database went away') : new DomainError('not_found', 'No such member');
  });

  await request(app.callback()).get('/broken').expect(503);
  await request(app.callback()).get('/refused').expect(503);
  await expect.poll(() => logs, { timeout: 2000 }).toContainEqual(expect.objectContaining({
    level: 50, requestId: '/broken', msg: 'request failed after its timeout answer', err: expect.objectContaining({ message: 'database went away' }),
  }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(logs.filter((line) => line.requestId === '/refused')).toEqual([]);
});
