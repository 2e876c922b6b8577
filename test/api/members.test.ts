import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidLuhn } from '../../api/src/cards/luhn.ts';
import { newMember, newPhone, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const e164 = (national: string) => `+62${national.slice(1)}`;
const pathsOf = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const membersIn = async (tenant: Tenant) => (await tenant.owner.get('/api/v1/members')).body.items as { id: string }[];
const grouped = (number: string) => number.match(/.{4}/g)!.join(' ');

/** Reads a binary response body (supertest does not buffer application/pdf by itself). */
type BinaryParser = Parameters<ReturnType<TestApp['http']['get']>['parse']>[0];
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as BinaryParser;

describe('POST /api/v1/members', () => {
  it('enrols a member: E.164 phone, a valid 16-digit card, the base tier, no points, a prospect', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/members').send({ name: '  Siti Aminah ', phone: '0812-3456-7890', email: 'siti@example.com', birthDate: '1990-02-28', marketingOptIn: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Siti Aminah',
      phone: '+6281234567890',
      email: 'siti@example.com',
      birthDate: '1990-02-28',
      cardNumber: expect.stringMatching(/^\d{16}$/),
      status: 'active',
      lifecycleStage: 'prospect',
      tier: { code: 'member', name: 'Member' },
      points: { balance: 0, pending: 0, debt: 0 },
      marketingOptIn: true,
      source: 'in_store',
      sourceTag: null,
      referralCode: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{8}$/),
      tags: [],
      phoneVerified: false,
      firstPurchaseAt: null,
      lastPurchaseAt: null,
      mergedInto: null,
      erasedAt: null,
      createdAt: expect.any(String),
    });
    expect(isValidLuhn(res.body.cardNumber)).toBe(true);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

    const read = await tenant.owner.get(`/api/v1/members/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('leaves optional fields null', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    const res = await tenant.owner.post('/api/v1/members').send({ name: 'Budi', phone });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phone: e164(phone), email: null, birthDate: null });
  });

  it('refuses a phone already in the retailer, written another way, with 409 phone_taken', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    const first = await newMember(tenant, { phone });
    for (const again of [e164(phone), `+62 ${phone.slice(1, 4)} ${phone.slice(4, 8)} ${phone.slice(8)}`, phone]) {
      const res = await tenant.owner.post('/api/v1/members').send({ name: 'Someone Else', phone: again });
      expect(res.status, again).toBe(409);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.code).toBe('phone_taken');
      expect(pathsOf(res.body)).toEqual(['body.phone']);
    }
    expect((await membersIn(tenant)).map((m) => m.id)).toEqual([first.id]);
  });

  it('accepts the same phone in another retailer', async () => {
    const phone = newPhone();
    const one = await newTenant(app);
    const two = await newTenant(app);
    const a = await newMember(one, { phone });
    const b = await newMember(two, { phone: e164(phone) });
    expect(a.phone).toBe(e164(phone));
    expect(b.phone).toBe(e164(phone));
    expect(b.id).not.toBe(a.id);
    expect(b.cardNumber).not.toBe(a.cardNumber);
  });

  it.each([
    ['a number that is no phone', { phone: '123456' }, 'body.phone'],
    ['a phone too short to be one', { phone: '0812' }, 'body.phone'],
    ['letters for a phone', { phone: 'call me maybe' }, 'body.phone'],
    ['no phone', { phone: undefined }, 'body.phone'],
    ['no name', { name: '   ' }, 'body.name'],
    ['a bad email', { email: 'siti-at-example.com' }, 'body.email'],
    ['a birth date that is no date', { birthDate: '1990-13-45' }, 'body.birthDate'],
    ['a birth date in another format', { birthDate: '28-02-1990' }, 'body.birthDate'],
    ['a birth date with a time', { birthDate: '1990-02-28T00:00:00Z' }, 'body.birthDate'],
    ['29 February of a common year', { birthDate: '1990-02-29' }, 'body.birthDate'],
    ['a birth date in the future', { birthDate: `${new Date().getUTCFullYear() + 1}-01-01` }, 'body.birthDate'],
  ])('refuses %s with 400 naming the field, and enrols nobody', async (_what, override, path) => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/members').send({ name: 'Siti', phone: newPhone(), ...override });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('validation');
    expect(pathsOf(res.body)).toEqual([path]);
    expect(await membersIn(tenant)).toEqual([]);
  });
});

describe('GET /api/v1/members', () => {
  async function threeMembers() {
    const tenant = await newTenant(app);
    const budi = await newMember(tenant, { name: 'Budi Santoso', email: 'budi@example.com' });
    const siti = await newMember(tenant, { name: 'Siti Aminah', email: 'siti@example.com' });
    const agus = await newMember(tenant, { name: 'Agus Salim', email: 'agus@example.com' });
    return { tenant, budi, siti, agus };
  }
  const search = async (tenant: Tenant, query: string) => {
    const res = await tenant.owner.get('/api/v1/members').query({ query });
    expect(res.status).toBe(200);
    return (res.body.items as { id: string }[]).map((m) => m.id);
  };

  it('finds a member by the start of their name, in any case', async () => {
    const { tenant, siti, agus } = await threeMembers();
    expect(await search(tenant, 'sit')).toEqual([siti.id]);
    expect(await search(tenant, 'AGUS')).toEqual([agus.id]);
    expect(await search(tenant, 'ami')).toEqual([siti.id]); // the start of a later word
    expect(await search(tenant, 'nah')).toEqual([]); // not the middle of a word
  });

  it('finds a member by phone in national form', async () => {
    const { tenant, budi } = await threeMembers();
    const national = `0${budi.phone.slice(3)}`;
    expect(await search(tenant, national)).toEqual([budi.id]);
    expect(await search(tenant, budi.phone)).toEqual([budi.id]);
  });

  it('finds a member by email, in any case', async () => {
    const { tenant, agus } = await threeMembers();
    expect(await search(tenant, 'agus@example.com')).toEqual([agus.id]);
    expect(await search(tenant, 'Agus@Example.COM')).toEqual([agus.id]);
  });

  it('finds a member by card number typed with spaces or hyphens', async () => {
    const { tenant, siti } = await threeMembers();
    expect(await search(tenant, grouped(siti.cardNumber))).toEqual([siti.id]);
    expect(await search(tenant, siti.cardNumber.match(/.{4}/g)!.join('-'))).toEqual([siti.id]);
    expect(await search(tenant, siti.cardNumber)).toEqual([siti.id]);
  });

  it('treats LIKE wildcards in the query as plain text', async () => {
    const { tenant } = await threeMembers();
    expect(await search(tenant, '%')).toEqual([]);
    expect(await search(tenant, '_')).toEqual([]);
  });

  it('matches several words only as a phrase from the start of a word', async () => {
    const tenant = await newTenant(app);
    const siti = await newMember(tenant, { name: 'Siti Nurhaliza Putri' });
    const sitiNur = await newMember(tenant, { name: 'Dewi Siti Nuraini' });
    await newMember(tenant, { name: 'Siti Putri Nurhaliza' });
    expect(await search(tenant, 'siti nu')).toEqual([sitiNur.id, siti.id]);
    expect(await search(tenant, 'NURHALIZA  p')).toEqual([]); // two spaces are not one
    expect(await search(tenant, 'nurhaliza p')).toEqual([siti.id]);
    expect(await search(tenant, 'iti nu')).toEqual([]); // not the middle of a word
    expect(await search(tenant, 'siti nurhaliza')).toEqual([siti.id]);
    expect(await search(tenant, 'siti nurhaliza pu')).toEqual([siti.id]);
    expect(await search(tenant, 'siti nurhaliza n')).toEqual([]);
    expect(await search(tenant, 'dewi siti nur')).toEqual([sitiNur.id]);
  });

  it('matches a name typed with two spaces only by the same two spaces', async () => {
    const tenant = await newTenant(app);
    const spaced = await newMember(tenant, { name: 'Siti  Aminah' });
    expect(await search(tenant, 'siti  am')).toEqual([spaced.id]);
    expect(await search(tenant, 'siti am')).toEqual([]);
    expect(await search(tenant, 'siti')).toEqual([spaced.id]);
  });

  it('pages through two-word matches over many different second words, newest first', async () => {
    const tenant = await newTenant(app);
    const created: string[] = [];
    // Second words that sort in another order than the members were created in.
    for (let i = 0; i < 27; i++) created.push((await newMember(tenant, { name: i % 3 ? `Siti N${String.fromCharCode(122 - i)}rani` : `Ayu Siti Na${i}` })).id);
    await newMember(tenant, { name: 'Siti Putri' });
    await newMember(tenant, { name: 'Siti' });
    const first = await tenant.owner.get('/api/v1/members').query({ query: 'Siti N' });
    expect(first.body.items.map((m: { id: string }) => m.id)).toEqual(created.slice(2).reverse());
    const second = await tenant.owner.get('/api/v1/members').query({ query: 'Siti N', cursor: first.body.nextCursor });
    expect(second.body.items.map((m: { id: string }) => m.id)).toEqual([created[1], created[0]]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('pages through name matches over several words with nextCursor, newest first', async () => {
    const tenant = await newTenant(app);
    const created: string[] = [];
    for (let i = 0; i < 27; i++) created.push((await newMember(tenant, { name: i % 2 ? `Rina Ke${i}` : `Budi Rini${i}` })).id);
    await newMember(tenant, { name: 'Rudi Tanpa' });
    const first = await tenant.owner.get('/api/v1/members').query({ query: 'rin' });
    expect(first.body.items.map((m: { id: string }) => m.id)).toEqual(created.slice(2).reverse());
    const second = await tenant.owner.get('/api/v1/members').query({ query: 'rin', cursor: first.body.nextCursor });
    expect(second.body.items.map((m: { id: string }) => m.id)).toEqual([created[1], created[0]]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('follows renames and erasure', async () => {
    const tenant = await newTenant(app);
    const created: string[] = [];
    for (const name of ['Rina Wati', 'Rini Wulandari', 'Wati Rinjani', 'Rina Rina', 'Rudi Hartono', 'Rinto Harahap']) created.push((await newMember(tenant, { name })).id);
    expect(await search(tenant, 'rin')).toEqual(created.filter((_, i) => i !== 4).reverse());

    const renamed = await tenant.owner.patch(`/api/v1/members/${created[4]}`).send({ name: 'Rinaldi Hartono' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(await search(tenant, 'rin')).toEqual([created[5], created[4], created[3], created[2], created[1], created[0]]);
    expect(await search(tenant, 'rudi')).toEqual([]);
    expect(await search(tenant, 'rinaldi h')).toEqual([created[4]]);

    expect((await tenant.owner.post(`/api/v1/members/${created[3]}/erasure`).send({ reason: 'Letter' })).status).toBe(200);
    expect(await search(tenant, 'rina')).toEqual([created[4], created[0]]);
    const words = await app.deps.db.selectFrom('member_name_words').select('suffix').where('tenant_id', '=', tenant.id).where('member_id', '=', created[3]).execute();
    expect(JSON.stringify(words)).not.toContain('rina');
  });

  it('never finds another retailer’s members', async () => {
    const { budi } = await threeMembers();
    const other = await newTenant(app);
    expect(await search(other, 'Budi')).toEqual([]);
    expect(await search(other, budi.phone)).toEqual([]);
    expect(await search(other, budi.cardNumber)).toEqual([]);
    expect(await search(other, 'budi@example.com')).toEqual([]);
  });

  it('pages through every member exactly once, newest first, with nextCursor', async () => {
    const tenant = await newTenant(app);
    const created: string[] = [];
    for (let i = 0; i < 30; i++) created.push((await newMember(tenant)).id);

    const first = await tenant.owner.get('/api/v1/members');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(25);
    expect(first.body.nextCursor).toBe(first.body.items[24].id);
    const second = await tenant.owner.get('/api/v1/members').query({ cursor: first.body.nextCursor });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(5);
    expect(second.body.nextCursor).toBeNull();

    const seen = [...first.body.items, ...second.body.items].map((m: { id: string }) => m.id);
    expect(seen).toEqual([...created].reverse());
  });

  it('refuses a cursor that is not an id with 400 on query.cursor', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.get('/api/v1/members').query({ cursor: 'page-2' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(pathsOf(res.body)).toEqual(['query.cursor']);
  });
});

describe('GET /api/v1/members/{id}', () => {
  it('answers another retailer’s member exactly like a missing one (404)', async () => {
    const owner = await newTenant(app);
    const member = await newMember(owner);
    const other = await newTenant(app);
    const foreign = await other.owner.get(`/api/v1/members/${member.id}`);
    const missing = await other.owner.get(`/api/v1/members/${randomUUID()}`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toContain(PROBLEM);
    expect(foreign.body.code).toBe('not_found');
    expect(foreign.body).toEqual(missing.body);
  });

  it('refuses an id that is not a UUID with 400 on params.id', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.get('/api/v1/members/42');
    expect(res.status).toBe(400);
    expect(pathsOf(res.body)).toEqual(['params.id']);
  });
});

describe('GET /api/v1/members/{id}/card.pdf', () => {
  it('renders the member’s card as a PDF', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const res = await tenant.owner.get(`/api/v1/members/${member.id}/card.pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-8).toString('latin1')).toContain('%%EOF');
    expect(res.headers['content-disposition']).toContain(member.cardNumber);
  });

  it('answers another retailer’s member with 404, like a missing one', async () => {
    const owner = await newTenant(app);
    const member = await newMember(owner);
    const other = await newTenant(app);
    const foreign = await other.owner.get(`/api/v1/members/${member.id}/card.pdf`);
    const missing = await other.owner.get(`/api/v1/members/${randomUUID()}/card.pdf`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toContain(PROBLEM);
    expect(foreign.body).toEqual(missing.body);
  });
});
