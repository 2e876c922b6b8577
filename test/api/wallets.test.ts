import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardHistoryOf, signedInMember } from '../support/cards.ts';
import { newApiKey, newMember, newStaff, newStore, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Wallet passes checked the way Google and Apple check them: the save link's JWT is verified with
// the service account's public key; the .pkpass is unzipped (Debian `unzip`), every manifest hash
// recomputed, and the PKCS#7 signature verified by `openssl smime` against a CA made here. Both
// carry the printed card's code, which must scan to the member.

let app: TestApp;
let certs: AppleCerts;
beforeAll(async () => {
  app = await createTestApp({ KARTU_PUBLIC_URL: ORIGIN });
  certs = makeAppleCerts();
});
afterAll(async () => {
  rmSync(certs.dir, { recursive: true, force: true });
  await app.close();
});

const PASS_TYPE = 'pass.dev.kartu.test';
const TEAM = 'ABCDE12345';
const ORIGIN = 'https://kartu.example';

type BinaryParser = Parameters<ReturnType<TestApp['http']['get']>['parse']>[0];
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as BinaryParser;

function run(tool: string, args: string[], cwd?: string) {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${tool} could not run (Debian openssl and unzip are needed): ${result.error.message}`);
  return result;
}

function runOk(tool: string, args: string[], cwd?: string) {
  const result = run(tool, args, cwd);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** A fake Google Cloud service-account key file around a fresh RSA key. */
function serviceAccount(email = 'wallet@kartu-test.iam.gserviceaccount.com') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'kartu-test',
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: email,
    client_id: '1234567890',
  });
  return { json, publicKey, email };
}

interface AppleCerts {
  dir: string;
  ca: string;
  certificate: string;
  privateKey: string;
  encryptedKey: string;
  otherKey: string;
  expired: string;
  otherCa: string;
}

/** A CA (standing in for Apple's WWDR) and pass certificates it signed, made with the openssl CLI. */
function makeAppleCerts(): AppleCerts {
  const dir = mkdtempSync(join(tmpdir(), 'kartu-wallet-'));
  const openssl = (...args: string[]) => runOk('openssl', args, dir);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Kartu Test WWDR CA');
  const subject = `/UID=${PASS_TYPE}/OU=${TEAM}/CN=Pass Type ID: ${PASS_TYPE}`;
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'pass.key', '-out', 'pass.csr', '-subj', subject);
  const sign = (out: string, days: string) =>
    openssl('x509', '-req', '-in', 'pass.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', out, '-days', days);
  sign('pass.pem', '30');
  sign('expired.pem', '-1');
  openssl('pkey', '-in', 'pass.key', '-aes256', '-passout', 'pass:rahasia', '-out', 'pass.enc.key');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other.key');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '30', '-subj', '/CN=Some Other CA');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    dir,
    ca: read('ca.pem'),
    certificate: read('pass.pem'),
    privateKey: read('pass.key'),
    encryptedKey: read('pass.enc.key'),
    otherKey: read('other.key'),
    expired: read('expired.pem'),
    otherCa: read('other-ca.pem'),
  };
}

const appleBody = (overrides: Record<string, unknown> = {}) => ({
  passTypeIdentifier: PASS_TYPE,
  teamIdentifier: TEAM,
  certificate: certs.certificate,
  privateKey: certs.privateKey,
  wwdrCertificate: certs.ca,
  ...overrides,
});

async function setUpGoogle(tenant: Tenant, account = serviceAccount()) {
  const res = await tenant.owner.put('/api/v1/settings/wallets/google').send({ issuerId: '3388000000012345678', serviceAccountKey: account.json });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return account;
}

async function setUpApple(tenant: Tenant) {
  const res = await tenant.owner.put('/api/v1/settings/wallets/apple').send(appleBody());
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function walletSettings(tenant: Tenant) {
  const res = await tenant.owner.get('/api/v1/settings/wallets');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The save link's JWT, with its signature checked against the service account's public key. */
async function verifiedSaveJwt(saveUrl: string, publicKey: KeyObject, email: string) {
  const prefix = 'https://pay.google.com/gp/v/save/';
  expect(saveUrl.startsWith(prefix)).toBe(true);
  const jwt = saveUrl.slice(prefix.length);
  const { payload } = await jwtVerify(jwt, publicKey, { issuer: email, audience: 'google', algorithms: ['RS256'] });
  return { jwt, payload: payload as Record<string, any> };
}

/** Unzips a .pkpass into a temp dir; `check` runs before the dir is removed. */
function withUnzipped<T>(pkpass: Buffer, check: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kartu-pkpass-'));
  try {
    writeFileSync(join(dir, 'card.pkpass'), pkpass);
    runOk('unzip', ['-q', 'card.pkpass', '-d', 'pass'], dir);
    return check(join(dir, 'pass'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)).split('\\').join('/'))
    .sort();
}

const smimeVerify = (dir: string, manifest: string) =>
  run('openssl', ['smime', '-verify', '-binary', '-inform', 'DER', '-in', 'signature', '-content', manifest, '-CAfile', join(certs.dir, 'ca.pem'), '-purpose', 'any', '-out', '/dev/null'], dir);

/** What a Wallet would check, and what the pass says. */
function inspectPass(pkpass: Buffer) {
  return withUnzipped(pkpass, (dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, string>;
    const files = filesUnder(dir);
    for (const [name, sha1] of Object.entries(manifest)) {
      expect(createHash('sha1').update(readFileSync(join(dir, name))).digest('hex'), name).toBe(sha1);
    }
    expect(files.filter((name) => name !== 'manifest.json' && name !== 'signature')).toEqual(Object.keys(manifest).sort());

    const verified = smimeVerify(dir, 'manifest.json');
    const tampered = readFileSync(join(dir, 'manifest.json'));
    tampered[tampered.length - 2] ^= 1;
    writeFileSync(join(dir, 'tampered.json'), tampered);
    const tamperedCheck = smimeVerify(dir, 'tampered.json');
    const contents = new Map(files.map((name) => [name, readFileSync(join(dir, name))]));
    return {
      files,
      verified: { status: verified.status, stderr: verified.stderr },
      tamperedStatus: tamperedCheck.status,
      passJson: JSON.parse(contents.get('pass.json')!.toString('utf8')),
      strings: (language: string) => contents.get(`${language}.lproj/pass.strings`)!.toString('utf8'),
      file: (name: string) => contents.get(name)!,
    };
  });
}

async function scanAsCashier(tenant: Tenant, code: string) {
  const store = await newStore(tenant);
  const cashier = await newStaff(app, tenant, 'cashier', store.id);
  return cashier.agent.post('/api/v1/scan').send({ code });
}

describe('Google Wallet', () => {
  it('gives the member a save link whose JWT is signed by the service account and carries a card that scans', async () => {
    const tenant = await newTenant(app);
    const account = await setUpGoogle(tenant);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 120, reason: 'opening balance' }).expect(201);
    await newMember(tenant); // another member, so a wrong match would show

    // The JWT's origins and the logo come from KARTU_PUBLIC_URL, never from the request's Host.
    const res = await phoneApp.get('/api/v1/me/wallets').set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.apple).toBeNull();
    const { jwt, payload } = await verifiedSaveJwt(res.body.google.saveUrl, account.publicKey, account.email);

    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', kid: 'key-1' });
    expect(payload.typ).toBe('savetowallet');
    expect(payload.origins).toEqual([ORIGIN]);
    expect(typeof payload.iat).toBe('number');
    const [card] = await cardHistoryOf(tenant, member.id);
    const classId = `3388000000012345678.kartu_${tenant.id.replaceAll('-', '')}`;
    expect(payload.payload.loyaltyClasses).toEqual([
      {
        id: classId,
        issuerName: `Toko ${tenant.slug.slice(2)}`,
        programName: 'Kartu member',
        programLogo: { sourceUri: { uri: `${ORIGIN}/api/v1/public/tenants/${tenant.slug}/logo` } },
        hexBackgroundColor: '#0f766e',
        reviewStatus: 'UNDER_REVIEW',
      },
    ]);
    const [object] = payload.payload.loyaltyObjects;
    expect(object).toMatchObject({
      id: `3388000000012345678.${card.id}`,
      classId,
      state: 'ACTIVE',
      accountId: member.cardNumber,
      accountName: member.name,
      barcode: { type: 'QR_CODE', alternateText: member.cardNumber.match(/.{4}/g)!.join(' ') },
      loyaltyPoints: { label: 'Poin', balance: { int: 120 } },
    });
    expect(object.id).toMatch(/^[A-Za-z0-9._-]+$/);

    const scanned = await scanAsCashier(tenant, object.barcode.value);
    expect(scanned.status, JSON.stringify(scanned.body)).toBe(200);
    expect(scanned.body.member.id).toBe(member.id);
  });

  it('a JWT checked against another key fails', async () => {
    const tenant = await newTenant(app);
    const account = await setUpGoogle(tenant);
    const { phoneApp } = await signedInMember(app, tenant);
    const res = await phoneApp.get('/api/v1/me/wallets');
    const other = serviceAccount(account.email);
    await expect(verifiedSaveJwt(res.body.google.saveUrl, other.publicKey, account.email)).rejects.toThrow(/signature verification failed/);
    await expect(verifiedSaveJwt(res.body.google.saveUrl, account.publicKey, account.email)).resolves.toBeTruthy();
  });

  it('labels points in English for an English-speaking retailer', async () => {
    const tenant = await newTenant(app, { locale: 'en' });
    const account = await setUpGoogle(tenant);
    const { phoneApp } = await signedInMember(app, tenant);
    const res = await phoneApp.get('/api/v1/me/wallets');
    const { payload } = await verifiedSaveJwt(res.body.google.saveUrl, account.publicKey, account.email);
    expect(payload.payload.loyaltyObjects[0].loyaltyPoints.label).toBe('Points');
    expect(payload.payload.loyaltyClasses[0].programName).toBe('Member card');
  });

  it('shows the issuer but never the private key: not in settings, the audit log or the database in clear', async () => {
    const tenant = await newTenant(app);
    const account = await setUpGoogle(tenant);

    const settings = await walletSettings(tenant);
    expect(settings).toEqual({
      google: { issuerId: '3388000000012345678', serviceAccountEmail: account.email, updatedAt: expect.any(String) },
      apple: null,
    });
    expect(JSON.stringify(settings)).not.toContain('PRIVATE KEY');

    const audit = await app.deps.db.selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', tenant.id).execute();
    expect(audit.map((entry) => entry.action)).toContain('settings.wallets.google.updated');
    expect(JSON.stringify(audit)).not.toContain('PRIVATE KEY');
    const row = await app.deps.db.selectFrom('wallet_issuers').selectAll().where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(row.settings)).not.toContain('PRIVATE KEY');
  });

  it('refuses a key file that is not JSON, has no client_email or no RSA key, naming the field, and keeps what was stored', async () => {
    const tenant = await newTenant(app);
    await setUpGoogle(tenant);
    const before = await walletSettings(tenant);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const file = (fields: Record<string, unknown>) => JSON.stringify({ type: 'service_account', client_email: 'a@b.iam.gserviceaccount.com', ...fields });
    const cases: [string, RegExp][] = [
      ['{"type": "service_account", "private_key": ', /JSON/],
      [JSON.stringify({ type: 'service_account', private_key: serviceAccount().json }), /client_email/],
      [file({ private_key: ec }), /RSA/],
      [file({ private_key: small }), /2048/],
      [file({ private_key: 'not a key' }), /private_key/],
      [file({}), /private_key/],
    ];
    for (const [serviceAccountKey, message] of cases) {
      const res = await tenant.owner.put('/api/v1/settings/wallets/google').send({ issuerId: '42', serviceAccountKey });
      expect(res.status, serviceAccountKey).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([{ path: 'body.serviceAccountKey', message: expect.stringMatching(message) }]);
    }
    const badIssuer = await tenant.owner.put('/api/v1/settings/wallets/google').send({ issuerId: 'abc', serviceAccountKey: serviceAccount().json });
    expect(badIssuer.status).toBe(400);
    expect(badIssuer.body.errors[0].path).toBe('body.issuerId');
    expect(await walletSettings(tenant)).toEqual(before);
  });
});

describe('Apple Wallet', () => {
  it('serves a .pkpass whose manifest hashes match, whose signature verifies against the CA, and whose QR scans', async () => {
    const tenant = await newTenant(app);
    await setUpApple(tenant);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 75, reason: 'opening balance' }).expect(201);
    await newMember(tenant);

    const links = await phoneApp.get('/api/v1/me/wallets');
    expect(links.status).toBe(200);
    expect(links.body).toEqual({ google: null, apple: { passUrl: '/api/v1/me/card.pkpass' } });

    const res = await phoneApp.get(links.body.apple.passUrl).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apple.pkpass');
    expect(res.headers['cache-control']).toBe('no-store');
    const pass = inspectPass(res.body as Buffer);

    expect(pass.verified.status, pass.verified.stderr).toBe(0);
    expect(pass.tamperedStatus).not.toBe(0);
    expect(pass.files).toEqual(expect.arrayContaining(['pass.json', 'manifest.json', 'signature', 'icon.png', 'icon@2x.png', 'icon@3x.png']));
    expect(pass.files).not.toContain('logo.png');

    const [card] = await cardHistoryOf(tenant, member.id);
    const grouped = member.cardNumber.match(/.{4}/g)!.join(' ');
    expect(pass.passJson).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: PASS_TYPE,
      teamIdentifier: TEAM,
      serialNumber: card.id,
      organizationName: `Toko ${tenant.slug.slice(2)}`,
      backgroundColor: 'rgb(15, 118, 110)',
      foregroundColor: 'rgb(255, 255, 255)',
      barcodes: [{ format: 'PKBarcodeFormatQR', messageEncoding: 'iso-8859-1', altText: grouped, message: expect.stringMatching(/^K1\./) }],
      storeCard: {
        primaryFields: [{ key: 'points', label: 'Poin', value: 75 }],
        secondaryFields: [
          { key: 'member', label: 'Member', value: member.name },
          { key: 'tier', label: 'Tingkat', value: 'Member' },
        ],
      },
    });
    expect(pass.strings('en')).toContain('"Poin" = "Points";');
    expect(pass.strings('id')).toContain('"Poin" = "Poin";');

    const scanned = await scanAsCashier(tenant, pass.passJson.barcodes[0].message);
    expect(scanned.status, JSON.stringify(scanned.body)).toBe(200);
    expect(scanned.body.member.id).toBe(member.id);
  });

  it('takes an encrypted key with its passphrase; a wrong or missing passphrase is a 400 naming it', async () => {
    const tenant = await newTenant(app);
    const put = (body: Record<string, unknown>) => tenant.owner.put('/api/v1/settings/wallets/apple').send(appleBody(body));
    const missing = await put({ privateKey: certs.encryptedKey });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('body.privateKeyPassphrase');
    const wrong = await put({ privateKey: certs.encryptedKey, privateKeyPassphrase: 'salah' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].path).toBe('body.privateKeyPassphrase');
    expect((await walletSettings(tenant)).apple).toBeNull();

    const ok = await put({ privateKey: certs.encryptedKey, privateKeyPassphrase: 'rahasia' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.apple).toEqual({
      passTypeIdentifier: PASS_TYPE,
      teamIdentifier: TEAM,
      certificateSubject: `UID=${PASS_TYPE}, OU=${TEAM}, CN=Pass Type ID: ${PASS_TYPE}`,
      certificateExpiresAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(new Date(ok.body.apple.certificateExpiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const member = await newMember(tenant);
    const res = await tenant.owner.get(`/api/v1/members/${member.id}/card.pkpass`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(inspectPass(res.body as Buffer).verified.status).toBe(0);
  });

  it('puts the retailer’s PNG logo in the pass as logo.png; a JPEG logo is left out', async () => {
    const tenant = await newTenant(app);
    await setUpApple(tenant);
    const member = await newMember(tenant);
    const png = readFileSync(new URL('../../api/assets/wallet/icon@3x.png', import.meta.url));
    const setLogo = (logo: Buffer, type: 'image/png' | 'image/jpeg') =>
      app.deps.db.updateTable('tenants').set({ logo, logo_type: type, logo_updated_at: new Date() }).where('id', '=', tenant.id).execute();
    const pkpass = async () => (await tenant.owner.get(`/api/v1/members/${member.id}/card.pkpass`).buffer(true).parse(binary).expect(200)).body as Buffer;

    await setLogo(png, 'image/png');
    const withLogo = inspectPass(await pkpass());
    expect(withLogo.file('logo.png').equals(png)).toBe(true);
    expect(withLogo.verified.status).toBe(0);

    await setLogo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg');
    expect(inspectPass(await pkpass()).files).not.toContain('logo.png');
  });

  it('refuses a key that does not match, an expired certificate, or something that is not a certificate, naming the field', async () => {
    const tenant = await newTenant(app);
    await setUpApple(tenant);
    const before = await walletSettings(tenant);
    const cases: [Record<string, unknown>, string][] = [
      [{ privateKey: certs.otherKey }, 'body.privateKey'],
      [{ privateKey: 'not a key' }, 'body.privateKey'],
      [{ certificate: certs.expired }, 'body.certificate'],
      [{ certificate: 'not a certificate' }, 'body.certificate'],
      [{ wwdrCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'body.wwdrCertificate'],
      // A WWDR certificate that did not issue the pass certificate: every phone would refuse the passes.
      [{ wwdrCertificate: certs.otherCa }, 'body.wwdrCertificate'],
      [{ passTypeIdentifier: 'pass.dev.kartu.other' }, 'body.passTypeIdentifier'],
      [{ teamIdentifier: 'ZZZZZ99999' }, 'body.teamIdentifier'],
      [{ passTypeIdentifier: 'not a pass type' }, 'body.passTypeIdentifier'],
    ];
    for (const [override, path] of cases) {
      const res = await tenant.owner.put('/api/v1/settings/wallets/apple').send(appleBody(override));
      expect(res.status, JSON.stringify(override)).toBe(400);
      expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
    }
    const expired = await tenant.owner.put('/api/v1/settings/wallets/apple').send(appleBody({ certificate: certs.expired }));
    expect(expired.body.errors[0].message).toMatch(/Expired/);
    expect(await walletSettings(tenant)).toEqual(before);
  });
});

describe('wallet buttons and access', () => {
  it('signs at most 10 passes per caller in 10 minutes (signing costs the server a tenth of a second each)', async () => {
    const tenant = await newTenant(app);
    await setUpApple(tenant);
    const { phoneApp } = await signedInMember(app, tenant);
    for (let i = 0; i < 10; i++) expect((await phoneApp.get('/api/v1/me/card.pkpass').buffer(true).parse(binary)).status).toBe(200);
    const refused = await phoneApp.get('/api/v1/me/card.pkpass');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('without credentials there is nothing to save; after DELETE there is nothing again', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const none = { google: null, apple: null };
    expect((await phoneApp.get('/api/v1/me/wallets')).body).toEqual(none);
    const missing = await phoneApp.get('/api/v1/me/card.pkpass');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((await tenant.owner.get(`/api/v1/members/${member.id}/card/wallets`)).body).toEqual(none);
    expect(await walletSettings(tenant)).toEqual(none);

    await setUpGoogle(tenant);
    await setUpApple(tenant);
    const both = await phoneApp.get('/api/v1/me/wallets');
    expect(both.body.google.saveUrl).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
    expect(both.body.apple).toEqual({ passUrl: '/api/v1/me/card.pkpass' });
    const staff = await tenant.owner.get(`/api/v1/members/${member.id}/card/wallets`);
    expect(staff.body.apple).toEqual({ passUrl: `/api/v1/members/${member.id}/card.pkpass` });

    for (const provider of ['google', 'apple']) {
      await tenant.owner.delete(`/api/v1/settings/wallets/${provider}`).expect(204);
      await tenant.owner.delete(`/api/v1/settings/wallets/${provider}`).expect(204);
    }
    expect((await phoneApp.get('/api/v1/me/wallets')).body).toEqual(none);
    expect((await phoneApp.get('/api/v1/me/card.pkpass')).status).toBe(404);
    expect(await walletSettings(tenant)).toEqual(none);
    const actions = (await app.deps.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.id).execute()).map((row) => row.action);
    expect(actions.filter((action) => action.startsWith('settings.wallets.')).sort()).toEqual([
      'settings.wallets.apple.removed', 'settings.wallets.apple.updated', 'settings.wallets.google.removed', 'settings.wallets.google.updated',
    ]);
    expect((await tenant.owner.delete('/api/v1/settings/wallets/samsung')).status).toBe(400);
  });

  it('a blocked card gets no pass', async () => {
    const tenant = await newTenant(app);
    await setUpApple(tenant);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/card/block`).expect(200);
    expect((await phoneApp.get('/api/v1/me/wallets')).body).toEqual({ google: null, apple: null });
    expect((await phoneApp.get('/api/v1/me/card.pkpass')).status).toBe(404);
  });

  it('cashiers, marketers and read keys may not touch wallet settings or hand out passes', async () => {
    const tenant = await newTenant(app);
    await setUpApple(tenant);
    const member = await newMember(tenant);
    const cashier = await newStaff(app, tenant, 'cashier');
    const marketer = await newStaff(app, tenant, 'marketer');
    for (const staff of [cashier, marketer]) {
      expect((await staff.agent.get('/api/v1/settings/wallets')).status).toBe(403);
      expect((await staff.agent.put('/api/v1/settings/wallets/google').send({ issuerId: '1', serviceAccountKey: serviceAccount().json })).status).toBe(403);
      expect((await staff.agent.put('/api/v1/settings/wallets/apple').send(appleBody())).status).toBe(403);
      expect((await staff.agent.delete('/api/v1/settings/wallets/apple')).status).toBe(403);
      expect((await staff.agent.get(`/api/v1/members/${member.id}/card/wallets`)).status).toBe(403);
      expect((await staff.agent.get(`/api/v1/members/${member.id}/card.pkpass`)).status).toBe(403);
    }
    const readKey = await newApiKey(tenant, ['read']);
    expect((await app.http.get('/api/v1/settings/wallets').set('Authorization', `Bearer ${readKey}`)).status).toBe(403);
    const adminKey = await newApiKey(tenant, ['admin']);
    expect((await app.http.get('/api/v1/settings/wallets').set('Authorization', `Bearer ${adminKey}`)).status).toBe(200);
    expect((await app.http.get('/api/v1/me/wallets')).status).toBe(401);
    expect((await walletSettings(tenant)).apple).not.toBeNull();
  });

  it('keeps tenants apart: another retailer’s member gets none of its passes, and its staff none of its members', async () => {
    const tenantA = await newTenant(app);
    await setUpGoogle(tenantA);
    await setUpApple(tenantA);
    const memberA = await newMember(tenantA);
    const tenantB = await newTenant(app);
    const { phoneApp } = await signedInMember(app, tenantB);

    expect((await phoneApp.get('/api/v1/me/wallets')).body).toEqual({ google: null, apple: null });
    expect((await phoneApp.get('/api/v1/me/card.pkpass')).status).toBe(404);
    expect((await tenantB.owner.get(`/api/v1/members/${memberA.id}/card.pkpass`)).status).toBe(404);
    expect((await tenantB.owner.get(`/api/v1/members/${memberA.id}/card/wallets`)).status).toBe(404);
    expect(await walletSettings(tenantB)).toEqual({ google: null, apple: null });
  });
});
