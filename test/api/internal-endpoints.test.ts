import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The endpoints `npm run backup` and `npm run ledger:verify` use while the server holds the embedded
// database. Behind KARTU_TRUST_PROXY a proxy on this machine connects from loopback for everyone.
let app: TestApp;
const token = 'local-tool-token-from-the-pid-file';
beforeAll(async () => {
  app = await createTestApp({ KARTU_TRUST_PROXY: 'on' });
  app.deps.adminToken = token;
});
afterAll(() => app.close());

const verify = () => app.http.get('/api/internal/ledger/verify');

it('answers a local tool that shows the token', async () => {
  // The whole database is verified; other test files sharing it corrupt balances on purpose, so only the shape is checked here
  // (ledger-verify.test.ts checks what it finds).
  const { body } = await verify().set('Authorization', `Bearer ${token}`).expect(200);
  expect(body.accounts).toEqual(expect.any(Number));
  expect(body.violations).toEqual(expect.any(Array));
});

it('refuses a missing or wrong token', async () => {
  await verify().expect(403);
  await verify().set('Authorization', `Bearer ${token.replace(/.$/, 'X')}`).expect(403);
});

it('refuses a request a proxy forwarded, even with the token and a loopback address in the header', async () => {
  for (const [header, value] of [['X-Forwarded-For', '127.0.0.1'], ['Forwarded', 'for=127.0.0.1'], ['X-Real-IP', '::1']]) {
    expect((await verify().set('Authorization', `Bearer ${token}`).set(header, value)).status, header).toBe(403);
  }
});
