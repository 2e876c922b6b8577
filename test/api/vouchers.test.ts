import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VOUCHER_ALPHABET } from '../../api/src/vouchers/voucher-code.ts';
import { cancelRedemptionsOf, voucherInputsFor } from '../../api/src/vouchers/voucher-redemptions.service.ts';
import * as voucherRepo from '../../api/src/vouchers/vouchers.repository.ts';
import { batchCodesCsv } from '../../api/src/vouchers/vouchers.service.ts';
import { cardCodeOf, newApiKey, newMember, newStaff, newStore, newTenant, saleBody, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Trusting X-Forwarded-For lets each test guess from its own IP, so the per-IP guessing limit one
// test exhausts does not reach the others.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ KARTU_TRUST_PROXY: 'on' });
});
afterAll(() => app.close());
afterEach(() => {
  vi.restoreAllMocks();
});

const PROBLEM = 'application/problem+json';
const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();
const newIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;
type Agent = Tenant['owner'];

async function createBatch(agent: Agent, body: Record<string, unknown>) {
  const res = await agent.post('/api/v1/vouchers/batches').send({ expiresAt: inDays(30), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { batchId: string; count: number };
}

async function csvOf(agent: Agent, batchId: string) {
  const res = await agent.get(`/api/v1/vouchers/batches/${batchId}/codes.csv`).buffer(true).parse((r, done) => {
    let text = '';
    r.on('data', (chunk: Buffer) => (text += chunk.toString()));
    r.on('end', () => done(null, text));
  });
  expect(res.status, String(res.body)).toBe(200);
  const [header, ...lines] = (res.body as string).trimEnd().split('\r\n');
  return { res, header, rows: lines.map((line) => line.split(',')) };
}

async function codesOf(agent: Agent, batchId: string) {
  return (await csvOf(agent, batchId)).rows.map((row) => row[0]);
}

/** A batch of one single-use code (by default), and that code. */
async function oneCode(tenant: Tenant, body: Record<string, unknown> = {}) {
  const { batchId } = await createBatch(tenant.owner, { count: 1, kind: 'amount', value: 2_000_000, ...body });
  return { batchId, code: (await codesOf(tenant.owner, batchId))[0] };
}

const redeem = (agent: Agent, code: string, body: Record<string, unknown> = {}, key: string = randomUUID()) =>
  agent.post(`/api/v1/vouchers/${encodeURIComponent(code)}/redemptions`).set('Idempotency-Key', key).send(body);

const lookUp = (agent: Agent, code: string) => agent.get(`/api/v1/vouchers/${encodeURIComponent(code)}`);

describe('POST /api/v1/vouchers/batches', () => {
  it('creates each kind with its terms', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const startsAt = inDays(-1);
    const expiresAt = inDays(60);
    const bodies = [
      { kind: 'amount', value: 2_500_000, minSpend: 10_000_000 },
      { kind: 'percent', value: 20, maxDiscount: 5_000_000, channels: ['online'] },
      { kind: 'free_shipping', maxDiscount: 1_500_000, stores: [store.id] },
      { kind: 'free_item', sku: 'KOPI-SUSU', priority: 5, exclusivityGroup: 'minuman' },
    ];
    for (const body of bodies) {
      const created = await createBatch(tenant.owner, { count: 3, startsAt, expiresAt, name: `Promo ${body.kind}`, ...body });
      expect(created.count).toBe(3);
      const batch = await tenant.owner.get(`/api/v1/vouchers/batches/${created.batchId}`);
      expect(batch.status).toBe(200);
      expect(batch.body).toMatchObject({
        id: created.batchId, name: `Promo ${body.kind}`, origin: 'batch', kind: body.kind, value: body.value ?? null,
        maxDiscount: body.maxDiscount ?? null, sku: body.sku ?? null, minSpend: body.minSpend ?? 0, channels: body.channels ?? null,
        stores: body.stores ?? null, priority: body.priority ?? 0, exclusivityGroup: body.exclusivityGroup ?? null,
        usesPerCode: 1, count: 3, code: null, memberId: null, status: 'active', issued: 3, used: 0,
      });
      expect(Date.parse(batch.body.startsAt)).toBe(Date.parse(startsAt));
      expect(Date.parse(batch.body.expiresAt)).toBe(Date.parse(expiresAt));
    }
    const list = await tenant.owner.get('/api/v1/vouchers/batches');
    expect(list.status).toBe(200);
    expect(list.body.items.map((b: { kind: string }) => b.kind)).toEqual(['free_item', 'free_shipping', 'percent', 'amount']);
    expect(list.body.nextCursor).toBeNull();
  });

  it('names every bad field and creates nothing', async () => {
    const tenant = await newTenant(app);
    const other = await newTenant(app);
    const foreignStore = await newStore(other);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ kind: 'amount' }, ['body.value']],
      [{ kind: 'amount', value: 100, maxDiscount: 50, sku: 'X' }, ['body.maxDiscount', 'body.sku']],
      [{ kind: 'percent', value: 150 }, ['body.value']],
      [{ kind: 'percent', value: 0 }, ['body.value']],
      [{ kind: 'free_item' }, ['body.sku']],
      [{ kind: 'free_shipping', value: 100 }, ['body.value']],
      [{ kind: 'bogus' }, ['body.kind']],
      [{ kind: 'amount', value: 100, expiresAt: inDays(-1) }, ['body.expiresAt']],
      [{ kind: 'amount', value: 100, startsAt: inDays(10), expiresAt: inDays(5) }, ['body.expiresAt']],
      [{ kind: 'amount', value: 100, expiresAt: 'tomorrow' }, ['body.expiresAt']],
      [{ kind: 'amount', value: 100, count: 0 }, ['body.count']],
      [{ kind: 'amount', value: 100, count: 1_000_001 }, ['body.count']],
      [{ kind: 'amount', value: 100, prefix: 'OIL' }, ['body.prefix']],
      [{ kind: 'amount', value: 100, prefix: 'TOOLONGXX' }, ['body.prefix']],
      [{ kind: 'amount', value: 100, length: 5 }, ['body.length']],
      [{ kind: 'amount', value: 100, count: 2000, length: 6 }, ['body.length']],
      [{ kind: 'amount', value: 100, stores: [foreignStore.id] }, ['body.stores.0']],
      [{ kind: 'amount', value: 100, memberId: randomUUID() }, ['body.memberId']],
      [{ kind: 'amount', value: 100, code: 'GRATIS', count: 2 }, ['body.count']],
      [{ kind: 'amount', value: 100, code: 'GRATIS', prefix: 'A' }, ['body.prefix']],
      [{ kind: 'amount', value: 100, code: 'GR_ATIS' }, ['body.code']],
      [{ kind: 'amount', value: 100, code: 'A-B-C' }, ['body.code']],
      [{ kind: 'amount', value: 100, channels: ['phone'] }, ['body.channels.0']],
    ];
    for (const [body, paths] of cases) {
      const res = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, expiresAt: inDays(30), ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(body)).toEqual(paths);
    }
    expect((await tenant.owner.get('/api/v1/vouchers/batches')).body.items).toEqual([]);
  });

  it('generates unique codes of prefix + length characters from the alphabet without look-alikes', async () => {
    const tenant = await newTenant(app);
    const { batchId } = await createBatch(tenant.owner, { count: 500, kind: 'amount', value: 100, prefix: 'hemat', length: 8 });
    const codes = await codesOf(tenant.owner, batchId);
    expect(codes).toHaveLength(500);
    expect(new Set(codes).size).toBe(500);
    const pattern = new RegExp(`^HEMAT[${VOUCHER_ALPHABET}]{8}$`);
    for (const code of codes) expect(code).toMatch(pattern);
    const defaults = await codesOf(tenant.owner, (await createBatch(tenant.owner, { count: 50, kind: 'amount', value: 100 })).batchId);
    for (const code of defaults) expect(code).toMatch(new RegExp(`^[${VOUCHER_ALPHABET}]{10}$`));
    // Every symbol turns up: the generator is not stuck on part of the alphabet.
    expect(new Set(codes.flatMap((c) => [...c.slice(5)])).size).toBe(32);
  });

  it('refuses a public code the tenant already has, whatever its case and hyphens, and keeps the codes out of the audit log', async () => {
    const tenant = await newTenant(app);
    await createBatch(tenant.owner, { count: 1, kind: 'free_shipping', code: 'GRATIS-ONGKIR' });
    const again = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: 100, expiresAt: inDays(3), code: 'gratis ongkir' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'voucher_code_taken', errors: [{ path: 'body.code', message: 'Taken' }] });
    expect((await tenant.owner.get('/api/v1/vouchers/batches')).body.items).toHaveLength(1);
    // Another retailer may use the same words.
    await createBatch((await newTenant(app)).owner, { count: 1, kind: 'free_shipping', code: 'gratisongkir' });

    const { batchId } = await createBatch(tenant.owner, { count: 5, kind: 'amount', value: 100 });
    const codes = await codesOf(tenant.owner, batchId);
    const audit = await app.deps.db.selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', tenant.id).where('target_type', '=', 'voucher_batch').execute();
    expect(audit.map((a) => a.action)).toEqual(['voucher_batch.created', 'voucher_batch.created']);
    const logged = JSON.stringify(audit);
    expect(logged).not.toContain('GRATIS');
    for (const code of codes) expect(logged).not.toContain(code);
  });

  it('refuses a public code spelled like a word of the /api/v1/vouchers/ paths, naming body.code', async () => {
    const tenant = await newTenant(app);
    const spec = (await app.http.get('/api/openapi.json')).body as { paths: Record<string, unknown> };
    const words = new Set(
      Object.keys(spec.paths).flatMap((path) => /^\/api\/v1\/vouchers\/([^/{]+)/.exec(path)?.[1] ?? []),
    );
    expect([...words]).toContain('batches');
    for (const word of words) {
      for (const typed of [word, word.toUpperCase(), `${word.slice(0, 3)}-${word.slice(3)}`]) {
        const res = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: 100, expiresAt: inDays(3), code: typed });
        expect(res.status, typed).toBe(400);
        expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.code']);
      }
    }
    expect((await tenant.owner.get('/api/v1/vouchers/batches')).body.items).toEqual([]);
  });

  it('counts the tenant’s codes of the same prefix and length already there against the guessing bound', async () => {
    const tenant = await newTenant(app);
    // 32^6 ≈ 1.07 billion: room for 1,073 codes of one prefix at one in a million.
    await createBatch(tenant.owner, { count: 1000, kind: 'amount', value: 100, prefix: 'AB', length: 6 });
    const crowded = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 100, kind: 'amount', value: 100, prefix: 'ab', length: 6, expiresAt: inDays(3) });
    expect(crowded.status).toBe(400);
    expect(crowded.body.errors).toEqual([{ path: 'body.length', message: expect.stringContaining('1000 codes of this prefix and length') }]);
    expect(crowded.body.errors[0].message).toContain('use 7 or more');
    await createBatch(tenant.owner, { count: 100, kind: 'amount', value: 100, prefix: 'AC', length: 6 });
    await createBatch(tenant.owner, { count: 100, kind: 'amount', value: 100, prefix: 'AB', length: 7 });
    // Another retailer's codes are not this one's space.
    await createBatch((await newTenant(app)).owner, { count: 100, kind: 'amount', value: 100, prefix: 'AB', length: 6 });
  });

  it('lets marketers create batches but not cashiers (403)', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const marketer = await newStaff(app, tenant, 'marketer');
    const refused = await cashier.agent.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: 100, expiresAt: inDays(3) });
    expect(refused.status).toBe(403);
    expect((await cashier.agent.get('/api/v1/vouchers/batches')).status).toBe(403);
    const { batchId } = await createBatch(marketer.agent, { count: 1, kind: 'amount', value: 100 });
    expect((await cashier.agent.get(`/api/v1/vouchers/batches/${batchId}/codes.csv`)).status).toBe(403);
    expect((await tenant.owner.get('/api/v1/vouchers/batches')).body.items).toHaveLength(1);
  });
});

