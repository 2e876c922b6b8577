import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInMember } from '../support/cards.ts';
import { newApiKey, newStore, newTenant, type Tenant } from '../support/factories.ts';
import { validOf } from '../support/fuzz-arbitraries.ts';
import { dataUrl, rgbaPng } from '../support/images.ts';
import { operationsOf, type Document, type Operation } from '../support/fuzz-requests.ts';
import { changedTables, fingerprintOf, objectsOfEveryKind, type Fingerprint, type TenantObjects } from '../support/tenant-objects.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Issue 12: retailer A keeps one object of every kind; retailer B's owner, admin API key and member
// call every operation that names an object in its path with A's ids (and B's own in the body).
// Each answer is 404 or 403, or exactly what an id that exists nowhere gets (API.md: "as if it did
// not exist") — never a 2xx that reads or changes A's object, never a 5xx — and A's data stays as it was.

const app: TestApp = await createTestApp();
const document: Document = (await app.http.get('/api/openapi.json')).body;
const named = operationsOf(document).filter((op) => /\{(?!slug\}|channel\}|provider\})\w+\}/.test(op.path));

let a: Tenant;
let b: Tenant;
let objects: TenantObjects;
let bAdminKey: string;
let bMember: Awaited<ReturnType<typeof signedInMember>>;
let bStore: { id: string };
let before: Fingerprint;

beforeAll(async () => {
  a = await newTenant(app);
  b = await newTenant(app);
  objects = await objectsOfEveryKind(app, a);
  bAdminKey = await newApiKey(b, ['admin']);
  bMember = await signedInMember(app, b);
  bStore = await newStore(b);
  before = await fingerprintOf(app, a.id);
}, 120_000);
afterAll(() => app.close());

/** Bodies that pass each operation's validation (naming B's own objects), so the answer is about the path's object. */
const knownBodies = (): Record<string, unknown> => ({
  'POST /api/v1/members/{id}/card/replace': { reason: 'lost' },
  'POST /api/v1/members/{id}/presence-codes/verify': { code: '123456' },
  'POST /api/v1/members/{id}/claims': { storeId: bStore.id, receiptNo: 'R-1' },
  'POST /api/v1/members/{id}/points/redemptions': { points: 1 },
  'POST /api/v1/members/{id}/points/adjustments': { points: 1, reason: 'isolation sweep' },
  'POST /api/v1/members/{id}/phone-change': { phone: '081299990000' },
  'POST /api/v1/members/{id}/merge': { duplicateId: bMember.member.id },
  'POST /api/v1/rewards/{id}/redemptions': { memberId: bMember.member.id },
  'POST /api/v1/offers/{id}/showings': { memberId: bMember.member.id },
  'POST /api/v1/feedback/{id}/replies': { text: 'Maaf' },
  'POST /api/v1/me/feedback/{id}/messages': { text: 'Halo' },
  'POST /api/v1/transactions/{id}/refunds': {},
  'POST /api/v1/vouchers/{code}/redemptions': { memberId: bMember.member.id },
  'POST /api/v1/rewards/redemptions/{id}/hand-over': {},
  'PUT /api/v1/rewards/{id}/image': { image: dataUrl(rgbaPng(64, 64, () => [1, 2, 3, 255])) },
});

function candidateBodies(op: Operation): (unknown | undefined)[] {
  if (!op.body) return [undefined];
  if (op.body.contentType !== 'application/json') return [''];
  const resolve = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')];
  const idsFor = (property: string) => (/store/i.test(property) ? [bStore.id] : [bMember.member.id]);
  const samples = fc.sample(validOf(op.body.schema, { resolve, idsFor }), { seed: 12, numRuns: 40 });
  const known = knownBodies()[op.name];
  return known === undefined ? [{ name: 'Isolation sweep' }, ...samples] : [known, ...samples];
}

type Caller = 'b owner' | 'b admin key' | 'b member' | 'anonymous with b slug';

function callersOf(op: Operation): Caller[] {
  if (!op.security.length) return ['anonymous with b slug'];
  const callers: Caller[] = [];
  if (op.security.includes('session')) callers.push('b owner');
  if (op.security.includes('apiKey') || op.security.includes('session')) callers.push('b admin key');
  if (op.security.includes('memberSession')) callers.push('b member');
  return callers;
}

/** An id of the same shape that exists in no retailer: a UUID, or a voucher code or SKU nobody has. */
const nowhere = (value: string) => (/^[0-9a-f-]{36}$/i.test(value) ? '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee' : 'NOWHERE-0000');

function call(op: Operation, caller: Caller, body: unknown, ids: 'a' | 'nowhere' = 'a') {
  const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'slug') return b.slug;
    const id = objects.idFor(op.path, name) ?? 'missing';
    return encodeURIComponent(ids === 'a' ? id : nowhere(id));
  });
  const client = caller === 'b owner' ? b.owner : caller === 'b member' ? bMember.phoneApp : app.http;
  let req = (client as typeof b.owner)[op.method as 'get'](url).set('Idempotency-Key', `sweep-${Math.random()}`);
  if (caller === 'b admin key') req = req.set('Authorization', `Bearer ${bAdminKey}`);
  if (op.body?.contentType === 'text/csv') req = req.set('Content-Type', 'text/csv').send('phone\n081200000000\n');
  else if (body !== undefined) req = req.send(body as object);
  return req.buffer(true).ok(() => true);
}

