// Chaos clients: each sends a sale, a points redemption or a voucher use with its own
// Idempotency-Key and sends THE SAME request again (same key, same body) on a network error, a
// 5xx, a 429 or a 409 in progress, until a definitive answer (2xx or 4xx) — as a careful POS does.
import { randomInt, randomUUID } from 'node:crypto';
import { call, mustRetry, type Answer } from './http.ts';
import type { Seed } from './seed.ts';

type Kind = 'sale' | 'redemption' | 'voucher';

export interface AckedSale {
  receiptNo: string;
  id: string;
  pointsRedeemed: number;
}

export interface LoadResults {
  sent: Record<Kind, number>;
  acked: Record<Kind, number>;
  refused: Record<string, number>;
  attempts: number;
  retries: number;
  unresolved: number;
  sales: AckedSale[];
  redeemedPoints: number;
  voucherUseIds: string[];
  /** Answers a correct server never gives a retried request: a 422 key mismatch, or a sale's own receipt refused as a duplicate. */
  anomalies: string[];
}

interface Request {
  kind: Kind;
  path: string;
  body: Record<string, unknown>;
  key: string;
}

const pick = <T>(items: T[]): T => items[randomInt(items.length)];

function nextRequest(seed: Seed, client: number, n: number): Request {
  const memberId = pick(seed.memberIds);
  const roll = randomInt(100);
  const key = randomUUID();
  if (roll < 50) {
    const body: Record<string, unknown> = {
      memberId,
      storeId: seed.storeId,
      receiptNo: `CH-${client}-${n}-${key.slice(0, 6)}`,
      items: Array.from({ length: 1 + randomInt(3) }, (_, i) => ({ sku: `SKU-${i}-${randomInt(20)}`, quantity: 1 + randomInt(3), unitPrice: 100 * (10_000 + randomInt(90_000)) })),
    };
    const extra = randomInt(100);
    if (extra < 20) body.voucherCodes = [pick(seed.singleUseCodes)];
    else if (extra < 35) body.voucherCodes = [seed.multiCode];
    else if (extra < 55) body.pointsToRedeem = 1 + randomInt(40);
    return { kind: 'sale', path: '/api/v1/transactions', body, key };
  }
  if (roll < 75) return { kind: 'redemption', path: `/api/v1/members/${memberId}/points/redemptions`, body: { points: 1 + randomInt(60) }, key };
  const code = randomInt(2) ? pick(seed.singleUseCodes) : seed.multiCode;
  return { kind: 'voucher', path: `/api/v1/vouchers/${code}/redemptions`, body: { memberId, storeId: seed.storeId }, key };
}

async function untilDefinitive(baseUrl: string, seed: Seed, request: Request, results: LoadResults, hardStop: () => boolean): Promise<Answer | null> {
  let delay = 100;
  for (let attempt = 0; ; attempt++) {
    if (hardStop()) return null;
    if (attempt > 0) results.retries++;
    results.attempts++;
    let answer: Answer | null = null;
    try {
      answer = await call(baseUrl, 'POST', request.path, {
        body: request.body,
        headers: { Authorization: `Bearer ${seed.apiKey}`, 'Idempotency-Key': request.key },
      });
    } catch {
      // connection refused or reset, or no answer in time: the effect may or may not have happened
    }
    if (answer && !mustRetry(answer)) return answer;
    const wait = answer?.retryAfter ? Math.min(answer.retryAfter * 1000, 3000) : delay;
    await new Promise((r) => setTimeout(r, wait + randomInt(100)));
    delay = Math.min(delay * 2, 2000);
  }
}

function record(request: Request, answer: Answer, results: LoadResults) {
  if (answer.status >= 200 && answer.status < 300) {
    results.acked[request.kind]++;
    if (request.kind === 'sale') {
      results.sales.push({ receiptNo: String(request.body.receiptNo), id: answer.body.id, pointsRedeemed: answer.body.pointsRedeemed ?? 0 });
      results.redeemedPoints += answer.body.pointsRedeemed ?? 0;
    } else if (request.kind === 'redemption') {
      results.redeemedPoints += Number(request.body.points);
    } else {
      results.voucherUseIds.push(answer.body.id);
    }
    return;
  }
  const reason = `${request.kind} ${answer.status} ${String(answer.body?.type ?? '').split('/').pop()}`;
  results.refused[reason] = (results.refused[reason] ?? 0) + 1;
  const type = String(answer.body?.type ?? '');
  if (answer.status === 422 && type.includes('idempotency')) results.anomalies.push(`${request.kind} key ${request.key}: 422 ${type}`);
  if (request.kind === 'sale' && answer.status === 409 && answer.body?.transactionId) {
    results.anomalies.push(`sale ${request.body.receiptNo} (key ${request.key}): its retry was refused as a duplicate receipt of ${answer.body.transactionId} instead of replayed`);
  }
}

/** Runs `clients` clients until `stopSending()`; then each finishes its current request (until `hardStop()`). */
export async function runLoad(baseUrl: string, seed: Seed, clients: number, stopSending: () => boolean, hardStop: () => boolean): Promise<LoadResults> {
  const results: LoadResults = {
    sent: { sale: 0, redemption: 0, voucher: 0 },
    acked: { sale: 0, redemption: 0, voucher: 0 },
    refused: {},
    attempts: 0,
    retries: 0,
    unresolved: 0,
    sales: [],
    redeemedPoints: 0,
    voucherUseIds: [],
    anomalies: [],
  };
  const client = async (index: number) => {
    for (let n = 0; !stopSending(); n++) {
      const request = nextRequest(seed, index, n);
      results.sent[request.kind]++;
      const answer = await untilDefinitive(baseUrl, seed, request, results, hardStop);
      if (answer) record(request, answer, results);
      else results.unresolved++;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  return results;
}
