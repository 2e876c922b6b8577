import type { Context } from 'koa';
import type { AppDeps } from '../deps.ts';
import { principalFromApiKey, principalFromSession } from '../auth/auth.service.ts';
import { DomainError } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';

export const STAFF_COOKIE = 'kartu_session';
export const MEMBER_COOKIE = 'kartu_member';

export async function authenticate(deps: AppDeps, ctx: Context, allowed: Principal['kind'][]): Promise<Principal> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
  if (bearer) {
    if (!allowed.includes('api_key')) throw new DomainError('forbidden', 'API keys may not call this endpoint');
    return principalFromApiKey(deps.db, bearer);
  }
  const staffToken = ctx.cookies.get(STAFF_COOKIE);
  if (staffToken && allowed.includes('staff')) return principalFromSession(deps.db, staffToken, 'staff');
  const memberToken = ctx.cookies.get(MEMBER_COOKIE);
  if (memberToken && allowed.includes('member')) return principalFromSession(deps.db, memberToken, 'member');
  throw new DomainError('unauthenticated', 'Sign in or send an API key');
}

export function setSessionCookie(ctx: Context, deps: AppDeps, name: string, token: string, expires: Date): void {
  // Behind a TLS-terminating proxy the connection itself is plain http; the cookie stays Secure.
  if (deps.config.secureCookies) ctx.cookies.secure = true;
  ctx.cookies.set(name, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.secureCookies,
    path: '/',
    expires,
    overwrite: true,
  });
}

export function clearSessionCookie(ctx: Context, name: string): void {
  ctx.cookies.set(name, null, { path: '/', overwrite: true });
}