describe('another retailer’s ids', () => {
  it('are named by every kind of path parameter', () => {
    const unnamed = named.flatMap((op) => [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((p) => p !== 'slug' && !objects.idFor(op.path, p)).map((p) => `${op.name} {${p}}`));
    expect(unnamed).toEqual([]);
    expect(named.length).toBeGreaterThan(90);
  });

  for (const op of named) {
    it(`${op.name} answers 404 or 403 to retailer B`, async () => {
      for (const caller of callersOf(op)) {
        let answered = false;
        for (const body of candidateBodies(op)) {
          const res = await call(op, caller, body);
          const what = `${op.name} as ${caller} with ${JSON.stringify(body)?.slice(0, 200)} → ${res.status} ${res.text?.slice(0, 300)}`;
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          if (res.status === 400) continue;
          if (![403, 404].includes(res.status)) {
            const unknown = await call(op, caller, body, 'nowhere');
            expect({ status: res.status, type: res.body.type }, `${what}, but an id that exists nowhere gets ${unknown.status} ${unknown.text?.slice(0, 200)}`)
              .toEqual({ status: unknown.status, type: unknown.body.type });
          }
          answered = true;
          break;
        }
        expect(answered, `${op.name} as ${caller}: no body got past validation`).toBe(true);
      }
      const changed = changedTables(before, await fingerprintOf(app, a.id));
      expect(changed, `${op.name} changed retailer A's ${changed.join(', ')}`).toEqual([]);
    });
  }

  it('left A’s owner signed in and A’s member readable', async () => {
    expect((await a.owner.get(`/api/v1/members/${objects.member.id}`)).status).toBe(200);
  });
});

describe('another retailer’s ids in a body', () => {
  // B's own objects in the path, A's in the body's id fields: a 2xx would tie B's data to A's.
  const withBody = operationsOf(document).filter((op) => op.body?.contentType === 'application/json' && op.security.includes('session'));
  let bObjects: TenantObjects;
  let aIds: string[];
  beforeAll(async () => {
    bObjects = await objectsOfEveryKind(app, b);
    aIds = [objects.member.id, objects.duplicate.id, objects.store.id, objects.cashier.id, objects.sale.id, ...objects.sale.lines.map((l: { id: string }) => l.id)];
  }, 120_000);

  it('are refused by every operation that takes them (4xx), and A’s data stays as it was', async () => {
    const resolve = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')];
    const idsFor = (property: string) => /member|duplicate|referrer/i.test(property) ? [objects.member.id, objects.duplicate.id]
      : /store/i.test(property) ? [objects.store.id] : /transaction/i.test(property) ? [objects.sale.id]
        : /line/i.test(property) ? objects.sale.lines.map((l: { id: string }) => l.id) : /assignee|staff/i.test(property) ? [objects.cashier.id] : aIds;
    const accepted: string[] = [];
    let tried = 0;
    for (const op of withBody) {
      const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(bObjects.idFor(op.path, name) ?? 'missing'));
      const bodies = fc.sample(validOf(op.body!.schema, { resolve, idsFor }), { seed: 12, numRuns: 12 }).filter((body) => aIds.some((id) => JSON.stringify(body).includes(id))).slice(0, 4);
      for (const body of bodies) {
        tried++;
        const res = await (b.owner as typeof b.owner)[op.method as 'post'](url).set('Idempotency-Key', `body-sweep-${tried}`).send(body as object);
        expect(res.status, `${op.name} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status < 400) accepted.push(`${op.name} ${JSON.stringify(body)} → ${res.status}`);
      }
    }
    expect(accepted).toEqual([]);
    expect(tried).toBeGreaterThan(40);
    expect(changedTables(before, await fingerprintOf(app, a.id))).toEqual([]);
  });
});

describe('cross-retailer references the body sweep found, kept as fixed cases', () => {
  it('refuses another retailer’s store in an earning rule’s conditions with 400 naming it (was 201 / 200)', async () => {
    const body = { name: 'Di toko lain', conditions: { stores: [objects.store.id] }, effect: { type: 'bonus', points: 10, per: 'transaction' } };
    const created = await b.owner.post('/api/v1/earning-rules').send(body);
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([{ path: 'body.conditions.stores.0', message: 'No such store' }]);
    const own = await b.owner.post('/api/v1/earning-rules').send({ ...body, conditions: {} }).expect(201);
    const patched = await b.owner.patch(`/api/v1/earning-rules/${own.body.id}`).send({ conditions: { stores: [objects.store.id] } });
    expect(patched.status).toBe(400);
    expect(patched.body.errors[0].path).toBe('body.conditions.stores.0');
  });

  it('refuses another retailer’s store on a points redemption with 400 and takes no points (was 201)', async () => {
    await b.owner.post(`/api/v1/members/${bMember.member.id}/points/adjustments`).send({ points: 10, reason: 'sweep' }).expect(201);
    const res = await b.owner.post(`/api/v1/members/${bMember.member.id}/points/redemptions`).set('Idempotency-Key', 'foreign-store').send({ points: 5, storeId: objects.store.id });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.storeId', message: 'No such store' }]);
    expect((await b.owner.get(`/api/v1/members/${bMember.member.id}/points`)).body.balance).toBe(10);
  });
});
