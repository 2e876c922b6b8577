import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeSentTo, joinWithCode, newVerifiedMember } from '../support/acquire.ts';
import { newMember, newPhone, newStaff, newTenant } from '../support/factories.ts';
import { decodeQrCodes, pdfText } from '../support/qr-decode.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

type BinaryParser = Parameters<ReturnType<TestApp['http']['get']>['parse']>[0];
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as BinaryParser;

const mediaBox = (pdf: Buffer) => /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.toString('latin1'))!.slice(1).map(Number);

describe('sign-up settings', () => {
  it('starts from texts built from the retailer’s name, saves both languages, falls back on blanks, and is audit-logged', async () => {
    const tenant = await newTenant(app, { retailerName: 'Toko Sinar' });
    const start = await tenant.owner.get('/api/v1/settings/signup');
    expect(start.status).toBe(200);
    expect(start.body.welcomeBonusPoints).toBe(0);
    expect(start.body.form.headline).toEqual({ id: 'Gabung member Toko Sinar', en: 'Join Toko Sinar rewards' });
    expect(start.body.joinPath).toBe(`/app/${tenant.slug}/join`);

    const saved = await tenant.owner.patch('/api/v1/settings/signup').send({
      welcomeBonusPoints: 50,
      form: { headline: { id: 'Daftar sekarang', en: 'Sign up now' }, intro: { id: '', en: '' }, askBirthDate: false },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.welcomeBonusPoints).toBe(50);
    expect(saved.body.form.headline).toEqual({ id: 'Daftar sekarang', en: 'Sign up now' });
    expect(saved.body.form.intro.id).toContain('50 poin selamat datang');
    expect(saved.body.form.askBirthDate).toBe(false);
    expect(saved.body.form.askEmail).toBe(true);

    const form = await app.http.get(`/api/v1/public/tenants/${tenant.slug}/signup-form`);
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ retailer: 'Toko Sinar', headline: { id: 'Daftar sekarang' }, askBirthDate: false, welcomeBonusPoints: 50, referrerName: null });

    const audit = await tenant.owner.get('/api/v1/audit');
    expect(audit.body.items.map((a: { action: string }) => a.action)).toContain('settings.signup.updated');
  });

  it('refuses bad texts naming the field, and cashiers may not change the form', async () => {
    const tenant = await newTenant(app);
    const long = await tenant.owner.patch('/api/v1/settings/signup').send({ form: { headline: { id: 'x'.repeat(121), en: 'ok' } } });
    expect(long.status).toBe(400);
    expect(long.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.form.headline.id']);
    const unknown = await tenant.owner.patch('/api/v1/settings/signup').send({ form: { colour: 'red' } });
    expect(unknown.status).toBe(400);
    const negative = await tenant.owner.patch('/api/v1/settings/signup').send({ welcomeBonusPoints: -1 });
    expect(negative.body.errors[0].path).toBe('body.welcomeBonusPoints');
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.patch('/api/v1/settings/signup').send({ welcomeBonusPoints: 5 })).status).toBe(403);
    expect((await tenant.owner.get('/api/v1/settings/signup')).body.welcomeBonusPoints).toBe(0);
  });
});

