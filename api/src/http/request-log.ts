import type { Context } from 'koa';
import { newId } from '../shared/ids.ts';

/** A caller's (or proxy's) X-Request-Id when it is a plain token, so logs can be joined up; else a new one. */
export function requestIdOf(given: string): string {
  return /^[\w.:-]{1,100}$/.test(given) ? given : newId();
}

/** The matched route as documented (/api/v1/members/{id}): logs and metrics never carry raw ids. */
export function routeTemplateOf(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof matched === 'string' ? matched.replace(/:(\w+)/g, '{$1}') : 'unmatched';
}
