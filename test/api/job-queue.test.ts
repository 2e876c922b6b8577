import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOBS, startQueue } from '../../api/src/jobs/queue.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The job queue (pg-boss) on this suite's database: PostgreSQL with DATABASE_URL, else PGlite
// through the app's own connection. Other API tests leave it off and call the jobs directly.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('starts pg-boss, works an automation event through it, and stops', async () => {
  const tenant = await newTenant(app);
  const automation = (await tenant.owner.post('/api/v1/automations').send({ name: 'Welcome', trigger: { kind: 'sign_up' }, points: 25 }).expect(201)).body;
  const member = await newMember(tenant);

  const queue = await startQueue(app.deps, ['automationEvents']);
  try {
    expect((await queue.boss.getQueue(JOBS.automationEvents.name))?.policy).toBe('stately');
    const bonus = async () => app.deps.db.selectFrom('point_entries as e')
      .innerJoin('point_accounts as a', (j) => j.onRef('a.tenant_id', '=', 'e.tenant_id').onRef('a.id', '=', 'e.account_id'))
      .select('e.points').where('e.tenant_id', '=', tenant.id).where('a.member_id', '=', member.id).where('e.reference', '=', `automation:${automation.id}`).execute();
    const deadline = Date.now() + 20_000;
    while (!(await bonus()).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await bonus()).toEqual([{ points: 25 }]);
  } finally {
    await queue.stop();
  }
  // Stopped: the app's database is still usable (PGlite shares its connection with the queue).
  expect((await tenant.owner.get(`/api/v1/automations/${automation.id}`).expect(200)).body.totals).toMatchObject({ runs: 1, points: 25 });
});
