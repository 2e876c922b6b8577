import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { newMember, rupiah, type Tenant } from './factories.ts';

// Factories for the rewards suites: rewards made by the owner, members with points, redemptions.

type Agent = Tenant['owner'];

export interface Reward {
  id: string;
  name: string;
  pointsCost: number;
  stock: number | null;
  perMemberLimit: number | null;
  tiers: string[] | null;
  startsAt: string | null;
  endsAt: string | null;
  fulfilment: 'voucher' | 'physical';
  voucher: Record<string, unknown> | null;
  imageUrl: string | null;
  status: 'active' | 'archived';
  redeemed: number;
}

/** A voucher reward (Rp 10.000 off for 100 points, valid 30 days) unless `overrides` say otherwise. */
export async function newReward(tenant: Tenant, overrides: Record<string, unknown> = {}): Promise<Reward> {
  const res = await tenant.owner.post('/api/v1/rewards').send({
    name: `Voucher ${randomUUID().slice(0, 6)}`, pointsCost: 100, fulfilment: 'voucher',
    voucher: { kind: 'amount', value: rupiah(10_000), validDays: 30 }, ...overrides,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export const physicalReward = (tenant: Tenant, overrides: Record<string, unknown> = {}) =>
  newReward(tenant, { name: 'Tumbler Kartu', fulfilment: 'physical', voucher: null, ...overrides });

/** A member given `points` by an owner's adjustment. */
export async function memberWithPoints(tenant: Tenant, points: number) {
  const member = await newMember(tenant);
  const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points, reason: 'opening balance' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return member;
}

/** POST /rewards/{id}/redemptions as `agent` (the owner by default: no scan needed). */
export const redeemReward = (agent: Agent, rewardId: string, body: Record<string, unknown>, key: string = randomUUID()) =>
  agent.post(`/api/v1/rewards/${rewardId}/redemptions`).set('Idempotency-Key', key).send(body);