describe('GET /api/v1/vouchers/batches/{id}/codes.csv', () => {
  it('streams exactly the batch’s codes under a header row, as an attachment', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const { batchId } = await createBatch(tenant.owner, { count: 20_000, kind: 'percent', value: 10, usesPerCode: 2 });
    const { res, header, rows } = await csvOf(tenant.owner, batchId);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="kartu-vouchers-${batchId}.csv"`);
    // Sent as it is produced: chunked, with no length known up front.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(header).toBe('code,uses,max_uses,member_id,expires_at');
    expect(rows).toHaveLength(20_000);
    expect(new Set(rows.map((r) => r[0])).size).toBe(20_000);
    expect(rows.map((r) => r[0])).toEqual(rows.map((r) => r[0]).sort());
    const batch = (await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}`)).body;
    expect(rows[0].slice(1, 4)).toEqual(['0', '2', '']);
    expect(rows[0][4]).toMatch(/\+07:00$/);
    expect(Date.parse(rows[0][4])).toBe(Date.parse(batch.expiresAt));

    expect(await batchCodesCsv(app.deps.db, { kind: 'staff', tenantId: tenant.id } as never, batchId)).toBeInstanceOf(Readable);

    const personal = await createBatch(tenant.owner, { count: 2, kind: 'amount', value: 100, memberId: member.id, usesPerCode: null });
    const personalRows = (await csvOf(tenant.owner, personal.batchId)).rows;
    expect(personalRows.map((r) => [r[1], r[2], r[3]])).toEqual([['0', '', member.id], ['0', '', member.id]]);
  });

  it('writes expires_at in the retailer’s time zone with its offset', async () => {
    const expiresAt = '2030-12-31T23:59:59.999+07:00';
    for (const [timeZone, written] of [['Asia/Jakarta', expiresAt], ['Asia/Jayapura', '2031-01-01T01:59:59.999+09:00']]) {
      const tenant = await newTenant(app, { timeZone });
      const { batchId } = await createBatch(tenant.owner, { count: 2, kind: 'amount', value: 100, expiresAt });
      expect((await csvOf(tenant.owner, batchId)).rows.map((row) => row[4])).toEqual([written, written]);
    }
  });

  it('reads the codes page by page as the download goes: the first chunk needs only the first page', async () => {
    const tenant = await newTenant(app);
    const { batchId } = await createBatch(tenant.owner, { count: 25_000, kind: 'amount', value: 100 });
    const pages = vi.spyOn(voucherRepo, 'batchCodesPage');
    const csv = await batchCodesCsv(app.deps.db, { kind: 'staff', tenantId: tenant.id } as never, batchId);
    const first: Buffer = await new Promise((resolve, reject) => {
      csv.once('error', reject);
      csv.once('readable', () => resolve(csv.read()));
    });
    expect(first.toString()).toMatch(/^code,uses,max_uses,member_id,expires_at\r\n[0-9A-Z]{10},0,1,,/);
    // However long the reader waits, nothing is read ahead beyond what the stream buffers.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pages).toHaveBeenCalledTimes(1);
    csv.resume();
    await new Promise((resolve) => csv.once('end', resolve));
    expect(pages).toHaveBeenCalledTimes(3);
  });

  it('is 404 for an unknown or another tenant’s batch', async () => {
    const tenant = await newTenant(app);
    const other = await newTenant(app);
    const { batchId } = await createBatch(tenant.owner, { count: 1, kind: 'amount', value: 100 });
    expect((await other.owner.get(`/api/v1/vouchers/batches/${batchId}/codes.csv`)).status).toBe(404);
    expect((await other.owner.get(`/api/v1/vouchers/batches/${batchId}`)).status).toBe(404);
    expect((await other.owner.post(`/api/v1/vouchers/batches/${batchId}/disable`)).status).toBe(404);
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${randomUUID()}/codes.csv`)).status).toBe(404);
  });
});

describe('redeeming a code', () => {
  it('matches the code regardless of case and hyphens, and uses a single-use code once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const { code, batchId } = await oneCode(tenant, { length: 12 });
    const typed = code.toLowerCase().match(/.{1,4}/g)!.join('-');

    const found = await lookUp(tenant.owner, typed);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ code, status: 'active', uses: 0, maxUses: 1, member: null, redemptions: [] });

    const used = await redeem(tenant.owner, ` ${typed} `, { memberId: member.id, amount: 2_000_000 });
    expect(used.status, JSON.stringify(used.body)).toBe(201);
    expect(used.body).toMatchObject({ code, member: { id: member.id, name: member.name }, amount: 2_000_000, status: 'redeemed', transactionId: null });

    const again = await redeem(tenant.owner, code, { memberId: member.id });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain(PROBLEM);
    expect(again.body.code).toBe('voucher_used_up');
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}`)).body).toMatchObject({ issued: 1, used: 1 });
  });

  it('reads full-width characters from a phone keyboard as the letters and digits they are', async () => {
    const tenant = await newTenant(app);
    await createBatch(tenant.owner, { count: 1, kind: 'amount', value: 100, code: 'GRATIS-ONGKIR-25', usesPerCode: null });
    const fullWidth = 'ｇｒａｔｉｓ－ＯＮＧＫＩＲ\u3000２５';
    expect((await lookUp(tenant.owner, fullWidth)).body).toMatchObject({ code: 'GRATISONGKIR25' });
    expect((await redeem(tenant.owner, fullWidth)).status).toBe(201);
    expect((await voucherInputsFor(app.deps.db, tenant.id, [fullWidth], null))[0].match?.state).toBe('ok');
  });

  it('replays a retry with the same Idempotency-Key and uses the code once; requires the key', async () => {
    const tenant = await newTenant(app);
    const { code } = await oneCode(tenant, { usesPerCode: 5 });
    const first = await redeem(tenant.owner, code, {}, 'same-key');
    const retry = await redeem(tenant.owner, code, {}, 'same-key');
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect((await redeem(tenant.owner, code, { amount: 5 }, 'same-key')).status).toBe(422);
    const noKey = await tenant.owner.post(`/api/v1/vouchers/${code}/redemptions`).send({});
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors).toEqual([{ path: 'headers.Idempotency-Key', message: 'Required' }]);
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(1);
  });

  it('a public code keeps its total limit and each member’s limit, and is not for guests when it has one', async () => {
    const tenant = await newTenant(app);
    const [a, b, c, d] = [await newMember(tenant), await newMember(tenant), await newMember(tenant), await newMember(tenant)];
    const { batchId } = await createBatch(tenant.owner, { count: 1, kind: 'free_shipping', code: 'Gratis-Ongkir', usesPerCode: 3, perMemberLimit: 1 });
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}`)).body).toMatchObject({ origin: 'public', code: 'GRATISONGKIR', usesPerCode: 3, perMemberLimit: 1 });

    expect((await redeem(tenant.owner, 'gratisongkir', { memberId: a.id })).status).toBe(201);
    const twice = await redeem(tenant.owner, 'GRATIS-ONGKIR', { memberId: a.id });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'voucher_not_eligible', reason: 'member_limit' });
    const guest = await redeem(tenant.owner, 'GRATISONGKIR', {});
    expect(guest.body).toMatchObject({ code: 'voucher_not_eligible', reason: 'member_required' });
    expect((await redeem(tenant.owner, 'GRATISONGKIR', { memberId: b.id })).status).toBe(201);
    expect((await redeem(tenant.owner, 'GRATISONGKIR', { memberId: c.id })).status).toBe(201);
    const fourth = await redeem(tenant.owner, 'GRATISONGKIR', { memberId: d.id });
    expect(fourth.status).toBe(409);
    expect(fourth.body.code).toBe('voucher_used_up');
    expect((await lookUp(tenant.owner, 'gratis-ongkir')).body).toMatchObject({ status: 'used_up', uses: 3, maxUses: 3 });

    const unlimited = await createBatch(tenant.owner, { count: 1, kind: 'amount', value: 100, code: 'HEMAT10', usesPerCode: null });
    for (let i = 0; i < 3; i++) expect((await redeem(tenant.owner, 'hemat10', {})).status).toBe(201);
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${unlimited.batchId}`)).body).toMatchObject({ usesPerCode: null, used: 3 });
  });

  it('gives every code one use unless usesPerCode says otherwise, a public code too (API.md: usesPerCode?=1)', async () => {
    const tenant = await newTenant(app);
    const single = await createBatch(tenant.owner, { count: 1, kind: 'amount', value: 100, code: 'SEKALI-PAKAI' });
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${single.batchId}`)).body).toMatchObject({ origin: 'public', usesPerCode: 1 });
    expect((await redeem(tenant.owner, 'sekali-pakai')).status).toBe(201);
    expect((await redeem(tenant.owner, 'sekali-pakai')).body.code).toBe('voucher_used_up');
    expect((await lookUp(tenant.owner, 'SEKALIPAKAI')).body).toMatchObject({ status: 'used_up', uses: 1, maxUses: 1 });
  });

  it('a personal code is only its member’s, and a cashier needs the member’s fresh scan', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    const other = await newMember(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const { batchId } = await createBatch(tenant.owner, { count: 2, kind: 'amount', value: 1_000_000, memberId: member.id });
    expect((await tenant.owner.get(`/api/v1/vouchers/batches/${batchId}`)).body).toMatchObject({ origin: 'personal', memberId: member.id, count: 2 });
    const [first, second] = await codesOf(tenant.owner, batchId);

    const foreign = await redeem(cashier.agent, first, { memberId: other.id });
    expect(foreign.status).toBe(409);
    expect(foreign.body).toMatchObject({ code: 'voucher_not_eligible', reason: 'other_member' });
    const guest = await redeem(cashier.agent, first, {});
    expect(guest.body).toMatchObject({ code: 'voucher_not_eligible', reason: 'member_required' });
    const unscanned = await redeem(cashier.agent, first, { memberId: member.id });
    expect(unscanned.status).toBe(403);
    expect(unscanned.body.code).toBe('presence_required');
    expect((await lookUp(cashier.agent, first)).body).toMatchObject({ uses: 0, member: { id: member.id, name: member.name } });

    const scan = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    expect(scan.status).toBe(200);
    const used = await redeem(cashier.agent, first, { memberId: member.id, scanToken: scan.body.scanToken });
    expect(used.status, JSON.stringify(used.body)).toBe(201);
    expect(used.body.actor).toEqual({ kind: 'staff', id: cashier.id });

    // An owner may act without the scan; it is audit-logged.
    expect((await redeem(tenant.owner, second, { memberId: member.id })).status).toBe(201);
    const audit = await app.deps.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.id).where('action', '=', 'voucher.redeem.without_scan').execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses a code before its start, after its expiry, on the wrong channel or store, and while disabled — changing nothing', async () => {
    const tenant = await newTenant(app);
    const [storeA, storeB] = [await newStore(tenant), await newStore(tenant)];
    const later = await oneCode(tenant, { startsAt: inDays(2), expiresAt: inDays(5) });
    const early = await redeem(tenant.owner, later.code);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('voucher_not_started');
    expect((await lookUp(tenant.owner, later.code)).body.status).toBe('not_started');

    const lapsed = await oneCode(tenant);
    await app.deps.db.updateTable('voucher_batches').set({ expires_at: new Date(Date.now() - 1000) }).where('tenant_id', '=', tenant.id).where('id', '=', lapsed.batchId).execute();
    const late = await redeem(tenant.owner, lapsed.code);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('voucher_expired');
    expect((await lookUp(tenant.owner, lapsed.code)).body.status).toBe('expired');

    const online = await oneCode(tenant, { channels: ['online'] });
    expect((await redeem(tenant.owner, online.code)).body).toMatchObject({ code: 'voucher_not_eligible', reason: 'wrong_channel' });
    expect((await redeem(tenant.owner, online.code, { channel: 'online' })).status).toBe(201);

    const storeBound = await oneCode(tenant, { stores: [storeA.id] });
    expect((await redeem(tenant.owner, storeBound.code, { storeId: storeB.id })).body).toMatchObject({ code: 'voucher_not_eligible', reason: 'wrong_store' });
    expect((await redeem(tenant.owner, storeBound.code)).body).toMatchObject({ code: 'voucher_not_eligible', reason: 'wrong_store' });
    expect((await redeem(tenant.owner, storeBound.code, { storeId: storeA.id })).status).toBe(201);

    const paused = await oneCode(tenant);
    const disabled = await tenant.owner.post(`/api/v1/vouchers/batches/${paused.batchId}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    expect((await redeem(tenant.owner, paused.code)).body).toMatchObject({ code: 'voucher_not_eligible', reason: 'disabled' });
    expect((await lookUp(tenant.owner, paused.code)).body.status).toBe('disabled');
    expect((await tenant.owner.post(`/api/v1/vouchers/batches/${paused.batchId}/enable`)).body.status).toBe('active');
    expect((await redeem(tenant.owner, paused.code)).status).toBe(201);

    for (const code of [later.code, lapsed.code]) expect((await lookUp(tenant.owner, code)).body).toMatchObject({ uses: 0, redemptions: [] });
  });

  it('a sale dated before the code existed cannot use it (not_started), even when the batch started earlier', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const startsAt = inDays(-5);
    const { code } = await oneCode(tenant, { startsAt });
    const sell = (occurredAt?: string) =>
      tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', randomUUID()).send(saleBody({ memberId: member.id, occurredAt, voucherCodes: [code] }));

    const backdated = await sell(inDays(-1));
    expect(backdated.status).toBe(409);
    expect(backdated.body).toMatchObject({ code: 'voucher_rejected', rejected: [{ code, reason: 'not_started' }] });
    const [input] = await voucherInputsFor(app.deps.db, tenant.id, [code], member.id);
    expect(Date.parse(input.match!.startsAt!)).toBeGreaterThan(Date.parse(startsAt));
    expect(Date.parse(input.match!.startsAt!)).toBeLessThanOrEqual(Date.now());
    expect((await sell()).status).toBe(201);
    expect((await lookUp(tenant.owner, code)).body).toMatchObject({ uses: 1, batch: { startsAt: new Date(startsAt).toISOString() } });
  });

  it('names bad references: an unknown member, sale or store is 400', async () => {
    const tenant = await newTenant(app);
    const { code } = await oneCode(tenant);
    expect((await redeem(tenant.owner, code, { memberId: randomUUID() })).body.errors).toEqual([{ path: 'body.memberId', message: 'No such member' }]);
    expect((await redeem(tenant.owner, code, { transactionId: randomUUID() })).body.errors).toEqual([{ path: 'body.transactionId', message: 'No such sale' }]);
    expect((await redeem(tenant.owner, code, { storeId: randomUUID() })).body.errors).toEqual([{ path: 'body.storeId', message: 'No such store' }]);
    expect((await redeem(tenant.owner, code, { channel: 'phone' })).status).toBe(400);
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(0);
  });

  it('another tenant’s code is unknown: 404', async () => {
    const tenant = await newTenant(app);
    const other = await newTenant(app);
    const { code } = await oneCode(tenant);
    const ip = newIp();
    const looked = await lookUp(other.owner, code).set('X-Forwarded-For', ip);
    expect(looked.status).toBe(404);
    expect(looked.headers['content-type']).toContain(PROBLEM);
    expect((await redeem(other.owner, code).set('X-Forwarded-For', ip)).status).toBe(404);
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(0);
  });
});

