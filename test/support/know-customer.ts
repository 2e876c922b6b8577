import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { refreshStages } from '../../api/src/lifecycle/lifecycle.repository.ts';
import type { Principal } from '../../api/src/shared/principal.ts';
import { postSale } from '../../api/src/transactions/transactions.service.ts';
import { newMember, newStore, newTenant, rupiah, type Tenant } from './factories.ts';
import type { TestApp } from './test-app.ts';

// The "know the customer" fixture: 20 members of a Jakarta tenant with known purchase histories,
// evaluated at a fixed NOW (midnight 1 July 2026, WIB). Every sale happens at 22:00 WIB, `daysAgo`
// days and 2 hours before NOW, so its whole days before NOW are exactly `daysAgo`, and a window of
// the last N days (which starts at NOW − N days) holds the sales with daysAgo < N.
// The RFM window is 12 months: 1 July 2025 00:00 WIB to NOW, 365 days; sales of 365 or more days
// ago are outside it. No discounts (no promotions), so a sale's spend is its subtotal less refunds.
// Stores: S1 (most sales) and S2. Tier 'gold' needs Rp 1.800.000 spent within 12 months of a sale.

export const NOW = new Date('2026-07-01T00:00:00+07:00');
export const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * 86400e3 - 2 * 3600e3);

type Line = { sku: string; category: string; rupiah: number };
interface Sale {
  daysAgo: number;
  lines: Line[];
  store?: 'S2';
}
interface Spec {
  sales: Sale[];
  birthDate?: string;
  optIn?: boolean;
  tags?: string[];
  /** Days ago the member enrolled (written to the row: the API cannot backdate an enrolment). */
  joinedDaysAgo: number;
}

const kopi = (rupiahs: number): Line[] => [{ sku: 'KOPI-1', category: 'minuman', rupiah: rupiahs }];
const roti = (rupiahs: number): Line[] => [{ sku: 'ROTI-1', category: 'roti', rupiah: rupiahs }];

/** `count` sales of the same lines, 20 days apart, the last `last` days ago; oldest first. */
const every20 = (last: number, count: number, lines: Line[], store?: 'S2'): Sale[] =>
  Array.from({ length: count }, (_, i) => ({ daysAgo: last + 20 * (count - 1 - i), lines, store }));

export const SPECS = {
  M01: { sales: [{ daysAgo: 500, lines: kopi(50_000) }, ...every20(2, 8, kopi(50_000))], birthDate: '1990-07-15', optIn: true, tags: ['vip', 'kopi'], joinedDaysAgo: 600 },
  M02: { sales: every20(10, 6, roti(150_000)), birthDate: '1985-07-01', optIn: true, joinedDaysAgo: 600 },
  M03: { sales: every20(5, 6, kopi(40_000)), optIn: true, joinedDaysAgo: 600 },
  M04: { sales: every20(20, 5, roti(200_000)), joinedDaysAgo: 600 },
  M05: { sales: every20(45, 4, kopi(100_000)), birthDate: '2000-12-25', tags: ['staff'], joinedDaysAgo: 600 },
  M06: { sales: every20(60, 4, kopi(25_000)), joinedDaysAgo: 600 },
  M07: { sales: every20(3, 4, kopi(300_000)), optIn: true, tags: ['vip'], joinedDaysAgo: 600 },
  M08: { sales: every20(90, 3, kopi(80_000)), joinedDaysAgo: 600 },
  M09: { sales: every20(120, 3, kopi(500_000), 'S2'), joinedDaysAgo: 600 },
  M10: { sales: [...every20(220, 2, kopi(10_000)), { daysAgo: 200, lines: kopi(10_000), store: 'S2' }], joinedDaysAgo: 600 },
  M11: { sales: [{ daysAgo: 380, lines: kopi(80_000) }, ...every20(7, 2, kopi(750_000))], optIn: true, joinedDaysAgo: 600 },
  M12: { sales: [{ daysAgo: 170, lines: kopi(60_000) }, { daysAgo: 150, lines: [{ sku: 'SUSU-1', category: 'susu', rupiah: 60_000 }] }], joinedDaysAgo: 600 },
  M13: { sales: every20(300, 2, kopi(45_000)), joinedDaysAgo: 600 },
  M14: { sales: every20(14, 2, kopi(1_000_000)), optIn: true, joinedDaysAgo: 600 },
  M15: { sales: [{ daysAgo: 364, lines: kopi(2_500_000) }], joinedDaysAgo: 600 },
  M16: { sales: [{ daysAgo: 250, lines: kopi(35_000), store: 'S2' }], joinedDaysAgo: 600 },
  M17: { sales: [{ daysAgo: 20, lines: kopi(20_000) }], joinedDaysAgo: 40 },
  // Its SUSU-1 line (Rp 50.000) is refunded in full after the sale: spend Rp 100.000.
  M18: { sales: [{ daysAgo: 100, lines: [...roti(100_000), { sku: 'SUSU-1', category: 'susu', rupiah: 50_000 }] }], joinedDaysAgo: 600 },
  M19: { sales: [{ daysAgo: 400, lines: kopi(80_000) }], joinedDaysAgo: 10 },
  M20: { sales: [], birthDate: '1995-07-30', tags: ['kopi'], joinedDaysAgo: 10 },
} satisfies Record<string, Spec>;

