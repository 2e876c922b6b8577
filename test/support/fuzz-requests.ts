import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { hostileStrings, jsonText, mutate, mutation, rawBodies, validOf, type JsonSchema } from './fuzz-arbitraries.ts';
import type { TenantObjects } from './tenant-objects.ts';

// An operation of the OpenAPI document turned into an arbitrary of hostile requests: who calls, path
// parameters, query, Idempotency-Key and other headers, and the body with its content type.

export interface Operation {
  name: string;
  method: string;
  path: string;
  security: string[];
  parameters: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
  body?: { contentType: string; schema: JsonSchema };
}

export interface Document {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
  components: { schemas: Record<string, JsonSchema> };
}

export function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => {
      const [contentType, content] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      return {
        name: `${method.toUpperCase()} ${path}`, method, path,
        security: (op.security ?? []).flatMap((requirement) => Object.keys(requirement)),
        parameters: op.parameters ?? [],
        body: contentType ? { contentType, schema: content.schema } : undefined,
      };
    }));
}

export type CallerName = 'owner' | 'adminKey' | 'posKey' | 'readKey' | 'member' | 'anonymous' | 'forged';

export interface FuzzRequest {
  caller: CallerName;
  forgedAuth: { header: string; value: string };
  path: Record<string, string>;
  query: [string, string | string[]][];
  idempotencyKey: string | string[] | undefined;
  extraHeaders: Record<string, string>;
  body: { text: string; contentType: string } | undefined;
}

/** Path segments as a client could send them: percent-encoded hostile text and broken encodings. */
const hostileSegments = [
  '%ED%A0%80', '%', '%zz', '%00', '%C0%AF', '%F0%9F', '..', '%2e%2e', '%2F', '-1', '0', '1e999', 'null', 'undefined', 'x'.repeat(3_000),
  '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF', '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b%00',
];

/** encodeURIComponent, with a lone surrogate written as the invalid UTF-8 a broken client would send. */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.split('').map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
  }
};

const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileStrings.filter((h) => h.length < 3_000)).map(encode) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileSegments) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encode) },
);

const wrongContentTypes = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16',
  'application/jsonx', 'application/vnd.api+json', 'text/csv', 'application/octet-stream', 'application/json, text/plain',
];

const forgedAuth = (tenantId: string) => fc.constantFrom(
  { header: 'Authorization', value: 'Bearer ' },
  { header: 'Authorization', value: `Bearer kk_${tenantId}_${randomUUID()}_${'x'.repeat(43)}` },
  { header: 'Authorization', value: `Bearer kk_${tenantId}_not-a-uuid_x` },
  { header: 'Authorization', value: 'Bearer kk_../../etc_x_y' },
  { header: 'Authorization', value: `Bearer ${'a'.repeat(6_000)}` },
  { header: 'Authorization', value: 'Basic YWRtaW46YWRtaW4=' },
  { header: 'Authorization', value: "Bearer ' or 1=1 --" },
  { header: 'Cookie', value: 'kartu_session=forged; kartu_member=forged' },
  { header: 'Cookie', value: `kartu_session=${'%'.repeat(100)}` },
  { header: 'Cookie', value: 'kartu_session=\x80\xff' },
);

/** Who calls, weighted towards callers allowed to do the operation, so most requests reach the service. */
function callersOf(op: Operation): fc.Arbitrary<CallerName> {
  if (!op.security.length) return fc.constant('anonymous');
  const weighted: [CallerName, number][] = [['forged', 1]];
  if (op.security.includes('session')) weighted.push(['owner', 4]);
  if (op.security.includes('apiKey')) weighted.push(['adminKey', 2], ['posKey', 1], ['readKey', 1]);
  if (op.security.includes('memberSession')) weighted.push(['member', 6]);
  return fc.oneof(...weighted.map(([caller, weight]) => ({ weight, arbitrary: fc.constant(caller) })));
}

export interface RequestContext {
  document: Document;
  tenantId: string;
  objects: TenantObjects;
}

