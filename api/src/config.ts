import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { sha256 } from './shared/crypto.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Demo mode: seeded demo tenant, one-time codes on the console and unmasked in the outbox. */
  demo: boolean;
  /** KARTU_SIGNUP=on opens retailer sign-up on a production server. */
  signupForced: boolean;
  /**
   * KARTU_PUBLIC_URL, e.g. https://loyalty.toko.co.id: where members and Google reach this server.
   * Google Wallet links need it (the pass logo is fetched from it); never taken from a request's Host.
   */
  publicUrl: string | undefined;
  /** 32-byte key derived from KARTU_SECRET_KEY; encrypts card-signing keys and signs scan tokens. */
  secretKey: Buffer;
  allowPrivateTargets: boolean;
  secureCookies: boolean;
  /** Behind one reverse proxy: the client IP is the last X-Forwarded-For entry, the one the proxy added. */
  trustProxy: boolean;
  tls: { cert: string; key: string } | undefined;
  logLevel: string;
  /** Web-shop origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins: string[];
  /** Bearer token for GET /api/metrics; without it the endpoint answers 404. */
  metricsToken: string | undefined;
  /** A request still unanswered after this long gets a 503 (streamed CSV imports and exports excepted). */
  requestTimeoutMs: number;
  /** KARTU_RATE_LIMITS: counters shared by every process on the PostgreSQL, or each process's own (always so on PGlite). */
  rateLimits: 'shared' | 'local';
  /** KARTU_BENCH_RATE_LIMITS=on (npm run bench only): every limit a million times higher, so a load test from one IP is not throttled. */
  benchRateLimits: boolean;
  /** KARTU_PREPARED_STATEMENTS=off: no named statements, for a connection pooler that cannot keep them. */
  preparedStatements: boolean;
}

export class ConfigError extends Error {}

const onOff = z.enum(['on', 'off']);

function httpOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** A bare origin (scheme, host, port) as browsers send it in Origin; anything with a path, query or wildcard is not one. */
function originOnly(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.pathname !== '/' || url.search || url.hash || url.username || value.includes('*')) return undefined;
    return httpOrigin(value);
  } catch {
    return undefined;
  }
}

/**
 * Every environment variable the server reads: what it must look like (for the error message) and
 * its schema. Empty counts as unset. Secret values are never repeated in a message.
 */
const variables = {
  DATABASE_URL: { expected: 'a postgres:// or postgresql:// URL', secret: true, schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/) },
  KARTU_SECRET_KEY: { expected: 'at least 32 characters', secret: true, schema: z.string().min(32) },
  PORT: { expected: 'a port number 0-65535 (0 picks a free port)', schema: z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().max(65535)) },
  HOST: { expected: 'an address or host name to listen on, e.g. 0.0.0.0', schema: z.string().regex(/^[\w.:\-[\]]+$/) },
  KARTU_DATA_DIR: { expected: 'a folder path', schema: z.string() },
  KARTU_DEMO: { expected: "'on' or 'off'", schema: onOff },
  KARTU_SIGNUP: { expected: "'on' or 'off'", schema: onOff },
  KARTU_TLS_CERT: { expected: 'the path of a PEM certificate file', schema: z.string() },
  KARTU_TLS_KEY: { expected: 'the path of a PEM private key file', schema: z.string() },
  KARTU_PUBLIC_URL: { expected: 'an http(s) URL such as https://loyalty.toko.co.id', schema: z.string().refine((v) => httpOrigin(v) !== undefined).transform((v) => httpOrigin(v) as string) },
  KARTU_TRUST_PROXY: { expected: "'on' or 'off'", schema: onOff },
  KARTU_ALLOW_PRIVATE_TARGETS: { expected: "'on' or 'off'", schema: onOff },
  KARTU_SECURE_COOKIES: { expected: "'on' or 'off'", schema: onOff },
  KARTU_CORS_ORIGINS: {
    expected: 'comma-separated origins such as https://toko.co.id,https://shop.toko.co.id (no paths, no *)',
    schema: z.string().transform((v, ctx) => {
      const given = v.split(',').map((part) => part.trim()).filter(Boolean);
      const origins = given.map(originOnly);
      if (origins.includes(undefined) || !origins.length) ctx.addIssue({ code: 'custom', message: 'not a list of origins' });
      return origins as string[];
    }),
  },
  KARTU_METRICS_TOKEN: { expected: 'at least 16 characters', secret: true, schema: z.string().min(16) },
  KARTU_REQUEST_TIMEOUT: { expected: 'seconds, a whole number 1-600', schema: z.string().regex(/^\d{1,3}$/).transform(Number).pipe(z.number().min(1).max(600)) },
  KARTU_RATE_LIMITS: { expected: "'shared' or 'local'", schema: z.enum(['shared', 'local']) },
  KARTU_BENCH_RATE_LIMITS: { expected: "'on' or 'off'", schema: onOff },
  KARTU_PREPARED_STATEMENTS: { expected: "'on' or 'off'", schema: onOff },
  LOG_LEVEL: { expected: 'one of fatal, error, warn, info, debug, trace, silent', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) },
} satisfies Record<string, { expected: string; secret?: boolean; schema: z.ZodType }>;

