// Runs the scheduled automations of one tenant at a given instant, slowly (a pause inside each
// member's transaction, after its effects and before the commit), to be killed part-way by
// automation-crash.race.test.ts. Prints "pause" once each member's effects are written, before the commit.
import { createDb } from '@kartu/db';
import { runScheduledAutomations } from '../../api/src/automations/automations.jobs.ts';

const [tenantId, at, pauseMs] = process.argv.slice(2);
const db = await createDb({ url: process.env.DATABASE_URL, maxConnections: 2 });
await runScheduledAutomations(db, new Date(at), {
  tenantId,
  batch: 25,
  pause: () => {
    process.stdout.write('pause\n');
    return new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
  },
});
await db.destroy();