export function requestsFor(op: Operation, { document, tenantId, objects }: RequestContext): fc.Arbitrary<FuzzRequest> {
  const resolve = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')];
  const ids = {
    member: [objects.member.id, objects.duplicate.id], store: [objects.store.id], sale: [objects.sale.id],
    staff: [objects.cashier.id], line: objects.sale.lines.map((l: { id: string }) => l.id),
  };
  const all = [...new Set(Object.values(ids).flat().concat(objects.reward.id, objects.tier.id, objects.segment.id, objects.offer.id, objects.feedback.id))];
  const idsFor = (property: string) =>
    /member|duplicate|referrer/i.test(property) ? ids.member : /store/i.test(property) ? ids.store : /transaction/i.test(property) ? ids.sale
      : /line/i.test(property) ? ids.line : /assignee|actor|staff/i.test(property) ? ids.staff : all;
  const ctx = { resolve, idsFor };

  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const path = fc.record(Object.fromEntries(pathParams.map((p) => {
    const real = objects.idFor(op.path, p.name);
    const valid = real ? fc.constant(real) : validOf(p.schema, ctx, p.name).map((v) => encode(String(v)));
    return [p.name, fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: hostileText })];
  })));

  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const queryValue = (p: Operation['parameters'][number]) => fc.oneof(
    { weight: 3, arbitrary: validOf(p.schema, ctx, p.name).map((v) => encode(String(v))) },
    { weight: 2, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.tuple(hostileText, hostileText).map(([a, b]) => [a, b]) },
  );
  const query = fc.tuple(
    fc.tuple(...queryParams.map((p) => fc.option(queryValue(p).map((v) => [p.name, v] as [string, string | string[]]), { freq: 2 }))),
    fc.option(fc.tuple(fc.constantFrom('tenantId', 'id', 'limit', '__proto__', 'cursor[]'), hostileText), { freq: 4 }),
  ).map(([known, extra]) => [...known, extra].filter((entry): entry is [string, string] => entry !== null));

  const idempotencyKey = fc.oneof(
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('fuzz-shared-key') },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(255), 'x'.repeat(256), '\x80\xff', 'k'.repeat(4_000), "' or 1=1 --") },
    { weight: 1, arbitrary: fc.tuple(fc.uuid(), fc.uuid()).map(([a, b]) => [a, b]) },
  );
  const extraHeaders = fc.option(fc.constantFrom(
    { 'X-Request-Id': 'r'.repeat(500) }, { 'Accept-Language': 'xx-\x80;q=NaN' }, { Origin: 'null' },
    { 'X-Forwarded-For': "127.0.0.1, ' or 1=1" }, { 'Content-Encoding': 'gzip' }, { 'Content-Encoding': 'br, zstd' },
  ), { freq: 3 }).map((h) => (h ?? {}) as Record<string, string>);

  return fc.record({
    caller: callersOf(op),
    forgedAuth: forgedAuth(tenantId),
    path,
    query,
    idempotencyKey,
    extraHeaders,
    body: bodiesFor(op, ctx),
  });
}

function bodiesFor(op: Operation, ctx: Parameters<typeof validOf>[1]): fc.Arbitrary<FuzzRequest['body']> {
  const json = (text: string) => ({ text, contentType: 'application/json' });
  const raw = fc.constantFrom(...rawBodies).map(json);
  if (!op.body) {
    return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: raw }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => json(jsonText(v))) });
  }
  if (op.body.contentType !== 'application/json') {
    const csv = fc.oneof(
      fc.constantFrom('', '\u0000', 'phone\n', 'a,b\n"unterminated', '\ufeffphone,name\n0812,x\n', `phone\n${'9'.repeat(100_000)}\n`, 'phone;name\r\n0812;\u0000\r\n'),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    return fc.oneof(
      { weight: 3, arbitrary: csv.map((text) => ({ text, contentType: op.body!.contentType })) },
      { weight: 1, arbitrary: raw },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  }
  const valid = validOf(op.body.schema, ctx);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(valid, mutation).map(([value, change]) => json(jsonText(mutate(value, change)))) },
    { weight: 1, arbitrary: valid.map((value) => json(jsonText(value))) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => json(jsonText(v))) },
    { weight: 2, arbitrary: raw },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...wrongContentTypes)).map(([value, contentType]) => ({ text: jsonText(value), contentType })) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** The URL of the request: path parameters in place, the query written by hand (duplicates and broken encodings kept). */
export function urlOf(op: Operation, request: FuzzRequest): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => request.path[name]);
  const query = request.query.flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeURIComponent(name)}=${v}`));
  return query.length ? `${path}?${query.join('&')}` : path;
}

/** A short description of a request for a failure message. */
export function describeRequest(op: Operation, request: FuzzRequest): string {
  const body = request.body ? `${request.body.contentType} ${request.body.text.length > 300 ? `${request.body.text.slice(0, 300)}… (${request.body.text.length} chars)` : request.body.text}` : 'no body';
  const key = Array.isArray(request.idempotencyKey) ? request.idempotencyKey.join(' | ') : request.idempotencyKey?.slice(0, 40);
  return `${op.method.toUpperCase()} ${urlOf(op, request).slice(0, 400)} as ${request.caller}${request.caller === 'forged' ? ` (${request.forgedAuth.header}: ${request.forgedAuth.value.slice(0, 60)})` : ''}, Idempotency-Key ${key ?? '-'}, headers ${JSON.stringify(request.extraHeaders)}, body ${body}`;
}