export type MemberKey = keyof typeof SPECS;
export const KEYS = Object.keys(SPECS) as MemberKey[];

export interface Fixture {
  tenant: Tenant;
  principal: Principal;
  ids: Record<MemberKey, string>;
  keyOf: (id: string) => MemberKey;
  stores: { S1: string; S2: string };
}

/** Builds the fixture in a new tenant: members, tags, the gold tier, a year and a half of sales, stages at NOW. */
export async function buildFixture(app: TestApp): Promise<Fixture> {
  const tenant = await newTenant(app);
  const principal: Principal = { kind: 'staff', tenantId: tenant.id, id: tenant.ownerId, role: 'owner', storeId: null, sessionId: 'fixture' };
  const stores = { S1: (await newStore(tenant, { code: 'S1' })).id, S2: (await newStore(tenant, { code: 'S2' })).id };
  const gold = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(1_800_000), earnMultiplier: 1 });
  expect(gold.status, JSON.stringify(gold.body)).toBe(201);

  const ids = {} as Record<MemberKey, string>;
  for (const key of KEYS) {
    const spec: Spec = SPECS[key];
    const member = await newMember(tenant, { name: `${key} ${randomUUID().slice(0, 4)}`, birthDate: spec.birthDate, marketingOptIn: spec.optIn ?? false });
    ids[key] = member.id;
    if (spec.tags) {
      const tagged = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ tags: spec.tags });
      expect(tagged.status, JSON.stringify(tagged.body)).toBe(200);
    }
    await app.deps.db.updateTable('members').set({ created_at: new Date(NOW.getTime() - spec.joinedDaysAgo * 86400e3) } as never)
      .where('tenant_id', '=', tenant.id).where('id', '=', member.id).execute();
    for (const [n, sale] of spec.sales.entries()) {
      const posted = await postSale(app.deps.db, principal, app.deps.config, {
        memberId: member.id, storeId: stores[sale.store ?? 'S1'], receiptNo: `${key}-${n + 1}`, channel: 'store', occurredAt: at(sale.daysAgo).toISOString(),
        items: sale.lines.map((l) => ({ sku: l.sku, category: l.category, quantity: 1, unitPrice: rupiah(l.rupiah) })),
      }, { importing: true });
      if (key === 'M18') {
        const susu = posted.lines.find((l: { sku: string }) => l.sku === 'SUSU-1')!;
        const refund = await tenant.owner.post(`/api/v1/transactions/${posted.id}/refunds`).set('Idempotency-Key', randomUUID()).send({ lines: [{ lineId: susu.id, quantity: 1 }] });
        expect(refund.status, JSON.stringify(refund.body)).toBe(201);
      }
    }
  }
  // Stages as they are at NOW (a sale moves its member's stage as of the wall clock).
  await refreshStages(app.deps.db, NOW, { tenantId: tenant.id });
  const byId = new Map(KEYS.map((key) => [ids[key], key]));
  return { tenant, principal, ids, keyOf: (id) => byId.get(id)!, stores };
}
