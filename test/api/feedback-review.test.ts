import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../support/factories.ts';
import { signedInMember } from '../support/cards.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

describe('feedback: review', () => {
  it('a merged duplicate’s feedback moves to the survivor: the survivor sees it and the reply goes to the survivor', async () => {
    const tenant = await newTenant(app);
    const duplicate = await signedInMember(app, tenant, { name: 'Dewi Lama' });
    const survivor = await signedInMember(app, tenant, { name: 'Dewi Baru' });
    const sent = await duplicate.phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Kopinya dingin' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    const merged = await tenant.owner.post(`/api/v1/members/${survivor.member.id}/merge`).send({ duplicateId: duplicate.member.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.moved.feedbackThreads).toBe(1);

    const mine = await survivor.phoneApp.get('/api/v1/me/feedback');
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t: { id: string }) => t.id)).toEqual([sent.body.id]);
    const thread = await tenant.owner.get(`/api/v1/feedback/${sent.body.id}`);
    expect(thread.body.member).toMatchObject({ id: survivor.member.id });

    const reply = await tenant.owner.post(`/api/v1/feedback/${sent.body.id}/replies`).send({ text: 'Maaf, kami ganti.' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const audit = await app.deps.db.selectFrom('audit_log').select('details').where('tenant_id', '=', tenant.id).where('action', '=', 'feedback.replied').executeTakeFirstOrThrow();
    expect((audit.details as { message: string | null }).message, JSON.stringify(audit.details)).not.toBeNull();
  });
});
