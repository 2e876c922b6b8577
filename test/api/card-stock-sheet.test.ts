import { afterAll, beforeAll, expect, it } from 'vitest';
import { newCardStock } from '../support/cards.ts';
import { newPhone, newStaff, newTenant } from '../support/factories.ts';
import { decodeQrCodes } from '../support/qr-decode.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const binary = (res: { on: (event: string, fn: (chunk?: Buffer) => void) => void }, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk) => chunks.push(chunk!));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

it('prints a card-stock batch as A4 sheets whose QR codes are the batch’s codes and sign members up at the till', async () => {
  const tenant = await newTenant(app);
  const stock = await newCardStock(tenant, 12);
  const res = await tenant.owner.get(`/api/v1/cards/stock/${stock.batchId}/sheet.pdf`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const decoded = decodeQrCodes(res.body as Buffer);
  expect([...decoded].sort()).toEqual(stock.cards.map((c: { code: string }) => c.code).sort());

  const attached = await tenant.owner.post('/api/v1/cards/attach').send({ code: decoded[0], name: 'Walk In', phone: newPhone() });
  expect(attached.status, JSON.stringify(attached.body)).toBe(201);
  expect((await tenant.owner.post('/api/v1/scan').send({ code: decoded[0] })).body.member.id).toBe(attached.body.id);

  const cashier = await newStaff(app, tenant, 'cashier');
  expect((await cashier.agent.get(`/api/v1/cards/stock/${stock.batchId}/sheet.pdf`)).status).toBe(403);
  const other = await newTenant(app);
  expect((await other.owner.get(`/api/v1/cards/stock/${stock.batchId}/sheet.pdf`)).status).toBe(404);
});
