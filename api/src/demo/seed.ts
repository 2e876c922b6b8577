import type { AppDeps } from '../deps.ts';
import { hashPassword } from '../auth/passwords.ts';
import { redeemPoints } from '../ledger/points.service.ts';
import { createMember, type NewMember } from '../members/members.service.ts';
import { settleReferrals } from '../referrals/referrals.service.ts';
import { recomputeRfm } from '../rfm/rfm.service.ts';
import { createSegment, type SegmentInput } from '../segments/segments.service.ts';
import { createOffer } from '../offers/offers.service.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { insertStaff } from '../staff/staff.repository.ts';
import { createStore } from '../stores/stores.service.ts';
import { anyTenantExists } from '../tenants/tenants.repository.ts';
import { createEarningRule } from '../earning/earning.service.ts';
import { createPromotion } from '../promotions/promotions.service.ts';
import { redeemReward } from '../rewards/reward-redemptions.service.ts';
import { createReward } from '../rewards/rewards.service.ts';
import { createTier } from '../tiers/tiers.service.ts';
import { createBatch } from '../vouchers/vouchers.service.ts';
import { signUpRetailer } from '../tenants/tenants.service.ts';
import { postSale } from '../transactions/transactions.service.ts';

export const DEMO_PASSWORD = 'kartu-demo';
export const DEMO_MEMBER_PHONE = '+6281210000001';

const FIRST = ['Siti', 'Budi', 'Dewi', 'Agus', 'Rina', 'Andi', 'Putri', 'Joko', 'Maya', 'Rizky', 'Wulan', 'Hendra', 'Ayu', 'Fajar', 'Lestari', 'Dimas', 'Indah', 'Bayu', 'Sari', 'Yusuf'];
const LAST = ['Rahayu', 'Santoso', 'Wijaya', 'Pratama', 'Kusuma', 'Saputra', 'Hidayat', 'Lestari', 'Nugroho', 'Siregar', 'Halim', 'Gunawan', 'Permata', 'Hakim'];
const PRODUCTS = [
  { sku: 'KOPI-250', name: 'Kopi Toraja 250 g', category: 'kopi', price: 8500000 },
  { sku: 'KOPI-1K', name: 'Kopi Toraja 1 kg', category: 'kopi', price: 29000000 },
  { sku: 'TEH-50', name: 'Teh Melati 50 kantong', category: 'teh', price: 2500000 },
  { sku: 'GULA-1K', name: 'Gula Aren 1 kg', category: 'bahan', price: 3800000 },
  { sku: 'SUSU-1L', name: 'Susu Segar 1 L', category: 'susu', price: 2200000 },
  { sku: 'ROTI-TAWAR', name: 'Roti Tawar', category: 'roti', price: 1800000 },
  { sku: 'CANGKIR', name: 'Cangkir Keramik', category: 'peralatan', price: 6500000 },
  { sku: 'V60', name: 'Dripper V60', category: 'peralatan', price: 17500000 },
];

/** A small deterministic generator, so every demo database looks the same. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86400e3;

/** Segments a marketer would start with; each is usable by promotions and offers. */
async function seedSegments({ db }: AppDeps, principal: Principal) {
  const segments: SegmentInput[] = [
    { code: 'pelanggan-setia', name: 'Pelanggan setia', description: 'Belanja 4 kali atau lebih dalam 90 hari',
      rules: { match: 'all', conditions: [{ type: 'visits', withinDays: 90, min: 4 }] } },
    { code: 'hampir-hilang', name: 'Hampir hilang', description: 'Pernah rajin, tapi tidak belanja 60 hari terakhir',
      rules: { match: 'all', conditions: [{ type: 'lifecycle', stages: ['at_risk'] }, { type: 'consent', marketing: true }] } },
    { code: 'pecinta-kopi', name: 'Pecinta kopi', description: 'Membeli kopi dalam 180 hari terakhir',
      rules: { match: 'any', conditions: [{ type: 'bought', categories: ['kopi'], withinDays: 180 }, { type: 'tags', any: ['kopi-lover'] }] } },
    { code: 'ulang-tahun-bulan-ini', name: 'Ulang tahun bulan ini', description: 'Untuk hadiah ulang tahun',
      rules: { match: 'all', conditions: [{ type: 'birthday_month', months: [new Date().getUTCMonth() + 1] }] } },
  ];
  for (const segment of segments) await createSegment(db, principal, segment);
}