describe('look-up and cancellation', () => {
  it('shows who used a code and when; cancelling gives the use back, once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const { code } = await oneCode(tenant);
    const used = await redeem(tenant.owner, code, { memberId: member.id, amount: 1_500_000 });
    expect(used.status).toBe(201);

    const shown = await lookUp(tenant.owner, code);
    expect(shown.body).toMatchObject({
      status: 'used_up', uses: 1, maxUses: 1,
      batch: { kind: 'amount', value: 2_000_000, origin: 'batch' },
      redemptions: [{ id: used.body.id, member: { id: member.id, name: member.name }, amount: 1_500_000, status: 'redeemed', cancelledAt: null, actor: { kind: 'staff', id: tenant.ownerId } }],
    });

    const cancelled = await tenant.owner.post(`/api/v1/vouchers/redemptions/${used.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: used.body.id, status: 'cancelled', cancelledAt: expect.any(String) });
    const again = await tenant.owner.post(`/api/v1/vouchers/redemptions/${used.body.id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(cancelled.body);
    expect((await lookUp(tenant.owner, code)).body).toMatchObject({ status: 'active', uses: 0, redemptions: [{ status: 'cancelled' }] });
    const audit = await app.deps.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.id).where('action', '=', 'voucher_redemption.cancelled').execute();
    expect(audit).toHaveLength(1);

    expect((await redeem(tenant.owner, code, { memberId: member.id })).status).toBe(201);
    expect((await tenant.owner.post(`/api/v1/vouchers/redemptions/${randomUUID()}/cancel`)).status).toBe(404);
  });

  it('a use on a sale comes back when the sale is voided, not before', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const { code } = await oneCode(tenant);
    const sale = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', randomUUID()).send(saleBody({ memberId: member.id }));
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const used = await redeem(tenant.owner, code, { transactionId: sale.body.id });
    expect(used.status).toBe(201);
    expect(used.body).toMatchObject({ transactionId: sale.body.id, member: { id: member.id } });

    const early = await tenant.owner.post(`/api/v1/vouchers/redemptions/${used.body.id}/cancel`);
    expect(early.status).toBe(409);
    expect(early.body.transactionId).toBe(sale.body.id);

    const voided = await tenant.owner.post(`/api/v1/transactions/${sale.body.id}/void`).set('Idempotency-Key', randomUUID());
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body.vouchersReturned).toBe(1);
    expect((await lookUp(tenant.owner, code)).body).toMatchObject({ status: 'active', uses: 0, redemptions: [{ id: used.body.id, status: 'cancelled' }] });
    expect(await app.deps.db.transaction().execute((trx) => cancelRedemptionsOf(trx, tenant.id, sale.body.id))).toBe(0);
    const onVoided = await redeem(tenant.owner, code, { transactionId: sale.body.id });
    expect(onVoided.body.errors).toEqual([{ path: 'body.transactionId', message: 'This sale was voided' }]);
  });

  it('a cashier or POS key cancels only a use of today at its own store; owners and admin keys any', async () => {
    const tenant = await newTenant(app);
    const [storeA, storeB] = [await newStore(tenant), await newStore(tenant)];
    const cashier = await newStaff(app, tenant, 'cashier', storeA.id);
    const pos = await newApiKey(tenant, ['pos'], storeA.id);
    const admin = await newApiKey(tenant, ['admin']);
    const { code } = await oneCode(tenant, { usesPerCode: null });
    const use = async (agent: Agent, body: Record<string, unknown> = {}) => {
      const res = await redeem(agent, code, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const cancel = (id: string, as: Agent | string) =>
      typeof as === 'string'
        ? app.http.post(`/api/v1/vouchers/redemptions/${id}/cancel`).set('Authorization', `Bearer ${as}`)
        : as.post(`/api/v1/vouchers/redemptions/${id}/cancel`);
    const backdate = (id: string) =>
      sql`update voucher_redemptions set created_at = now() - interval '1 day' where tenant_id = ${tenant.id} and id = ${id}`.execute(app.deps.db);

    const atB = await use(tenant.owner, { storeId: storeB.id });
    const withoutStore = await use(tenant.owner);
    const yesterday = await use(cashier.agent);
    await backdate(yesterday);
    for (const id of [atB, withoutStore, yesterday]) {
      for (const as of [cashier.agent, pos]) {
        const refused = await cancel(id, as);
        expect(refused.status).toBe(403);
        expect(refused.headers['content-type']).toContain(PROBLEM);
      }
    }
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(3);

    const today = await use(cashier.agent);
    expect((await cancel(today, cashier.agent)).body).toMatchObject({ id: today, status: 'cancelled' });
    const viaKey = await use(tenant.owner, { storeId: storeA.id });
    expect((await cancel(viaKey, pos)).body).toMatchObject({ status: 'cancelled' });
    expect((await cancel(atB, tenant.owner)).body).toMatchObject({ status: 'cancelled' });
    expect((await cancel(yesterday, admin)).body).toMatchObject({ status: 'cancelled' });
    expect((await cancel(withoutStore, (await newStaff(app, tenant, 'admin')).agent)).body).toMatchObject({ status: 'cancelled' });
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(0);
  });

  it('lets the till look codes up (members.read) but not redeem without sales.post', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const marketer = await newStaff(app, tenant, 'marketer');
    const { code } = await oneCode(tenant);
    expect((await lookUp(cashier.agent, code)).status).toBe(200);
    expect((await redeem(marketer.agent, code)).status).toBe(403);
    expect((await app.http.get(`/api/v1/vouchers/${code}`)).status).toBe(401);
  });
});