describe('joining from the public form', () => {
  it('proves the phone with a code, creates a verified prospect from the web form with the welcome bonus, and signs them in', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.patch('/api/v1/settings/signup').send({ welcomeBonusPoints: 25 });
    const { client, res, phone } = await joinWithCode(app, tenant, { name: 'Dewi Lestari', email: 'Dewi@Example.com', birthDate: '1995-03-01', marketingOptIn: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.created).toBe(true);
    expect(res.body.member).toMatchObject({
      name: 'Dewi Lestari', email: 'dewi@example.com', lifecycleStage: 'prospect', source: 'web_form', sourceTag: null,
      phoneVerified: true, marketingOptIn: true, points: { balance: 25, pending: 0, debt: 0 },
    });
    expect(res.body.member.referralCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    const me = await client.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.phone).toBe(`+62${phone.slice(1)}`);
    const stages = await tenant.owner.get(`/api/v1/members/${res.body.member.id}/stages`);
    expect(stages.body).toEqual({ current: 'prospect', items: [{ from: null, to: 'prospect', at: expect.any(String) }] });
  });

  it('records a campaign link’s tag as the source', async () => {
    const tenant = await newTenant(app);
    const { res } = await joinWithCode(app, tenant, { tag: 'ramadan-2026' });
    expect(res.status).toBe(201);
    expect(res.body.member).toMatchObject({ source: 'campaign', sourceTag: 'ramadan-2026' });
    const bad = await app.http.post('/api/v1/member-auth/signup').send({ slug: tenant.slug, phone: newPhone(), code: '123456', name: 'X', tag: 'no spaces' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.tag');
  });

  it('signs an existing member in instead of creating a second one', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    const member = await newMember(tenant, { phone });
    const { res } = await joinWithCode(app, tenant, { phone, name: 'Someone Else' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: false, member: { id: member.id, name: member.name, phoneVerified: true } });
    expect((await tenant.owner.get('/api/v1/members')).body.items).toHaveLength(1);
  });

  it('refuses a wrong code and creates nothing', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone, intent: 'sign_up' });
    const code = await codeSentTo(app, tenant.id, phone);
    const wrong = String((Number(code) + 1) % 1e6).padStart(6, '0');
    const res = await app.http.post('/api/v1/member-auth/signup').send({ slug: tenant.slug, phone, code: wrong, name: 'Dewi' });
    expect(res.status).toBe(401);
    expect((await tenant.owner.get('/api/v1/members')).body.items).toHaveLength(0);
  });

  it('a sign-in code request for a stranger sends nothing; a sign-up request does', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    const count = async () => (await app.deps.db.selectFrom('outbox_messages').select('id').where('tenant_id', '=', tenant.id).execute()).length;
    expect((await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone })).status).toBe(202);
    expect(await count()).toBe(0);
    expect((await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone, intent: 'sign_up' })).status).toBe(202);
    expect(await count()).toBe(1);
  });

  it('refuses an unknown referral code on its field and the code can be used again without it', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone, intent: 'sign_up' });
    const code = await codeSentTo(app, tenant.id, phone);
    const bad = await app.http.post('/api/v1/member-auth/signup').send({ slug: tenant.slug, phone, code, name: 'Dewi', referralCode: 'NOPE1234' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'body.referralCode', message: 'No member has this referral code' }]);
    const ok = await app.http.post('/api/v1/member-auth/signup').send({ slug: tenant.slug, phone, code, name: 'Dewi' });
    expect(ok.status).toBe(201);
  });

  it('shows the referrer’s first name for a shared link, matched regardless of case and hyphens', async () => {
    const tenant = await newTenant(app);
    const referrer = await newMember(tenant, { name: 'Budi Santoso' });
    const code = (await tenant.owner.get(`/api/v1/members/${referrer.id}`)).body.referralCode as string;
    const spaced = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const form = await app.http.get(`/api/v1/public/tenants/${tenant.slug}/signup-form`).query({ ref: spaced });
    expect(form.body.referrerName).toBe('Budi');
    const { res } = await joinWithCode(app, tenant, { referralCode: spaced });
    expect(res.status).toBe(201);
    expect(res.body.member.source).toBe('referral');
  });

  it('gives the welcome bonus once per phone number, ever, and only for a proven phone', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.patch('/api/v1/settings/signup').send({ welcomeBonusPoints: 10 });
    const { res } = await joinWithCode(app, tenant);
    expect(res.body.member.points.balance).toBe(10);
    const first = res.body.member as { id: string; phone: string };
    // The number moves to another member's record and comes back: no second bonus for it.
    const other = newPhone();
    await tenant.owner.post(`/api/v1/members/${first.id}/phone-change`).send({ phone: other });
    const changed = await tenant.owner.post(`/api/v1/members/${first.id}/phone-change/verify`).send({ phone: other, code: await codeSentTo(app, tenant.id, other) });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.points.balance).toBe(10);
    const again = await joinWithCode(app, tenant, { phone: `0${first.phone.slice(3)}` });
    expect(again.res.body.member.points.balance).toBe(0);

    // A till enrolling a number nobody proved gives nothing yet; the member's first sign-in does.
    const phone = newPhone();
    const walkIn = await newMember(tenant, { phone });
    expect(walkIn.points.balance).toBe(0);
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    expect((await tenant.owner.get(`/api/v1/members/${walkIn.id}`)).body).toMatchObject({ phoneVerified: true, points: { balance: 10 } });
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    expect((await tenant.owner.get(`/api/v1/members/${walkIn.id}`)).body.points.balance).toBe(10);
    // With the code at the till the phone is proven at once.
    expect((await newVerifiedMember(app, tenant)).points.balance).toBe(10);
  });

  it('enrols at the till with a code sent to the phone; a wrong code enrols nobody', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    expect((await tenant.owner.post('/api/v1/members/phone-codes').send({ phone })).status).toBe(202);
    const code = await codeSentTo(app, tenant.id, phone);
    const wrong = await tenant.owner.post('/api/v1/members').send({ name: 'Dewi', phone, phoneCode: String((Number(code) + 1) % 1e6).padStart(6, '0') });
    expect(wrong.status).toBe(401);
    expect((await tenant.owner.get('/api/v1/members')).body.items).toHaveLength(0);
    // Under an Idempotency-Key the request runs in one transaction (on PGlite's one connection too).
    const ok = await tenant.owner.post('/api/v1/members').set('Idempotency-Key', `enrol-${phone}`).send({ name: 'Dewi', phone, phoneCode: code });
    expect(ok.status).toBe(201);
    const replay = await tenant.owner.post('/api/v1/members').set('Idempotency-Key', `enrol-${phone}`).send({ name: 'Dewi', phone, phoneCode: code });
    expect(replay.body.id).toBe(ok.body.id);
    expect(ok.body).toMatchObject({ source: 'in_store', phoneVerified: true });
    const taken = await tenant.owner.post('/api/v1/members/phone-codes').send({ phone });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].path).toBe('body.phone');
  });
});

