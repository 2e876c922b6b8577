import fc from 'fast-check';

// fast-check arbitraries for the operation fuzzer: values that satisfy an operation's JSON schema
// (so a request gets past the first check and into the service), hostile values to put in their
// place, and raw bodies no JSON encoder would write.

export type JsonSchema = {
  $ref?: string; type?: string | string[]; enum?: unknown[]; const?: unknown; format?: string; pattern?: string;
  minLength?: number; maxLength?: number; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number;
  items?: JsonSchema; minItems?: number; maxItems?: number; properties?: Record<string, JsonSchema>; required?: string[];
  additionalProperties?: boolean | JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[];
};

/** Stands for JSON text put into a body as it is (numbers and keys JSON.stringify cannot write). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold RawJson parts. */
export function jsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, inner) => (inner instanceof RawJson ? `\u0001RAW${raws.push(inner.text) - 1}\u0001` : inner));
  return (text ?? 'null').replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]);
}

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

export const hostileStrings = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udfff\ud800', '\u202eevil', '\ufeff', '🧨💥', 'Z̴̡̧͖a̷͎l̸g̵o', '١٢٣', '𝟘𝟙',
  "' or 1=1 --", "'; drop table members; --", '" or ""="', '1; select pg_sleep(5)', "$$; select 1; $$", '\\', '%', '%00', '%s%n',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{7*7}}', '${7*7}', '../../etc/passwd',
  'x'.repeat(256), 'y'.repeat(5_000), 'é'.repeat(70_000), 'null', 'undefined', 'true', 'NaN', 'Infinity', '-1', '0', '1e999', '0x10',
  '2026-02-30', '0000-01-01', '9999-12-31T23:59:59Z', '2026-13-01T00:00:00Z', '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '+6281234567890', '0812', '#zzzzzz', '25:61', '\r\nX-Injected: 1', 'a,b\n"c',
];

export const hostileNumbers = [
  -1, 0, -0, 0.5, -0.000001, 1e-300, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER + 2, 1e21, 1e308, -1e308,
];

/** JSON numbers and keys a JS value cannot hold: overflow to Infinity, beyond 2^53, an own `__proto__`. */
export const rawOnly = [
  new RawJson('1e400'), new RawJson('-1e400'), new RawJson('123456789012345678901234567890'), new RawJson('1.0'), new RawJson('-0.0'),
  new RawJson('{"__proto__":{"isAdmin":true,"role":"owner"}}'), new RawJson('{"constructor":{"prototype":{"polluted":true}}}'),
  new RawJson('{"a":1,"a":2}'), new RawJson(deep(2_000)),
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 2, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[]], { '': '' }, ...rawOnly) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Bodies that are not JSON, or JSON a parser chokes on. */
export const rawBodies = [
  '', '{', '}', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '\u0000', '\ufeff{}', '{"a":1}{"b":2}', '[1,2', '"just a string"', '42', 'null', 'true',
  '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":1e999999}', deep(100_000), '['.repeat(50_000), `{"a":"${'z'.repeat(1_100_000)}"}`,
];

interface Context {
  resolve: (ref: string) => JsonSchema;
  /** Real ids to use for a uuid property, chosen by the property's name. */
  idsFor: (property: string) => string[];
}

const bounded = (lo: number, hi: number, span: number) => ({ min: lo, max: Math.min(hi, lo + span) });

