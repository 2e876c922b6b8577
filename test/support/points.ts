import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect } from 'vitest';
import { databaseKind } from '@kartu/db';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import type { Tenant } from './factories.ts';
import type { TestApp } from './test-app.ts';

// Helpers for the points-engine suites: the tenant's points policy, balances, lots, sales, and
// Asia/Jakarta wall-clock instants (UTC+7 all year, no daylight saving).

export type PointsSettings = Partial<{
  pointValue: number;
  expiryPolicy: 'never' | 'months' | 'end_of_period';
  expiryMonths: number;
  expiryPeriod: 'month' | 'quarter' | 'year';
  returnWindowDays: number;
  tierBasis: 'spend' | 'points';
  tierWindowMonths: number;
}>;

export interface Balances {
  balance: number;
  pending: number;
  debt: number;
}

export interface PointEntry {
  id: string;
  kind: string;
  bucket: 'balance' | 'pending' | 'debt';
  points: number;
  balanceAfter: number;
  createdAt: string;
  reference: string | null;
  note: string | null;
  transactionId: string | null;
}

export interface Points extends Balances {
  expiring: { points: number; expiresAt: string }[];
  entries: { items: PointEntry[]; nextCursor: string | null };
}

export interface Lot {
  id: string;
  status: 'posted' | 'pending';
  points: number;
  remaining: number;
  expired: number;
  reversed: number;
  expiresAt: string | null;
  availableAt: string | null;
  createdAt: string;
  transactionId: string | null;
}

export const key = (): string => randomUUID();

/** PATCH /api/v1/settings/points as the owner. */
export async function setPointsPolicy(tenant: Tenant, settings: PointsSettings) {
  const res = await tenant.owner.patch('/api/v1/settings/points').send(settings);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Required<PointsSettings>;
}

export async function pointsOf(tenant: Tenant, memberId: string): Promise<Points> {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/points`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function balancesOf(tenant: Tenant, memberId: string): Promise<Balances> {
  const { balance, pending, debt } = await pointsOf(tenant, memberId);
  return { balance, pending, debt };
}

/** The member's lots with points left (pending first, then by expiry). */
export async function lotsOf(tenant: Tenant, memberId: string): Promise<Lot[]> {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/points/lots`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

/** Posts a sale as the owner under a fresh Idempotency-Key and expects 201. */
export async function postSale(tenant: Tenant, body: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', key()).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function adjust(tenant: Tenant, memberId: string, points: number, reason = 'opening balance') {
  const res = await tenant.owner.post(`/api/v1/members/${memberId}/points/adjustments`).send({ points, reason });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.points as Balances;
}

export function redeem(tenant: Tenant, memberId: string, points: number) {
  return tenant.owner.post(`/api/v1/members/${memberId}/points/redemptions`).set('Idempotency-Key', key()).send({ points });
}

export function refund(tenant: Tenant, transactionId: string, lines?: { lineId: string; quantity: number }[], idempotencyKey = key()) {
  const req = tenant.owner.post(`/api/v1/transactions/${transactionId}/refunds`).set('Idempotency-Key', idempotencyKey);
  return lines ? req.send({ lines }) : req.send({});
}

export async function expectLedgerClean(app: TestApp, tenantId: string) {
  const { violations, accounts } = await verifyLedger(app.deps.db, { tenantId });
  expect(violations).toEqual([]);
  return accounts;
}

// ---- Asia/Jakarta wall clock -------------------------------------------------------------------

export const WIB_MS = 7 * 3600e3;
const DAY_MS = 86400e3;

/** The instant of a local Asia/Jakarta date-time (month 1–12). */
export const jakarta = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0) =>
  new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - WIB_MS);

/** The local Asia/Jakarta calendar date of an instant, with its ISO weekday (1 = Monday). */
export function jakartaDate(at: Date) {
  const local = new Date(at.getTime() + WIB_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), weekday: local.getUTCDay() || 7 };
}

/** Local hh:mm on the local date `days` before today. */
export function daysAgoAt(days: number, hour: number, minute = 0): Date {
  const today = jakartaDate(new Date());
  return jakarta(today.year, today.month, today.day - days, hour, minute);
}

/** The latest local hh:mm on an ISO weekday (1 = Monday … 7 = Sunday) at least an hour ago, so at most 8 days back. */
export function lastWeekdayAt(weekday: number, hour: number, minute = 0): Date {
  for (let days = 0; days <= 8; days++) {
    const at = daysAgoAt(days, hour, minute);
    if (jakartaDate(at).weekday === weekday && at.getTime() <= Date.now() - 3600e3) return at;
  }
  throw new Error('unreachable');
}

export const plusDays = (at: Date, days: number) => new Date(at.getTime() + days * DAY_MS);
export const plusMs = (at: string | Date, ms: number) => new Date(new Date(at).getTime() + ms);

/**
 * When API.md's expiry policy makes points earned at `earnedAt` expire, worked out here on the
 * Jakarta calendar without the app's code: `months` = the end of the local day N months later (the
 * day clamped to the month's end); `end_of_period` = the end of the month, quarter or year in which
 * those N months end.
 */
export function expectedExpiry(earnedAt: Date, policy: { expiryPolicy: 'months' | 'end_of_period'; expiryMonths: number; expiryPeriod?: 'month' | 'quarter' | 'year' }): string {
  const { year, month, day } = jakartaDate(earnedAt);
  const index = year * 12 + (month - 1) + policy.expiryMonths;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const daysIn = (yy: number, mm: number) => new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  if (policy.expiryPolicy === 'months') return jakarta(y, m, Math.min(day, daysIn(y, m)), 23, 59, 59, 999).toISOString();
  const lastMonth = policy.expiryPeriod === 'month' ? m : policy.expiryPeriod === 'quarter' ? Math.ceil(m / 3) * 3 : 12;
  return jakarta(y, lastMonth, daysIn(y, lastMonth), 23, 59, 59, 999).toISOString();
}

/** The current local month as 'YYYY-MM'. */
export function jakartaMonth(at = new Date()) {
  const { year, month } = jakartaDate(at);
  return `${year}-${String(month).padStart(2, '0')}`;
}

// ---- The ledger clock ----------------------------------------------------------------------------

const LEDGER_CLOCK_LOCK = 4_242_777;

/**
 * The ledger jobs are global: a test that runs expirePoints/releasePending/reviewTiers with a moved
 * clock touches every retailer's lots and tier reviews. On the shared Postgres, files run side by
 * side, so every test that keeps expiring or pending points or tier reviews, or that moves the
 * clock, holds this advisory lock for its duration (PGlite: one database per file, nothing to do).
 */
export async function lockLedgerClock(app: TestApp): Promise<() => Promise<void>> {
  if (databaseKind(app.deps.db) === 'pglite') return async () => {};
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let acquired!: () => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => ((acquired = resolve), (failed = reject)));
  const held = app.deps.db
    .connection()
    .execute(async (conn) => {
      await sql`select pg_advisory_lock(${LEDGER_CLOCK_LOCK})`.execute(conn);
      try {
        acquired();
        await released;
      } finally {
        await sql`select pg_advisory_unlock(${LEDGER_CLOCK_LOCK})`.execute(conn);
      }
    })
    .catch(failed);
  await ready;
  return async () => {
    release();
    await held;
  };
}

/** Every test of the calling file holds the ledger clock (see lockLedgerClock). */
export function holdLedgerClockPerTest(app: () => TestApp) {
  let release: (() => Promise<void>) | null = null;
  beforeEach(async () => {
    release = await lockLedgerClock(app());
  });
  afterEach(async () => {
    await release?.();
    release = null;
  });
}
