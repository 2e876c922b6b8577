import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newApiKey, newMember, newPhone, newStaff, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const MAPPING = { phone: 'Telepon', name: 'Nama', email: 'Email', birthDate: 'Tgl Lahir', externalId: 'ID Lama', openingPoints: 'Poin', tags: 'Label', marketingOptIn: 'Setuju Promo' };
const HEADER = 'ID Lama;Nama;Telepon;Email;Tgl Lahir;Poin;Label;Setuju Promo';

function upload(tenant: Tenant, csv: string, mapping: Record<string, string> = MAPPING) {
  return tenant.owner.post('/api/v1/imports/members').query({ ...mapping, fileName: 'pelanggan.csv' }).set('Content-Type', 'text/csv').send(csv);
}

/** Polls the import until it is no longer processing (no timing: the loop ends when the work does). */
async function finished(tenant: Tenant, id: string) {
  for (;;) {
    const res = await tenant.owner.get(`/api/v1/imports/${id}`).expect(200);
    if (res.body.status !== 'processing') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function importFile(tenant: Tenant, csv: string, mapping?: Record<string, string>) {
  const res = await upload(tenant, csv, mapping);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return finished(tenant, res.body.id);
}

async function memberByPhone(tenant: Tenant, phone: string) {
  const res = await tenant.owner.get('/api/v1/members').query({ query: phone }).expect(200);
  return res.body.items[0];
}

async function pointsSum(tenantId: string) {
  const { rows } = await sql<{ balance: string; entries: string }>`
    select (select coalesce(sum(balance), 0) from point_accounts where tenant_id = ${tenantId}) as balance,
           (select coalesce(sum(points), 0) from point_entries where tenant_id = ${tenantId} and bucket = 'balance') as entries`.execute(app.deps.db);
  return { balance: Number(rows[0].balance), entries: Number(rows[0].entries) };
}

describe('member import', () => {
  it('maps the columns, reports bad rows by field, credits opening balances once, and a re-run changes nothing', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.patch('/api/v1/settings/signup').send({ welcomeBonusPoints: 50 }).expect(200);
    const [a, b, c] = [newPhone(), newPhone(), newPhone()];
    const csv = [
      HEADER,
      `A-1;Siti Rahayu;${a};SITI@Example.com;31/03/1990;1.500;vip, jakarta;ya`,
      `A-2;Budi;${b};;;0;;tidak`,
      'A-3;Tanpa Nomor;;;;10;;',
      `A-4;Email Salah;${newPhone()};bukan-email;;10;;`,
      `A-5;Poin Salah;${newPhone()};;;sepuluh;;`,
      `A-6;Dua Kali;${a};;;99;;`,
      `A-7;"Koma, Nama";${c};;1985-07-01;250;;1`,
    ].join('\r\n');
    const done = await importFile(tenant, csv);
    expect(done).toMatchObject({ status: 'done', percent: 100, rowsTotal: 7, rowsProcessed: 7, created: 3, updated: 0, skipped: 0, failed: 4, fileName: 'pelanggan.csv' });

    const siti = await memberByPhone(tenant, a);
    expect(siti).toMatchObject({ name: 'Siti Rahayu', email: 'siti@example.com', birthDate: '1990-03-31', source: 'import', marketingOptIn: true, phoneVerified: false });
    expect(siti.tags).toEqual(['vip', 'jakarta']);
    const detail = (await tenant.owner.get(`/api/v1/members/${siti.id}`).expect(200)).body;
    // The opening balance and no welcome bonus: imported members joined long ago.
    expect(detail.points.balance).toBe(1500);
    expect(detail.cardNumber).toMatch(/^\d{16}$/);
    const history = (await tenant.owner.get(`/api/v1/members/${siti.id}/points`).expect(200)).body;
    expect(history.entries.items.map((e: { kind: string; points: number }) => [e.kind, e.points])).toEqual([['opening', 1500]]);
    expect((await memberByPhone(tenant, c)).name).toBe('Koma, Nama');

    const errors = await tenant.owner.get(`/api/v1/imports/${done.id}/errors.csv`).expect(200);
    expect(errors.headers['content-type']).toMatch(/^text\/csv/);
    const report = parse(errors.text, { columns: true }) as Record<string, string>[];
    expect(report.map((r) => [r.row, r.field])).toEqual([['4', 'phone'], ['5', 'email'], ['6', 'openingPoints'], ['7', 'phone']]);
    expect(report[1]).toMatchObject({ message: 'Not a valid email address', Nama: 'Email Salah', Email: 'bukan-email' });
    expect(report[3].message).toBe('The same number as row 2');

    const before = await pointsSum(tenant.id);
    expect(before).toEqual({ balance: 1750, entries: 1750 });
    const again = await importFile(tenant, csv);
    expect(again).toMatchObject({ status: 'done', created: 0, updated: 0, skipped: 3, failed: 4 });
    expect(await pointsSum(tenant.id)).toEqual(before);
    expect((await tenant.owner.get('/api/v1/members').expect(200)).body.items).toHaveLength(3);
    expect(await verifyLedger(app.deps.db, { tenantId: tenant.id })).toEqual({ accounts: 3, violations: [] });

    const audit = await tenant.owner.get('/api/v1/audit').query({ action: 'members.import' }).expect(200);
    expect(audit.body.items.length).toBe(2);
  });

  it('fills in existing members and credits them once; keyed on the phone without an external id', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant, { name: 'Dewi' });
    const csv = ['No HP,Saldo,Label', `${member.phone},300,langganan`].join('\n');
    const mapping = { phone: 'No HP', openingPoints: 'Saldo', tags: 'Label' };
    expect(await importFile(tenant, csv, mapping)).toMatchObject({ created: 0, updated: 1, skipped: 0, failed: 0 });
    const found = (await tenant.owner.get(`/api/v1/members/${member.id}`).expect(200)).body;
    expect(found).toMatchObject({ name: 'Dewi', tags: ['langganan'], source: 'in_store' });
    expect(found.points.balance).toBe(member.points.balance + 300);
    expect(await importFile(tenant, csv, mapping)).toMatchObject({ created: 0, updated: 0, skipped: 1 });
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`).expect(200)).body.points.balance).toBe(member.points.balance + 300);
  });

  it('fires no sign-up automation for imported members, unlike members who join', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.post('/api/v1/automations').send({ name: 'Welcome gift', trigger: { kind: 'sign_up' }, points: 75 }).expect(201);
    const joined = await newMember(tenant);
    const done = await importFile(tenant, `Nama,Telepon\nAni,${newPhone()}\n`, { phone: 'Telepon', name: 'Nama' });
    expect(done.created).toBe(1);
    const { rows } = await sql<{ member_id: string }>`select member_id from automation_events where tenant_id = ${tenant.id} and kind = 'sign_up'`.execute(app.deps.db);
    expect(rows).toEqual([{ member_id: joined.id }]);
  });

  it('refuses a new member without a name, naming the field', async () => {
    const tenant = await newTenant(app);
    const done = await importFile(tenant, `Telepon\n${newPhone()}\n`, { phone: 'Telepon' });
    expect(done).toMatchObject({ created: 0, failed: 1 });
    const report = parse((await tenant.owner.get(`/api/v1/imports/${done.id}/errors.csv`).expect(200)).text, { columns: true });
    expect(report).toEqual([{ row: '2', field: 'name', message: 'Required for a new member', Telepon: expect.any(String) }]);
  });

  it('keeps tenants apart', async () => {
    const mine = await newTenant(app);
    const other = await newTenant(app);
    const phone = newPhone();
    const done = await importFile(mine, `Nama,Telepon,Poin\nAni,${phone},40\n`, { phone: 'Telepon', name: 'Nama', openingPoints: 'Poin' });
    await other.owner.get(`/api/v1/imports/${done.id}`).expect(404);
    await other.owner.get(`/api/v1/imports/${done.id}/errors.csv`).expect(404);
    expect(await memberByPhone(other, phone)).toBeUndefined();
    // The same number in another retailer is another member, with its own opening balance.
    expect(await importFile(other, `Nama,Telepon,Poin\nAni,${phone},40\n`, { phone: 'Telepon', name: 'Nama', openingPoints: 'Poin' })).toMatchObject({ created: 1 });
    const exported = parse((await other.owner.get('/api/v1/exports/members.csv').expect(200)).text, { columns: true }) as Record<string, string>[];
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ name: 'Ani', points_balance: '40', source: 'import' });
  });

  it('answers bad uploads with 4xx problems naming the field, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const missing = await upload(tenant, 'Nama,Telepon\nAni,0812\n', { phone: 'HP' });
    expect(missing.status).toBe(400);
    expect(missing.type).toBe('application/problem+json');
    expect(missing.body.errors).toEqual([{ path: 'query.phone', message: 'The file has no column “HP”' }]);

    const noMapping = await tenant.owner.post('/api/v1/imports/members').set('Content-Type', 'text/csv').send('Telepon\n0812\n');
    expect(noMapping.status).toBe(400);
    expect(noMapping.body.errors[0].path).toBe('query.phone');

    const json = await tenant.owner.post('/api/v1/imports/members').query({ phone: 'Telepon' }).send({ rows: [] });
    expect(json.status).toBe(415);

    const empty = await upload(tenant, '', { phone: 'Telepon' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].path).toBe('body');

    const broken = await upload(tenant, 'Telepon,Nama\n"0812,Ani\n', { phone: 'Telepon' });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].path).toBe('body');

    const keyed = await upload(tenant, 'Telepon\n0812\n', { phone: 'Telepon' }).set('Idempotency-Key', 'k1');
    expect(keyed.status).toBe(400);
    expect(keyed.body.errors[0].path).toBe('headers.Idempotency-Key');

    expect((await tenant.owner.get('/api/v1/members').expect(200)).body.items).toHaveLength(0);
  });

  it('is for owners, admins and admin keys only', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    await marketer.agent.post('/api/v1/imports/members').query({ phone: 'Telepon' }).set('Content-Type', 'text/csv').send('Telepon\n').expect(403);
    await marketer.agent.get('/api/v1/exports/members.csv').expect(403);
    const key = await newApiKey(tenant, ['admin']);
    await app.http.get('/api/v1/exports/ledger.csv').set('Authorization', `Bearer ${key}`).expect(200);
  });

  it('exports the ledger between local dates', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await importFile(tenant, `Nama,Telepon,Poin\nAni,${phone},75\n`, { phone: 'Telepon', name: 'Nama', openingPoints: 'Poin' });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
    const rows = parse((await tenant.owner.get('/api/v1/exports/ledger.csv').query({ from: today, to: today }).expect(200)).text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([expect.objectContaining({ kind: 'opening', points: '75', balance_after: '75', note: 'Opening balance' })]);
    const none = parse((await tenant.owner.get('/api/v1/exports/ledger.csv').query({ from: '2000-01-01', to: '2000-01-31' }).expect(200)).text, { columns: true });
    expect(none).toEqual([]);
    const bad = await tenant.owner.get('/api/v1/exports/ledger.csv').query({ from: today, to: '2000-01-01' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.to');
  });
});
