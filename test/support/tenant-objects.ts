import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { signedInMember } from './cards.ts';
import { newMember, newPhone, newStaff, newStore, rupiah, saleBody, type Tenant } from './factories.ts';
import { postSale } from './points.ts';
import { newPromotion, newVoucherBatch } from './promotions.ts';
import { memberWithPoints, newReward, physicalReward, redeemReward } from './rewards.ts';
import type { TestApp } from './test-app.ts';

// One object of every kind a retailer keeps, made through the API as an owner would, for the
// fuzzer's path parameters and the tenant-isolation sweep; and a cheap fingerprint of the tenant's data.

type Agent = Tenant['owner'];

async function created(res: Promise<{ status: number; body: any }> | { status: number; body: any }, status = 201) {
  const answer = await res;
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
}

export async function objectsOfEveryKind(app: TestApp, tenant: Tenant) {
  const owner = tenant.owner;
  const store = await newStore(tenant);
  const cashier = await newStaff(app, tenant, 'cashier', store.id);
  const spareKeyId = (await created(owner.post('/api/v1/api-keys').send({ name: `spare ${randomUUID().slice(0, 6)}`, scopes: ['read'] }))).id as string;
  const { member: signedIn, phoneApp } = await signedInMember(app, tenant);
  const member = await memberWithPoints(tenant, 1_000);
  const duplicate = await newMember(tenant);
  const tier = await created(owner.post('/api/v1/tiers').send({ code: `gold${randomUUID().slice(0, 4)}`, name: 'Gold', rank: 1, minQualifying: rupiah(1_000_000), earnMultiplier: 1.5 }));
  const rule = await created(owner.post('/api/v1/earning-rules').send({ name: 'Bonus', conditions: {}, effect: { type: 'bonus', points: 10, per: 'transaction' } }));
  const promotion = await newPromotion(tenant);
  const batch = await newVoucherBatch(tenant, { count: 2 });
  const voucherRedemption = await created(owner.post(`/api/v1/vouchers/${batch.codes[1]}/redemptions`).set('Idempotency-Key', randomUUID()).send({ memberId: member.id }));
  const reward = await newReward(tenant);
  const gift = await physicalReward(tenant);
  const rewardRedemption = await created(redeemReward(owner, gift.id, { memberId: member.id }));
  const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id }));
  const offer = await created(owner.post('/api/v1/offers').send({
    name: 'Kopi → V60', kind: 'cross_sell', trigger: { skus: ['KOPI'] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
    message: { id: 'Coba V60', en: 'Try a V60' }, bonusPoints: 30,
    startsAt: new Date(Date.now() - 86400e3).toISOString(), endsAt: new Date(Date.now() + 30 * 86400e3).toISOString(),
  }));
  const segment = await created(owner.post('/api/v1/segments').send({ code: `vip${randomUUID().slice(0, 4)}`, name: 'VIP', rules: { match: 'all', conditions: [] } }));
  const automation = await created(owner.post('/api/v1/automations').send({ name: 'Welcome to gold', trigger: { kind: 'tier_change', direction: 'up', tier: tier.code }, points: 50 }));
  const webhook = await created(owner.post('/api/v1/webhooks').send({ url: 'http://127.0.0.1:9/hook', events: ['*'] }));
  await created(owner.post(`/api/v1/webhooks/${webhook.id}/test`), 202);
  const delivery = (await owner.get(`/api/v1/webhooks/${webhook.id}/deliveries`)).body.items[0].id as string;
  const product = await created(owner.post('/api/v1/products').send({ sku: `KOPI-${randomUUID().slice(0, 4)}`, name: 'Kopi Gayo 250 gr' }));
  const feedback = await created(phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Kopinya dingin' }));
  const cardStock = await created(owner.post('/api/v1/cards/stock').send({ count: 1 }));
  const importRun = await created(owner.post('/api/v1/imports/members').query({ phone: 'phone', name: 'name', fileName: 'a.csv' }).set('Content-Type', 'text/csv').send(`phone,name\n${newPhone()},Impor\n`), 202);
  const outbox = (await owner.get('/api/v1/outbox')).body.items[0].id as string;

  return {
    store, cashier, spareKeyId, member, signedIn, phoneApp, duplicate, tier, rule, promotion, batch, voucherRedemption, reward, gift,
    rewardRedemption, sale, offer, segment, automation, webhook, delivery, product, feedback, cardStock, importRun, outbox,
    /** The id a path parameter of this path names, by the collection it follows. */
    idFor(path: string, param: string): string | undefined {
      const before = path.split('/').slice(0, path.split('/').indexOf(`{${param}}`)).filter((s) => !s.startsWith('{')).slice(-2).join('/');
      const table: Record<string, string | undefined> = {
        'v1/stores': store.id, 'v1/staff': cashier.id, 'v1/api-keys': spareKeyId, 'v1/members': member.id, 'cards/stock': cardStock.batchId,
        'v1/transactions': sale.id, 'v1/outbox': outbox, 'v1/earning-rules': rule.id, 'v1/tiers': tier.id, 'v1/promotions': promotion.id,
        'vouchers/batches': batch.batchId, 'v1/vouchers': batch.code, 'vouchers/redemptions': voucherRedemption.id, 'v1/rewards': reward.id,
        'rewards/redemptions': rewardRedemption.id, 'me/rewards': reward.id, 'v1/offers': offer.id, 'v1/segments': segment.id,
        'v1/feedback': feedback.id, 'me/feedback': feedback.id, 'v1/automations': automation.id, 'v1/imports': importRun.id, 'v1/webhooks': webhook.id,
        'webhooks/{id}/deliveries': delivery, 'products/by-sku': product.sku, 'v1/products': product.id, 'tenants/rewards': reward.id,
      };
      if (param === 'deliveryId') return delivery;
      if (param === 'slug') return tenant.slug;
      return table[before];
    },
  };
}

export type TenantObjects = Awaited<ReturnType<typeof objectsOfEveryKind>>;

/** Tables a 4xx may legitimately write: replayable answers, sessions and one-time-code attempt counters. */
const notTenantData = new Set(['idempotency_keys', 'sessions', 'otp_codes', 'presence_codes']);
/** Columns touched by merely using a credential. */
const touchColumns = ['last_used_at', 'last_seen_at'];

let tenantTables: Promise<string[]> | null = null;

/**
 * Every tenant-owned table's row count and a hash of its rows (bar the columns a read touches): a
 * 4xx that inserted, updated or deleted anything of the tenant's changes this.
 */
export async function fingerprintOf(app: TestApp, tenantId: string): Promise<Record<string, string>> {
  const db = app.deps.db;
  tenantTables ??= sql<{ table_name: string }>`
    select table_name from information_schema.columns
    where table_schema = 'public' and column_name = 'tenant_id' order by table_name`.execute(db)
    .then((r) => r.rows.map((row) => row.table_name).filter((t) => !notTenantData.has(t)));
  const tables = await tenantTables;
  const minus = sql.raw(touchColumns.map((c) => ` - '${c}'`).join(''));
  const parts = tables.map((t) => sql`select ${t}::text as name, count(*)::text || ':' || coalesce(md5(string_agg((to_jsonb(x)${minus})::text, ',' order by (to_jsonb(x)${minus})::text)), '') as print from ${sql.table(t)} x where x.tenant_id = ${tenantId}`);
  const { rows } = await sql<{ name: string; print: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, r.print]));
}

export type Fingerprint = Awaited<ReturnType<typeof fingerprintOf>>;

/** The tables whose fingerprint differs. */
export const changedTables = (before: Fingerprint, after: Fingerprint) => Object.keys(before).filter((t) => before[t] !== after[t]);

export type { Agent };