describe('guessing limits', () => {
  it('counts only unknown codes: 429 after 60 misses from one IP, and then for known codes too', async () => {
    const tenant = await newTenant(app);
    const { code } = await oneCode(tenant);
    const ip = newIp();
    for (let i = 0; i < 100; i++) expect((await lookUp(tenant.owner, code).set('X-Forwarded-For', ip)).status).toBe(200);
    for (let i = 0; i < 60; i++) expect((await lookUp(tenant.owner, `NOPE${i}XYZ`).set('X-Forwarded-For', ip)).status).toBe(404);
    const limited = await lookUp(tenant.owner, 'NOPEXYZ99').set('X-Forwarded-For', ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await lookUp(tenant.owner, code).set('X-Forwarded-For', ip)).status).toBe(429);
    expect((await redeem(tenant.owner, code).set('X-Forwarded-For', ip)).status).toBe(429);
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(0);
    // Another IP is not affected.
    expect((await lookUp(tenant.owner, code).set('X-Forwarded-For', newIp())).status).toBe(200);
  });

  it('behind the proxy, takes the address the proxy saw: X-Forwarded-For entries a client makes up do not reset the limit', async () => {
    const tenant = await newTenant(app);
    const { code } = await oneCode(tenant);
    const client = newIp();
    // The client sends its own X-Forwarded-For; the proxy appends the address it saw.
    const via = (forged: string) => `${forged}, ${client}`;
    for (let i = 0; i < 60; i++) expect((await lookUp(tenant.owner, `MISS${i}XYZ`).set('X-Forwarded-For', via(newIp()))).status).toBe(404);
    expect((await lookUp(tenant.owner, code).set('X-Forwarded-For', via(newIp()))).status).toBe(429);
    expect((await lookUp(tenant.owner, code).set('X-Forwarded-For', via(client))).status).toBe(429);
    expect((await lookUp(tenant.owner, code).set('X-Forwarded-For', `${client}, ${newIp()}`)).status).toBe(200);
  });

  it('limits unknown codes tried for one member to 30, whatever the IP', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const { code } = await oneCode(tenant);
    for (let i = 0; i < 30; i++) expect((await redeem(tenant.owner, `GUESS${i}ABC`, { memberId: member.id }).set('X-Forwarded-For', newIp())).status).toBe(404);
    const limited = await redeem(tenant.owner, code, { memberId: member.id }).set('X-Forwarded-For', newIp());
    expect(limited.status).toBe(429);
    expect((await lookUp(tenant.owner, code)).body.uses).toBe(0);
    expect((await redeem(tenant.owner, code, { memberId: (await newMember(tenant)).id }).set('X-Forwarded-For', newIp())).status).toBe(201);
  });
});