type Variables = typeof variables;
type Values = { [name in keyof Variables]: z.output<Variables[name]['schema']> | undefined };

function readVariables(env: NodeJS.ProcessEnv): Values {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(variables) as [keyof Variables, Variables[keyof Variables] & { secret?: boolean }][]) {
    const raw = env[name];
    if (!raw) continue;
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${name} must be ${variable.expected}, got ${variable.secret ? `${raw.length} characters` : `'${raw}'`}`);
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return values as Values;
}

/** KARTU_* variables the server does not read: most likely typos, which would otherwise be ignored silently. */
export function unknownVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env).filter((name) => name.startsWith('KARTU_') && !(name in variables));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const v = readVariables(env);
  const databaseUrl = v.DATABASE_URL;
  const dataDir = resolveFromRoot(v.KARTU_DATA_DIR ?? 'data');
  // One without the other would quietly serve plain http, and the till's camera would not work.
  if (Boolean(v.KARTU_TLS_CERT) !== Boolean(v.KARTU_TLS_KEY)) {
    throw new ConfigError('Set both KARTU_TLS_CERT and KARTU_TLS_KEY to serve HTTPS, or neither');
  }
  // Lifting the limits is for a load test on this machine, never for a server others can reach.
  if (v.KARTU_BENCH_RATE_LIMITS === 'on' && !['127.0.0.1', '::1', 'localhost'].includes(v.HOST ?? '0.0.0.0')) {
    throw new ConfigError('KARTU_BENCH_RATE_LIMITS=on is for npm run bench only: it needs HOST=127.0.0.1 (a server only this machine can reach)');
  }
  const tls = v.KARTU_TLS_CERT && v.KARTU_TLS_KEY
    ? { cert: existingFile('KARTU_TLS_CERT', v.KARTU_TLS_CERT), key: existingFile('KARTU_TLS_KEY', v.KARTU_TLS_KEY) }
    : undefined;
  return {
    port: v.PORT ?? 3000,
    host: v.HOST ?? '0.0.0.0',
    databaseUrl,
    dataDir,
    demo: v.KARTU_DEMO ? v.KARTU_DEMO === 'on' : !databaseUrl,
    signupForced: v.KARTU_SIGNUP === 'on',
    publicUrl: v.KARTU_PUBLIC_URL,
    secretKey: secretKey(v.KARTU_SECRET_KEY, databaseUrl, dataDir),
    allowPrivateTargets: v.KARTU_ALLOW_PRIVATE_TARGETS === 'on',
    secureCookies: Boolean(tls) || v.KARTU_SECURE_COOKIES === 'on',
    trustProxy: v.KARTU_TRUST_PROXY === 'on',
    tls,
    logLevel: v.LOG_LEVEL ?? 'info',
    corsOrigins: v.KARTU_CORS_ORIGINS ?? [],
    metricsToken: v.KARTU_METRICS_TOKEN,
    requestTimeoutMs: (v.KARTU_REQUEST_TIMEOUT ?? 30) * 1000,
    rateLimits: databaseUrl ? v.KARTU_RATE_LIMITS ?? 'shared' : 'local',
    benchRateLimits: v.KARTU_BENCH_RATE_LIMITS === 'on',
    preparedStatements: v.KARTU_PREPARED_STATEMENTS !== 'off',
  };
}

function existingFile(name: string, path: string): string {
  const file = resolveFromRoot(path);
  if (!existsSync(file)) throw new ConfigError(`${name}: there is no file ${file}`);
  return file;
}

export function resolveFromRoot(path: string): string {
  return isAbsolute(path) ? path : join(repoRoot, path);
}

// Embedded database: the key is generated once into the data folder. Postgres: it must be given,
// because the data it protects lives in a database the server does not own.
function secretKey(given: string | undefined, databaseUrl: string | undefined, dataDir: string): Buffer {
  if (given) return sha256(given);
  if (databaseUrl) throw new ConfigError('KARTU_SECRET_KEY is required when DATABASE_URL is set');
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return sha256(readFileSync(file, 'utf8').trim());
}