/** Values that satisfy `schema` (formats, patterns, enums, bounds), small ones: a valid request that gets as far as the service. */
export function validOf(schema: JsonSchema, ctx: Context, property = '', depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return validOf(ctx.resolve(schema.$ref), ctx, property, depth);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((s) => validOf(s, ctx, property, depth + 1)));
  if (schema.allOf) return validOf(Object.assign({}, ...schema.allOf), ctx, property, depth);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : schema.properties ? ['object'] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => validOf({ ...schema, type }, ctx, property, depth)));
  switch (types[0]) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'integer': {
      const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : lo + 1_000);
      const { min, max } = bounded(lo, hi, 1_000);
      // Minor units are often whole rupiah (multiples of 100): offer those too.
      const hundreds = Math.ceil(min / 100) <= Math.floor(max / 100) ? [fc.integer({ min: Math.ceil(min / 100), max: Math.floor(max / 100) }).map((n) => n * 100)] : [];
      return fc.oneof(fc.integer({ min, max }), ...hundreds);
    }
    case 'number': {
      const lo = schema.minimum ?? schema.exclusiveMinimum ?? 0;
      const hi = schema.maximum ?? schema.exclusiveMaximum ?? lo + 100;
      // Two decimals at most, as rates and multipliers are written.
      const { min, max } = bounded(lo, hi, 100);
      return fc.integer({ min: Math.ceil(min * 100), max: Math.floor(max * 100) }).map((n) => n / 100).filter((n) => n !== schema.exclusiveMinimum && n !== schema.exclusiveMaximum);
    }
    case 'string': return validString(schema, ctx, property);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const min = schema.minItems ?? 0;
      // Lists of codes, stores or days take each one once.
      return fc.uniqueArray(validOf(schema.items ?? {}, ctx, property, depth + 1), { minLength: min, maxLength: Math.min(schema.maxItems ?? min + 3, min + 3), selector: (v) => JSON.stringify(v) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      if (!Object.keys(properties).length && typeof schema.additionalProperties === 'object') {
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), validOf(schema.additionalProperties, ctx, property, depth + 1), { maxKeys: 3 });
      }
      const arbitraries = Object.fromEntries(Object.entries(properties).map(([name, inner]) => [name, validOf(inner, ctx, name, depth + 1)]));
      return fc.record(arbitraries, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    default: return fc.jsonValue({ maxDepth: 1 });
  }
}

function validString(schema: JsonSchema, ctx: Context, property: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 40;
  switch (schema.format) {
    case 'uuid': {
      const ids = ctx.idsFor(property);
      return ids.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid();
    }
    case 'date-time': return fc.integer({ min: -40, max: 60 }).map((days) => new Date(Date.now() + days * 86400e3).toISOString());
    case 'date': return fc.date({ min: new Date('1950-01-01'), max: new Date('2010-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email': return fc.nat(1e6).map((n) => `fuzz-${n}@test.kartu`);
    case 'uri': return fc.constantFrom('http://127.0.0.1:9/hook', 'https://[::1]:9/hook');
  }
  if (schema.pattern) {
    const source = schema.pattern.replace(/\/u$/, '');
    try {
      const pattern = new RegExp(source, 'u');
      return fc.stringMatching(pattern).filter((s) => s.length >= min && s.length <= max && pattern.test(s));
    } catch {
      // a pattern JavaScript cannot read: fall through to a plain string
    }
  }
  if (/phone/i.test(property)) return fc.nat(99_999_999).map((n) => `0812${String(n).padStart(8, '0')}`);
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 12) }).filter((s) => s.trim().length >= min);
}

type Path = (string | number)[];

function pathsOf(value: unknown, at: Path = []): Path[] {
  const inner = Array.isArray(value)
    ? value.flatMap((item, i) => pathsOf(item, [...at, i]))
    : value && typeof value === 'object' ? Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...at, key])) : [];
  return [at, ...inner];
}

function setAt(value: unknown, path: Path, replace: (old: unknown) => unknown | typeof REMOVE): unknown {
  if (!path.length) return replace(value);
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const next = setAt(copy[head], rest, replace);
  if (next === REMOVE) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete copy[head];
  } else copy[head] = next;
  return copy;
}

const REMOVE = Symbol('remove');

export type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'remove'; at: number }
  | { kind: 'extra'; at: number; key: string; value: unknown }
  | { kind: 'retype'; at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), key: fc.constantFrom('tenantId', 'id', 'role', '__proto__', 'balance', ''), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retype' as const), at: fc.nat() }) },
);

/** The valid value with one part replaced, removed, retyped or joined by a key it does not take. */
export function mutate(value: unknown, change: Mutation): unknown {
  const paths = pathsOf(value);
  const path = paths[change.at % paths.length];
  switch (change.kind) {
    case 'replace': return setAt(value, path, () => change.value);
    case 'remove': return setAt(value, path, () => (path.length ? REMOVE : undefined));
    case 'retype': return setAt(value, path, (old) => (typeof old === 'string' ? Number(old) || [old] : typeof old === 'number' ? String(old) : old === null ? 'null' : typeof old === 'object' ? jsonText(old) : String(old)));
    case 'extra': return setAt(value, path, (old) => (old && typeof old === 'object' && !Array.isArray(old) ? { ...old, [change.key]: change.value } : [old, change.value]));
  }
}
