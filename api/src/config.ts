import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const dataDir = resolveFromRoot(env.KARTU_DATA_DIR || 'data');
  const demo = env.KARTU_DEMO ? env.KARTU_DEMO === 'on' : !databaseUrl;
  // One without the other would quietly serve plain http, and the till's camera would not work.
  if (Boolean(env.KARTU_TLS_CERT) !== Boolean(env.KARTU_TLS_KEY)) {
    throw new ConfigError('Set both KARTU_TLS_CERT and KARTU_TLS_KEY to serve HTTPS, or neither');
  }
  const tls = env.KARTU_TLS_CERT && env.KARTU_TLS_KEY
    ? { cert: resolveFromRoot(env.KARTU_TLS_CERT), key: resolveFromRoot(env.KARTU_TLS_KEY) }
    : undefined;
  return {
    port: Number(env.PORT || 3000),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir,
    demo,
    signupForced: env.KARTU_SIGNUP === 'on',
    publicUrl: publicUrl(env.KARTU_PUBLIC_URL),
    secretKey: secretKey(env.KARTU_SECRET_KEY, databaseUrl, dataDir),
    allowPrivateTargets: env.KARTU_ALLOW_PRIVATE_TARGETS === 'on',
    secureCookies: Boolean(tls) || env.KARTU_SECURE_COOKIES === 'on',
    trustProxy: env.KARTU_TRUST_PROXY === 'on',
    tls,
    logLevel: env.LOG_LEVEL || 'info',
  };
}

function publicUrl(given: string | undefined): string | undefined {
  if (!given) return undefined;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new ConfigError(`KARTU_PUBLIC_URL is not a URL: ${given}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('KARTU_PUBLIC_URL must be an http(s) URL');
  return url.origin;
}

export function resolveFromRoot(path: string): string {
  return isAbsolute(path) ? path : join(repoRoot, path);
}

// Embedded database: the key is generated once into the data folder. Postgres: it must be given,
// because the data it protects lives in a database the server does not own.
function secretKey(given: string | undefined, databaseUrl: string | undefined, dataDir: string): Buffer {
  if (given) {
    if (given.length < 32) throw new ConfigError('KARTU_SECRET_KEY must be at least 32 characters');
    return sha256(given);
  }
  if (databaseUrl) throw new ConfigError('KARTU_SECRET_KEY is required when DATABASE_URL is set');
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return sha256(readFileSync(file, 'utf8').trim());
}
