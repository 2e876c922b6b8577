import type { Db } from '../deps.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { ApiKeyScope, Principal } from '../shared/principal.ts';
import * as repo from './auth.repository.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { issueToken, parseToken, secretMatches } from './tokens.ts';

export const STAFF_SESSION_HOURS = 12;
export const MEMBER_SESSION_DAYS = 90;

const unauthenticated = () => new DomainError('unauthenticated', 'Sign in first');

export async function signInStaff(db: Db, email: string, password: string) {
  const staff = await repo.findStaffByEmail(db, email);
  const ok = await verifyPassword(staff?.password_hash ?? (await decoyHash()), password);
  if (!staff || !ok) throw new DomainError('unauthenticated', 'Wrong email or password');
  const session = await openSession(db, staff.tenant_id, 'staff', staff.id);
  return { staff, ...session };
}

export async function openSession(db: Db, tenantId: string, kind: 'staff' | 'member', principalId: string) {
  const id = newId();
  const { token, secretHash } = issueToken('ks', tenantId, id);
  const lifetimeMs = kind === 'staff' ? STAFF_SESSION_HOURS * 3600e3 : MEMBER_SESSION_DAYS * 86400e3;
  const expiresAt = new Date(Date.now() + lifetimeMs);
  await repo.insertSession(db, {
    tenant_id: tenantId, id, principal_kind: kind, principal_id: principalId, secret_hash: secretHash, expires_at: expiresAt,
  });
  return { token, expiresAt };
}

/** Ends the session only for whoever holds its secret: the tenant and id in a token are no secret (logs, screenshots). */
export async function closeSession(db: Db, token: string | undefined, kind: 'staff' | 'member'): Promise<void> {
  const parsed = parseToken('ks', token);
  if (!parsed) return;
  const session = await repo.findLiveSession(db, parsed.tenantId, parsed.id);
  if (session?.principal_kind === kind && secretMatches(parsed.secret, session.secret_hash)) await repo.deleteSession(db, parsed.tenantId, parsed.id);
}

export async function principalFromSession(db: Db, token: string | undefined, kind: 'staff' | 'member'): Promise<Principal> {
  const parsed = parseToken('ks', token);
  if (!parsed) throw unauthenticated();
  if (kind === 'member') {
    const session = await repo.findLiveMemberSession(db, parsed.tenantId, parsed.id);
    if (!session || !secretMatches(parsed.secret, session.secret_hash)) throw unauthenticated();
    return { kind: 'member', tenantId: parsed.tenantId, id: session.id, sessionId: parsed.id };
  }
  const staff = await repo.findLiveStaffSession(db, parsed.tenantId, parsed.id);
  if (!staff || !secretMatches(parsed.secret, staff.secret_hash)) throw unauthenticated();
  return {
    kind: 'staff', tenantId: parsed.tenantId, id: staff.id, role: staff.role, storeId: staff.store_id, sessionId: parsed.id,
    mustChangePassword: staff.must_change_password,
  };
}

const lastTouched = new Map<string, number>();

export async function principalFromApiKey(db: Db, token: string): Promise<Principal> {
  const parsed = parseToken('kk', token);
  if (!parsed) throw unauthenticated();
  const key = await repo.findLiveApiKey(db, parsed.tenantId, parsed.id);
  if (!key || !secretMatches(parsed.secret, key.secret_hash)) throw unauthenticated();
  // last_used_at is worth a write once a minute per process, not once per request.
  if ((lastTouched.get(key.id) ?? 0) < Date.now() - 60e3) {
    lastTouched.set(key.id, Date.now());
    await repo.touchApiKey(db, parsed.tenantId, key.id);
  }
  return { kind: 'api_key', tenantId: parsed.tenantId, id: key.id, scopes: key.scopes as ApiKeyScope[], storeId: key.store_id };
}
