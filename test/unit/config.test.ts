import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, repoRoot, unknownVariables } from '../../api/src/config.ts';

const SECRET = 'kartu-test-secret-key-0123456789abcdef';
const base = { KARTU_SECRET_KEY: SECRET, DATABASE_URL: 'postgres://kartu@db.toko.lan/kartu' };
const dir = mkdtempSync(join(tmpdir(), 'kartu-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted it');
};

describe('loadConfig', () => {
  it('raises the rate limits for benchmarks only when KARTU_BENCH_RATE_LIMITS=on is given', () => {
    expect(loadConfig(base).benchRateLimits).toBe(false);
    expect(loadConfig({ ...base, KARTU_BENCH_RATE_LIMITS: 'off' }).benchRateLimits).toBe(false);
    expect(loadConfig({ ...base, KARTU_BENCH_RATE_LIMITS: 'on', HOST: '127.0.0.1' }).benchRateLimits).toBe(true);
    expect(failure({ KARTU_BENCH_RATE_LIMITS: 'yes' })).toBe("KARTU_BENCH_RATE_LIMITS must be 'on' or 'off', got 'yes'");
  });

  it('refuses KARTU_BENCH_RATE_LIMITS=on on a server others can reach', () => {
    const refusal = 'KARTU_BENCH_RATE_LIMITS=on is for npm run bench only: it needs HOST=127.0.0.1 (a server only this machine can reach)';
    expect(failure({ KARTU_BENCH_RATE_LIMITS: 'on' })).toBe(refusal);
    expect(failure({ KARTU_BENCH_RATE_LIMITS: 'on', HOST: '0.0.0.0' })).toBe(refusal);
    expect(failure({ KARTU_BENCH_RATE_LIMITS: 'on', HOST: '192.168.1.20' })).toBe(refusal);
    expect(loadConfig({ ...base, KARTU_BENCH_RATE_LIMITS: 'on', HOST: '::1' }).benchRateLimits).toBe(true);
  });

  it('names the variable, the form it needs and the value given', () => {
    expect(failure({ PORT: 'abc' })).toBe("PORT must be a port number 0-65535 (0 picks a free port), got 'abc'");
    expect(failure({ PORT: '70000' })).toMatch(/^PORT must be a port number/);
    expect(failure({ KARTU_DEMO: 'yes' })).toBe("KARTU_DEMO must be 'on' or 'off', got 'yes'");
    expect(failure({ LOG_LEVEL: 'verbose' })).toBe("LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'");
    expect(failure({ KARTU_PUBLIC_URL: 'loyalty.toko.co.id' })).toMatch(/^KARTU_PUBLIC_URL must be an http\(s\) URL/);
    expect(failure({ KARTU_REQUEST_TIMEOUT: '0' })).toBe("KARTU_REQUEST_TIMEOUT must be seconds, a whole number 1-600, got '0'");
  });

  it('lists every wrong variable at once, and never repeats a secret', () => {
    const message = failure({ PORT: '-1', KARTU_SIGNUP: 'true', KARTU_SECRET_KEY: 'too-short-secret', DATABASE_URL: 'mysql://root:hunter2@db/kartu' });
    expect(message.split('\n')).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got 29 characters',
      'KARTU_SECRET_KEY must be at least 32 characters, got 16 characters',
      "PORT must be a port number 0-65535 (0 picks a free port), got '-1'",
      "KARTU_SIGNUP must be 'on' or 'off', got 'true'",
    ]);
    expect(message).not.toContain('hunter2');
    expect(failure({ KARTU_METRICS_TOKEN: 'short-token' })).toBe('KARTU_METRICS_TOKEN must be at least 16 characters, got 11 characters');
  });

  it('takes CORS origins as a comma-separated list of bare origins, never a wildcard', () => {
    const config = loadConfig({ ...base, KARTU_CORS_ORIGINS: 'https://toko.co.id/, https://shop.toko.co.id:8443,http://localhost:5173' });
    expect(config.corsOrigins).toEqual(['https://toko.co.id', 'https://shop.toko.co.id:8443', 'http://localhost:5173']);
    for (const wrong of ['*', 'https://*.toko.co.id', 'https://toko.co.id/shop', 'toko.co.id', 'ftp://toko.co.id']) {
      expect(failure({ KARTU_CORS_ORIGINS: wrong })).toBe(`KARTU_CORS_ORIGINS must be comma-separated origins such as https://toko.co.id,https://shop.toko.co.id (no paths, no *), got '${wrong}'`);
    }
    expect(loadConfig(base).corsOrigins).toEqual([]);
  });

  it('has defaults for what is unset or empty, and reads the operator settings', () => {
    const config = loadConfig({ ...base, PORT: '', LOG_LEVEL: '' });
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', logLevel: 'info', demo: false, metricsToken: undefined, requestTimeoutMs: 30_000, tls: undefined });
    expect(loadConfig({ ...base, KARTU_REQUEST_TIMEOUT: '90', KARTU_METRICS_TOKEN: 'x'.repeat(16) })).toMatchObject({ requestTimeoutMs: 90_000, metricsToken: 'x'.repeat(16) });
  });

  it('shares the rate-limit counters on PostgreSQL unless told local; the embedded database counts in memory', () => {
    expect(loadConfig(base).rateLimits).toBe('shared');
    expect(loadConfig({ ...base, KARTU_RATE_LIMITS: 'local' }).rateLimits).toBe('local');
    expect(loadConfig({ KARTU_SECRET_KEY: SECRET, KARTU_DATA_DIR: dir, KARTU_RATE_LIMITS: 'shared' }).rateLimits).toBe('local');
    expect(failure({ KARTU_RATE_LIMITS: 'redis' })).toBe("KARTU_RATE_LIMITS must be 'shared' or 'local', got 'redis'");
  });

  it('prepares statements unless told off', () => {
    expect(loadConfig(base).preparedStatements).toBe(true);
    expect(loadConfig({ ...base, KARTU_PREPARED_STATEMENTS: 'off' }).preparedStatements).toBe(false);
    expect(failure({ KARTU_PREPARED_STATEMENTS: 'no' })).toBe("KARTU_PREPARED_STATEMENTS must be 'on' or 'off', got 'no'");
  });

  it('checks the TLS files exist, and that both are given', () => {
    const cert = join(dir, 'cert.pem');
    writeFileSync(cert, 'not checked here');
    expect(failure({ KARTU_TLS_CERT: cert })).toBe('Set both KARTU_TLS_CERT and KARTU_TLS_KEY to serve HTTPS, or neither');
    expect(failure({ KARTU_TLS_CERT: cert, KARTU_TLS_KEY: join(dir, 'missing.pem') })).toBe(`KARTU_TLS_KEY: there is no file ${join(dir, 'missing.pem')}`);
    expect(loadConfig({ ...base, KARTU_TLS_CERT: cert, KARTU_TLS_KEY: cert })).toMatchObject({ tls: { cert, key: cert }, secureCookies: true });
  });

  it('names KARTU_ variables it does not read (typos)', () => {
    expect(unknownVariables({ KARTU_SINGUP: 'on', KARTU_SIGNUP: 'on', KARTU_METRICS_TOKEN: 'x', PATH: '/usr/bin' })).toEqual(['KARTU_SINGUP']);
  });
});

it('the server exits with 1 and says which variable is wrong before it opens anything', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'api/src/main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, KARTU_DATA_DIR: dir, PORT: 'abc', KARTU_DEMO: 'maybe' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain("Kartu cannot start: PORT must be a port number 0-65535 (0 picks a free port), got 'abc'\nKARTU_DEMO must be 'on' or 'off', got 'maybe'");
}, 60_000);