/** A cross-sell and an up-sell the till suggests after a scan (members who bought coffee lately). */
async function seedOffers({ db }: AppDeps, principal: Principal) {
  const startsAt = new Date().toISOString();
  const endsAt = new Date(Date.now() + 90 * DAY).toISOString();
  await createOffer(db, principal, {
    name: 'Kopi → Dripper V60', kind: 'cross_sell', trigger: { categories: ['kopi'] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
    message: { id: 'Seduh kopinya dengan Dripper V60 — hemat Rp 25.000 dengan voucher ini.', en: 'Brew it with a V60 dripper — Rp 25.000 off with this voucher.' },
    voucher: { kind: 'amount', value: 2_500_000, minSpend: 10_000_000, validDays: 14 }, startsAt, endsAt, priority: 1,
  });
  await createOffer(db, principal, {
    name: 'Kopi 250 g → 1 kg', kind: 'up_sell', trigger: { skus: ['KOPI-250'] }, suggestion: { sku: 'KOPI-1K', name: 'Kopi Toraja 1 kg' },
    message: { id: 'Lebih hemat per gram: Kopi Toraja 1 kg, plus 50 poin.', en: 'Better value per gram: Kopi Toraja 1 kg, plus 50 points.' },
    bonusPoints: 50, startsAt, endsAt,
  });
}

/** How demo members joined: friends of earlier members, a poster campaign, the web form, the till. */
function acquisitionOf(i: number, referralCodes: string[]): Partial<NewMember> {
  if (i === 0) return { source: 'web_form', phoneVerified: true };
  if (i % 7 === 1) return { referralCode: referralCodes[Math.floor(i / 3)], phoneVerified: true };
  if (i % 7 === 2) return { source: 'campaign', tag: 'poster-kemang', phoneVerified: true };
  if (i % 7 === 3) return { source: 'web_form', phoneVerified: true };
  return { source: 'in_store' };
}
const JAWA = ['DKI Jakarta', 'Banten', 'Jawa Barat', 'Jawa Tengah', 'DI Yogyakarta', 'Jawa Timur'];

/**
 * What a marketer would have set up: promotions live from today (so the year of history is
 * priced without them), a public voucher code, a small batch of codes, and a rewards catalog.
 */
async function seedPrograms({ db }: AppDeps, principal: Principal) {
  const startsAt = new Date().toISOString();
  const endsAt = new Date(Date.now() + 90 * DAY).toISOString();
  await createPromotion(db, principal, {
    name: 'Gratis ongkir se-Jawa', startsAt, endsAt, priority: 0,
    conditions: { channels: ['online'], regions: JAWA, minSpend: 15_000_000 }, effect: { type: 'free_shipping', maxDiscount: 2_000_000 },
  });
  await createPromotion(db, principal, {
    name: 'Diskon 10% member Gold', startsAt, endsAt, priority: 5, exclusivityGroup: 'diskon',
    conditions: { tiers: ['gold'] }, effect: { type: 'percent_off', value: 10, maxDiscount: 5_000_000 },
  });
  await createPromotion(db, principal, {
    name: 'Poin ekstra Kopi Toraja', startsAt, endsAt,
    conditions: { minSpend: 29_000_000 }, effect: { type: 'bonus_points', points: 25 },
  });
  await createBatch(db, principal, {
    name: 'HEMAT20 (Instagram)', count: 1, code: 'HEMAT20', kind: 'amount', value: 2_000_000, minSpend: 10_000_000,
    perMemberLimit: 1, usesPerCode: 500, expiresAt: endsAt, exclusivityGroup: 'diskon',
  });
  await createBatch(db, principal, {
    name: 'Voucher brosur Kemang', count: 50, prefix: 'KD', kind: 'percent', value: 15, maxDiscount: 3_000_000, expiresAt: endsAt,
  });
  const voucher = (kind: 'amount' | 'percent' | 'free_shipping' | 'free_item', terms: { value?: number; maxDiscount?: number; sku?: string; minSpend?: number }) =>
    ({ fulfilment: 'voucher' as const, voucher: { kind, validDays: 30, ...terms } });
  for (const reward of [
    { name: 'Voucher Rp 25.000', pointsCost: 250, ...voucher('amount', { value: 2_500_000, minSpend: 10_000_000 }) },
    { name: 'Susu Segar 1 L gratis', pointsCost: 200, ...voucher('free_item', { sku: 'SUSU-1L' }) },
    { name: 'Gratis ongkir s.d. Rp 30.000', pointsCost: 150, ...voucher('free_shipping', { maxDiscount: 3_000_000 }) },
    { name: 'Tumbler Toko Demo', pointsCost: 800, stock: 25, perMemberLimit: 1, fulfilment: 'physical' as const, description: 'Ambil di toko' },
    { name: 'Dripper V60 (khusus Gold)', pointsCost: 2000, stock: 5, tiers: ['gold'], fulfilment: 'physical' as const },
  ]) {
    await createReward(db, principal, reward);
  }
}

/**
 * Seeds "Toko Demo" on an empty database: staff, two stores, a tier ladder, a few hundred members
 * with a year of purchases posted through the same services the API uses, then promotions,
 * vouchers and rewards (the demo member Siti holds a reward voucher).
 */
export async function seedDemoIfEmpty(deps: AppDeps, memberCount = 300): Promise<boolean> {
  const { db, config } = deps;
  if (await anyTenantExists(db)) return false;
  const started = Date.now();
  const owner = await signUpRetailer(db, config, {
    retailerName: 'Toko Demo', email: 'owner@demo.kartu', password: DEMO_PASSWORD, slug: 'demo', currency: 'IDR', timeZone: 'Asia/Jakarta', locale: 'id',
  });
  const principal: Principal = { kind: 'staff', tenantId: owner.tenantId, id: owner.ownerId, role: 'owner', storeId: null, sessionId: 'demo-seed' };
  await db.updateTable('staff').set({ name: 'Ibu Pemilik' }).where('tenant_id', '=', owner.tenantId).where('id', '=', owner.ownerId).execute();

  const jakarta = await createStore(db, principal, { code: 'JKT01', name: 'Toko Demo Kemang', region: 'DKI Jakarta', timeZone: 'Asia/Jakarta' });
  const makassar = await createStore(db, principal, { code: 'MKS01', name: 'Toko Demo Makassar', region: 'Sulawesi Selatan', timeZone: 'Asia/Makassar' });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const [email, name, role, storeId] of [
    ['marketer@demo.kartu', 'Mbak Marketing', 'marketer', null],
    ['cashier@demo.kartu', 'Mas Kasir', 'cashier', jakarta.id],
  ] as const) {
    await insertStaff(db, { tenant_id: owner.tenantId, id: newId(), email, name, role, password_hash: passwordHash, store_id: storeId });
  }
  await createTier(db, principal, { code: 'silver', name: 'Silver', rank: 1, minQualifying: 100_000_000, earnMultiplier: 1.25 });
  await createTier(db, principal, { code: 'gold', name: 'Gold', rank: 2, minQualifying: 500_000_000, earnMultiplier: 1.5, freeShipping: true });
  await db.updateTable('tenants')
    .set({
      expiry_policy: 'end_of_period', expiry_months: 12, expiry_period: 'year', return_window_days: 7, welcome_bonus_points: 50,
      referral_referrer_points: 100, referral_referee_points: 50, referral_min_spend: 5_000_000, referral_monthly_cap: 5,
    })
    .where('id', '=', owner.tenantId).execute();
  await createEarningRule(db, principal, {
    name: 'Poin ganda akhir pekan di Kemang', priority: 10, exclusivityGroup: 'campaign',
    conditions: { daysOfWeek: [6, 7], stores: [jakarta.id] }, effect: { type: 'multiplier', multiplier: 2 },
  });
  await createEarningRule(db, principal, {
    name: 'Bonus Kopi Toraja 1 kg', conditions: { skus: ['KOPI-1K'] }, effect: { type: 'bonus', points: 20, per: 'unit' },
  });
  await createEarningRule(db, principal, { name: 'Bonus belanja pertama', effect: { type: 'first_purchase', points: 50 } });
  await createEarningRule(db, principal, { name: 'Maksimal 1.000 poin per hari', effect: { type: 'cap', maxPerMemberPerDay: 1000 } });

  const rand = random(20261123);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const now = Date.now();
  const referralCodes: string[] = [];
  for (let i = 0; i < memberCount; i++) {
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const phone = i === 0 ? DEMO_MEMBER_PHONE : `+628121${String(i + 1).padStart(7, '0')}`;
    const member = await createMember(db, principal, {
      name: i === 0 ? 'Siti Rahayu' : name, phone, email: i % 3 === 0 ? `member${i + 1}@contoh.id` : undefined,
      marketingOptIn: rand() < 0.7, birthDate: `19${70 + Math.floor(rand() * 35)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`,
      ...acquisitionOf(i, referralCodes),
    }, config.secretKey);
    referralCodes.push(member.referralCode);
    if (i % 5 === 0 || i % 11 === 0) {
      await db.updateTable('members').set({ tags: [...(i % 5 === 0 ? ['kopi-lover'] : []), ...(i % 11 === 0 ? ['vip'] : [])] })
        .where('tenant_id', '=', owner.tenantId).where('id', '=', member.id).execute();
    }
    const visits = i === 0 ? 12 : Math.floor(rand() * rand() * 20);
    // Days of the last year, at shop hours (09.00–21.00 WIB is 02.00–14.00 UTC).
    const dates = Array.from({ length: visits }, () => {
      const day = new Date(now - (1 + Math.floor(rand() * 364)) * 86400e3);
      return day.setUTCHours(2 + Math.floor(rand() * 12), Math.floor(rand() * 60), 0, 0);
    }).sort((a, b) => a - b);
    for (const [v, date] of dates.entries()) {
      const items = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
        const product = pick(PRODUCTS);
        return { sku: product.sku, name: product.name, category: product.category, quantity: 1 + Math.floor(rand() * 3), unitPrice: product.price };
      });
      const store = rand() < 0.7 ? jakarta : makassar;
      const occurredAt = new Date(date).toISOString();
      await postSale(db, principal, config, { memberId: member.id, storeId: store.id, receiptNo: `${store.code}-${i + 1}-${v + 1}`, channel: 'store', items, occurredAt }, { importing: true });
    }
    const balance = (await db.selectFrom('point_accounts').select('balance').where('tenant_id', '=', owner.tenantId).where('member_id', '=', member.id).executeTakeFirstOrThrow()).balance;
    if (balance > 20 && rand() < 0.3) {
      await redeemPoints(db, principal, config, member.id, { points: Math.floor(balance / 2), note: 'Tukar poin di kasir' });
    }
  }
  await seedPrograms(deps, principal);
  await settleReferrals(db, config.secretKey);
  await seedSegments(deps, principal);
  await seedOffers(deps, principal);
  await recomputeRfm(db, principal);
  const siti = await db.selectFrom('members').select('id').where('tenant_id', '=', owner.tenantId).where('phone', '=', DEMO_MEMBER_PHONE).executeTakeFirstOrThrow();
  const voucherReward = await db.selectFrom('rewards').select('id').where('tenant_id', '=', owner.tenantId).where('name', '=', 'Voucher Rp 25.000').executeTakeFirstOrThrow();
  await redeemReward(db, principal, config.secretKey, voucherReward.id, { memberId: siti.id, storeId: jakarta.id });
  await db.deleteFrom('sessions').where('tenant_id', '=', owner.tenantId).execute();
  deps.log.info({ members: memberCount, ms: Date.now() - started }, 'seeded demo retailer');
  return true;
}
