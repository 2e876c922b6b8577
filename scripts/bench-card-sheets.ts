// `npm run bench:cards [count]`: renders a batch of card-stock sheets (default 1,000 cards, 10 per
// A4 page) as one PDF and prints the time and size. The budget is 10 s on a 2-core machine.
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { newKid, signCardCode } from '../api/src/cards/card-code.ts';
import { cardSheetStream, renderCardSheetPdf } from '../api/src/cards/card-sheet.ts';
import { newCardNumber } from '../api/src/cards/luhn.ts';

const BUDGET_MS = 10_000;
const count = Number(process.argv[2] ?? 1000);
const key = randomBytes(32);
const tenantId = randomUUID();
const kid = newKid(randomBytes(2));
const numbers = new Set<string>();
while (numbers.size < count) numbers.add(newCardNumber());
const cards = [...numbers].map((cardNumber) => ({ cardNumber, code: signCardCode(key, tenantId, kid, cardNumber) }));
const options = { retailer: 'Toko Bench Sejahtera' };

// Into memory (what an HTTP handler returning a Buffer does).
let started = performance.now();
const pdf = await renderCardSheetPdf(cards, options);
const bufferMs = performance.now() - started;

// Streamed to a file (what a long batch job does; memory stays flat).
const dir = mkdtempSync(join(tmpdir(), 'kartu-bench-'));
const file = join(dir, 'cards.pdf');
started = performance.now();
await pipeline(cardSheetStream(cards, options), createWriteStream(file));
const streamMs = performance.now() - started;
const streamedBytes = statSync(file).size;
rmSync(dir, { recursive: true, force: true });

const pages = Math.ceil(count / 10);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
console.log(`card sheets: ${count} cards, ${pages} A4 pages`);
console.log(`  in memory: ${(bufferMs / 1000).toFixed(2)} s, ${mb(pdf.length)}`);
console.log(`  streamed to a file: ${(streamMs / 1000).toFixed(2)} s, ${mb(streamedBytes)}`);
const worst = Math.max(bufferMs, streamMs);
if (worst > (BUDGET_MS * count) / 1000) {
  console.error(`✗ over budget: ${(worst / 1000).toFixed(2)} s for ${count} cards (budget 10 s per 1,000)`);
  process.exit(1);
}
console.log(`✓ within the budget of 10 s per 1,000 cards`);
