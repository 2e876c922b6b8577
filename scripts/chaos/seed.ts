// The retailer the chaos load runs against, made through the HTTP API like a real one.
import { randomUUID } from 'node:crypto';
import { call } from './http.ts';

export interface Seed {
  tenantId: string;
  storeId: string;
  apiKey: string;
  memberIds: string[];
  singleUseCodes: string[];
  multiCode: string;
  multiCodeLimit: number;
  openingPoints: number;
}

function expectStatus(what: string, answer: { status: number; body: unknown }, status: number) {
  if (answer.status !== status) throw new Error(`seed: ${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
}

export async function seedRetailer(baseUrl: string, counts: { members: number; singleUseCodes: number; multiCodeLimit: number; openingPoints: number }): Promise<Seed> {
  const id = randomUUID().slice(0, 8);
  const signupRes = await fetch(`${baseUrl}/api/v1/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ retailerName: `Chaos ${id}`, email: `owner-${id}@chaos.kartu`, password: 'chaos correct horse', slug: `chaos-${id}` }),
  });
  const signup = (await signupRes.json()) as { tenantId: string };
  expectStatus('sign-up', { status: signupRes.status, body: signup }, 201);
  const cookie = signupRes.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const asOwner = { Cookie: cookie };

  const store = await call(baseUrl, 'POST', '/api/v1/stores', { headers: asOwner, body: { code: `CH${id}`, name: 'Toko Chaos' } });
  expectStatus('store', store, 201);
  // pos for the till's calls; admin so points can be spent without a scan (audit-logged), as an owner's POS may.
  const key = await call(baseUrl, 'POST', '/api/v1/api-keys', { headers: asOwner, body: { name: 'chaos POS', scopes: ['pos', 'admin'] } });
  expectStatus('API key', key, 201);
  const asKey = { Authorization: `Bearer ${key.body.key}` };

  const memberIds: string[] = [];
  for (let i = 0; i < counts.members; i++) {
    const phone = `0813${String(10_000_000 + i * 7919).padStart(8, '0')}`;
    const member = await call(baseUrl, 'POST', '/api/v1/members', { headers: asKey, body: { name: `Member ${i}`, phone } });
    expectStatus('member', member, 201);
    const opening = await call(baseUrl, 'POST', `/api/v1/members/${member.body.id}/points/adjustments`, {
      headers: asKey,
      body: { points: counts.openingPoints, reason: 'chaos opening balance' },
    });
    expectStatus('opening points', opening, 201);
    memberIds.push(member.body.id);
  }

  const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const batch = await call(baseUrl, 'POST', '/api/v1/vouchers/batches', {
    headers: asKey,
    body: { count: counts.singleUseCodes, kind: 'amount', value: 500_000, expiresAt, usesPerCode: 1 },
  });
  expectStatus('single-use batch', batch, 201);
  const csv = await call(baseUrl, 'GET', `/api/v1/vouchers/batches/${batch.body.batchId}/codes.csv`, { headers: asKey });
  expectStatus('codes.csv', csv, 200);
  const [header, ...rows] = String(csv.body).trim().split(/\r?\n/);
  const codeColumn = header.split(',').indexOf('code');
  const singleUseCodes = rows.map((row) => row.split(',')[codeColumn].replace(/"/g, ''));

  const multiCode = `CHAOS${id.toUpperCase()}`;
  const multi = await call(baseUrl, 'POST', '/api/v1/vouchers/batches', {
    headers: asKey,
    body: { count: 1, code: multiCode, kind: 'amount', value: 200_000, expiresAt, usesPerCode: counts.multiCodeLimit },
  });
  expectStatus('multi-use code', multi, 201);

  return {
    tenantId: signup.tenantId,
    storeId: store.body.id,
    apiKey: key.body.key,
    memberIds,
    singleUseCodes,
    multiCode,
    multiCodeLimit: counts.multiCodeLimit,
    openingPoints: counts.openingPoints,
  };
}
