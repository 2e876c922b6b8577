import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Review of the member 360° view: a member's segments (evaluated for one member) must be exactly
// the segments whose own member list holds that member, for every kind of condition.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

async function createSegment(tenant: Tenant, code: string, rules: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/segments').send({ code, name: `Segment ${code}`, rules });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; code: string };
}

async function membersOf(tenant: Tenant, segmentId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const res = await tenant.owner.get(`/api/v1/segments/${segmentId}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const m of res.body.items as { id: string }[]) ids.add(m.id);
    cursor = res.body.nextCursor;
  } while (cursor);
  return ids;
}

describe('the member’s segments agree with each segment’s member list', () => {
  it('for tier, visits, spend, store, bought, birthday (negated), tags, consent, joined and an any-match', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const otherStore = await newStore(tenant);
    const buyer = await newMember(tenant, { birthDate: '1990-03-15', marketingOptIn: true });
    const bigBuyer = await newMember(tenant, { birthDate: '1985-07-02' });
    const tagged = await newMember(tenant, { marketingOptIn: false });
    const quiet = await newMember(tenant);
    const patched = await tenant.owner.patch(`/api/v1/members/${tagged.id}`).send({ tags: ['vip', 'kopi'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await postSale(tenant, saleBody({ memberId: buyer.id, storeId: store.id }));
    await postSale(tenant, saleBody({ memberId: bigBuyer.id, storeId: otherStore.id, items: [{ sku: 'KOPI-1', quantity: 10, unitPrice: rupiah(150_000) }] }));
    await postSale(tenant, saleBody({ memberId: bigBuyer.id, storeId: otherStore.id }));
    const members = [buyer, bigBuyer, tagged, quiet];

    const tierCode = (await tenant.owner.get(`/api/v1/members/${quiet.id}`)).body.tier?.code as string | undefined;
    const segments = [
      await createSegment(tenant, 'twice', { match: 'all', conditions: [{ type: 'visits', withinDays: 30, min: 2 }] }),
      await createSegment(tenant, 'big', { match: 'all', conditions: [{ type: 'spend', withinDays: 30, min: rupiah(1_000_000) }] }),
      await createSegment(tenant, 'at-store', { match: 'all', conditions: [{ type: 'store', stores: [store.id] }] }),
      await createSegment(tenant, 'kopi', { match: 'all', conditions: [{ type: 'bought', skus: ['KOPI-1'] }] }),
      await createSegment(tenant, 'not-march', { match: 'all', conditions: [{ type: 'birthday_month', months: [3], negate: true }] }),
      await createSegment(tenant, 'vip', { match: 'all', conditions: [{ type: 'tags', any: ['vip'] }] }),
      await createSegment(tenant, 'opted-in', { match: 'all', conditions: [{ type: 'consent', marketing: true }] }),
      await createSegment(tenant, 'new', { match: 'all', conditions: [{ type: 'joined', withinDays: 7 }] }),
      await createSegment(tenant, 'lapsed-or-vip', { match: 'any', conditions: [{ type: 'days_since_purchase', min: 60 }, { type: 'tags', all: ['vip', 'kopi'] }] }),
      await createSegment(tenant, 'everyone', { match: 'all', conditions: [] }),
      ...(tierCode ? [await createSegment(tenant, 'tiered', { match: 'all', conditions: [{ type: 'tier', tiers: [tierCode] }] })] : []),
    ];

    const lists = new Map<string, Set<string>>();
    for (const segment of segments) lists.set(segment.id, await membersOf(tenant, segment.id));
    for (const member of members) {
      const res = await tenant.owner.get(`/api/v1/members/${member.id}/segments`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const mine = (res.body.items as { id: string }[]).map((s) => s.id).sort();
      const expected = segments.filter((s) => lists.get(s.id)!.has(member.id)).map((s) => s.id).sort();
      expect(mine, member.name).toEqual(expected);
    }
    // Spot checks that the segments really split the members.
    expect(lists.get(segments[0].id)).toEqual(new Set([bigBuyer.id]));
    expect(lists.get(segments[2].id)).toEqual(new Set([buyer.id]));
    expect(lists.get(segments[4].id)!.has(buyer.id)).toBe(false);
    expect(lists.get(segments[4].id)!.has(quiet.id)).toBe(true);
    expect(lists.get(segments[5].id)).toEqual(new Set([tagged.id]));
    expect(lists.get(segments[9].id)!.size).toBe(4);
  });
});