describe('voucherInputsFor (for the checkout engine)', () => {
  it('answers each typed code in order with its terms and state', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const other = await newMember(tenant);
    const fresh = await oneCode(tenant, { minSpend: 5_000_000, channels: ['store'] });
    const spent = await oneCode(tenant);
    expect((await redeem(tenant.owner, spent.code)).status).toBe(201);
    const mine = (await codesOf(tenant.owner, (await createBatch(tenant.owner, { count: 1, kind: 'percent', value: 10, memberId: other.id })).batchId))[0];
    await createBatch(tenant.owner, { count: 1, kind: 'free_shipping', code: 'ONGKIR-1X', perMemberLimit: 1, usesPerCode: null });
    expect((await redeem(tenant.owner, 'ONGKIR1X', { memberId: member.id })).status).toBe(201);

    const typed = [fresh.code.toLowerCase(), 'unknown-code', spent.code, mine, 'ongkir-1x', 'x'];
    const answers = await voucherInputsFor(app.deps.db, tenant.id, typed, member.id);
    expect(answers.map((a) => a.code)).toEqual(typed);
    // A member at their per-member limit has used the code up, as far as they are concerned.
    expect(answers.map((a) => a.match?.state ?? null)).toEqual(['ok', null, 'used_up', 'not_eligible', 'used_up', null]);
    // No start in the batch: the code counts from its creation.
    expect(answers[0].match).toMatchObject({ kind: 'amount', value: 2_000_000, minSpend: 5_000_000, channels: ['store'], stores: null, maxDiscount: null, startsAt: expect.any(String) });
    expect(Date.parse(answers[0].match!.expiresAt!)).toBeGreaterThan(Date.now());
    const forOther = await voucherInputsFor(app.deps.db, tenant.id, [mine, 'ONGKIR1X'], other.id);
    expect(forOther.map((a) => a.match?.state)).toEqual(['ok', 'ok']);
    const forGuest = await voucherInputsFor(app.deps.db, tenant.id, [mine, 'ONGKIR1X', fresh.code], null);
    expect(forGuest.map((a) => a.match?.state)).toEqual(['not_eligible', 'not_eligible', 'ok']);
  });
});