describe('GET /api/v1/settings/signup/poster.pdf', () => {
  it('prints A4 and A5 posters whose QR opens the sign-up page with the campaign tag', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.patch('/api/v1/settings/signup').send({ form: { posterHeadline: { id: 'Gabung gratis!', en: 'Join for free!' } } });
    const a4 = await tenant.owner.get('/api/v1/settings/signup/poster.pdf').query({ tag: 'window' }).buffer(true).parse(binary);
    expect(a4.status).toBe(200);
    expect(a4.headers['content-type']).toBe('application/pdf');
    expect(mediaBox(a4.body)).toEqual([595.28, 841.89]);
    const [qr] = decodeQrCodes(a4.body);
    expect(qr).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/app/${tenant.slug}/join\\?tag=window$`));
    expect(pdfText(a4.body)).toContain('Gabung gratis!');

    const a5 = await tenant.owner.get('/api/v1/settings/signup/poster.pdf').query({ size: 'A5', lang: 'en' }).buffer(true).parse(binary);
    expect(mediaBox(a5.body)).toEqual([419.53, 595.28]);
    expect(decodeQrCodes(a5.body)).toEqual([expect.stringMatching(new RegExp(`/app/${tenant.slug}/join$`))]);
    expect(pdfText(a5.body)).toContain('Join for free!');
  });

  it('uses KARTU_PUBLIC_URL when it is set, never the Host header', async () => {
    const other = await createTestApp({ KARTU_PUBLIC_URL: 'https://loyalty.toko.co.id' });
    try {
      const tenant = await newTenant(other);
      const res = await tenant.owner.get('/api/v1/settings/signup/poster.pdf').set('Host', 'evil.example').buffer(true).parse(binary);
      expect(decodeQrCodes(res.body)).toEqual([`https://loyalty.toko.co.id/app/${tenant.slug}/join`]);
    } finally {
      await other.close();
    }
  });
});
