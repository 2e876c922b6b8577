import Router from '@koa/router';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { authenticate, MEMBER_COOKIE, STAFF_COOKIE } from './authenticate.ts';
import { DomainError } from '../shared/errors.ts';
import { can, type Permission, type Principal } from '../shared/principal.ts';
import { runIdempotent } from '../idempotency/idempotency.service.ts';
import { fromZodError, problemOf, ProblemSchema } from './problem.ts';
import { untimed } from './long-requests.ts';
import { headerRef, IdempotencyKeyHeader, idempotencyKeyRef, problemRef, sharedProblemFor, sharedProblems, type Ref, type SharedProblem } from './openapi-components.ts';

type PrincipalKind = Principal['kind'];
type AnyObject = z.ZodType<Record<string, unknown>>;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<P, Q, B, K extends PrincipalKind | never> {
  params: P;
  query: Q;
  body: B;
  principal: Extract<Principal, { kind: K }>;
  /** The database, or the transaction that also stores the idempotent response. */
  db: AppDeps['db'];
  deps: AppDeps;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, K extends PrincipalKind> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path: /api/v1/members/{id} */
  path: string;
  summary: string;
  /** Longer OpenAPI description (Markdown), when the summary is not enough. */
  description?: string;
  tags: string[];
  /** Who may call: principal kinds, and for staff and API keys the permission they need. */
  auth: { principals: K[]; permission?: Permission } | 'public';
  /** Answers a staff session that holds a temporary password (only reading oneself and changing the password do). */
  allowTemporaryPassword?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** A body that is a file the handler streams itself (not parsed here), for the OpenAPI document. */
  upload?: { contentType: string; description: string };
  /** POST routes accept an Idempotency-Key; 'required' makes it mandatory (API.md's (I) routes). */
  idempotency?: 'required' | 'optional';
  /**
   * The answer carries a secret shown once (an API key, a temporary password): an Idempotency-Key is
   * accepted but not used, since keeping the answer for replays would keep the secret in plaintext.
   */
  secretInResponse?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>, K>, ctx: Context) => Promise<Reply | void>;
}

export { IdempotencyKeyHeader };

export class Routes {
  readonly router = new Router();
  readonly registry = new OpenAPIRegistry();

  /** Without deps the routes can only be documented (the OpenAPI generator for the typed client). */
  constructor(private readonly maybeDeps?: AppDeps) {
    this.registry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: STAFF_COOKIE, description: 'A staff member’s session (POST /api/v1/auth/login)' });
    this.registry.registerComponent('securitySchemes', 'memberSession', { type: 'apiKey', in: 'cookie', name: MEMBER_COOKIE, description: 'A member’s session (the member app’s one-time-code sign-in)' });
    this.registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'An API key (POST /api/v1/api-keys), scoped to pos, read or admin' });
  }

  private get deps(): AppDeps {
    if (!this.maybeDeps) throw new Error('these routes were built for documentation only');
    return this.maybeDeps;
  }

  add<P extends AnyObject = z.ZodObject<{}>, Q extends AnyObject = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined, K extends PrincipalKind = never>(
    spec: RouteSpec<P, Q, B, K>,
  ): void {
    this.document(spec);
    const koaPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    this.router[spec.method](koaPath, async (ctx) => {
      const reply = await this.handle(spec, ctx);
      if (!reply) return;
      ctx.status = reply.status;
      for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
      if (reply.body !== undefined) ctx.body = reply.body;
      if (reply.status >= 400) ctx.type = 'application/problem+json'; // a replayed error
    });
  }

  private async handle<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, K extends PrincipalKind>(
    spec: RouteSpec<P, Q, B, K>,
    ctx: Context,
  ): Promise<Reply | void> {
    const deps = this.deps;
    const principal = spec.auth === 'public' ? undefined : await this.authorize(spec.auth, ctx, spec.allowTemporaryPassword ?? false);
    if (principal) ctx.state.tenantId = principal.tenantId; // for the request's log line
    const params = parse(spec.params, ctx.params, 'params');
    const query = parse(spec.query, ctx.query, 'query');
    const body = spec.body ? parse(spec.body, (ctx.request as { body?: unknown }).body, 'body') : undefined;
    const input = { params, query, body, principal, db: deps.db, deps } as RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>, K>;

    const key = spec.method === 'post' ? ctx.get('Idempotency-Key') : '';
    if (spec.idempotency === 'required' && !key) {
      throw new DomainError('validation', 'The Idempotency-Key header is required', {}, [
        { path: 'headers.Idempotency-Key', message: 'Required' },
      ]);
    }
    if (!key || !principal || spec.secretInResponse) return spec.handler(input, ctx);
    const keyCheck = z.object({ 'Idempotency-Key': IdempotencyKeyHeader }).safeParse({ 'Idempotency-Key': key });
    if (!keyCheck.success) throw fromZodError(keyCheck.error, 'headers');
    return runIdempotent(
      deps.db,
      { principal, route: `${spec.method.toUpperCase()} ${spec.path}`, key, request: { params, body } },
      async (trx) => (await spec.handler({ ...input, db: trx }, ctx)) ?? { status: 204 },
      (error) => {
        const problem = problemOf(error);
        return { status: problem.status, body: problem };
      },
    );
  }

  private async authorize(auth: { principals: PrincipalKind[]; permission?: Permission }, ctx: Context, allowTemporaryPassword: boolean) {
    const principal = await authenticate(this.deps, ctx, auth.principals);
    // A temporary password (an invitation or a reset) is replaced before the session may do anything else.
    if (principal.kind === 'staff' && principal.mustChangePassword && !allowTemporaryPassword) {
      throw new DomainError('password_change_required', 'You signed in with a temporary password: choose your own first (POST /api/v1/auth/password)');
    }
    if (auth.permission && !can(principal, auth.permission)) {
      throw new DomainError('forbidden', `Your role may not do this (${auth.permission})`);
    }
    return principal;
  }

  private document<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, K extends PrincipalKind>(
    spec: RouteSpec<P, Q, B, K>,
  ): void {
    const responses: Record<string, ResponseDoc> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      if (r.schema) responses[status] = { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } };
      else responses[status] = Number(status) >= 400 ? problem(r.description, sharedProblemFor(Number(status))) : { description: r.description };
    }
    // The errors every route of this kind can answer, whatever its handler does.
    const addProblem = (status: number, description: string, shared = sharedProblemFor(status)) => {
      const known = responses[status];
      if (known?.description === description) return;
      responses[status] = known ? { ...known, description: `${known.description}; or ${description[0].toLowerCase()}${description.slice(1)}` } : problem(description, shared);
    };
    const usesIdempotencyKey = spec.method === 'post' && spec.auth !== 'public' && !spec.secretInResponse;
    const hasBody = Boolean(spec.body || spec.upload);
    if (spec.params || spec.query || spec.body || usesIdempotencyKey) addProblem(400, sharedProblems.BadRequest.description);
    if (spec.auth !== 'public') {
      addProblem(401, sharedProblems.Unauthenticated.description);
      addProblem(403, sharedProblems.Forbidden.description);
    }
    if (spec.params) responses[404] ??= problem(sharedProblems.NotFound.description, 'NotFound');
    if (usesIdempotencyKey) {
      addProblem(409, sharedProblems.IdempotencyInProgress.description, 'IdempotencyInProgress');
      addProblem(422, sharedProblems.IdempotencyKeyMismatch.description, 'IdempotencyKeyMismatch');
      for (const [status, r] of Object.entries(responses)) {
        if (Number(status) < 300) r.headers = { 'Idempotent-Replayed': headerRef(this.registry, 'IdempotentReplayed') };
      }
    }
    if (hasBody) {
      addProblem(413, sharedProblems.PayloadTooLarge.description);
      addProblem(415, `The body is not ${spec.upload?.contentType ?? 'application/json'}`);
    }
    if (!untimed(spec.path)) addProblem(503, sharedProblems.Timeout.description);
    const documented = Object.fromEntries(Object.entries(responses).map(([status, { shared, ...r }]) => {
      if (shared) return [status, problemRef(this.registry, shared, r.description)];
      if (['409', '429', '503'].includes(status)) r.headers = { 'Retry-After': headerRef(this.registry, 'RetryAfter') };
      return [status, r];
    }));
    const idempotencyKey = spec.method === 'post'
      ? idempotencyKeyRef(this.registry, spec.secretInResponse ? 'secret' : spec.auth === 'public' ? 'public' : 'used', spec.idempotency === 'required')
      : undefined;
    this.registry.registerPath({
      method: spec.method,
      path: spec.path,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: spec.tags,
      security: spec.auth === 'public' ? [] : securityOf(spec.auth.principals),
      ...(idempotencyKey ? { parameters: [idempotencyKey] } : {}),
      request: {
        params: spec.params as z.ZodObject | undefined,
        query: spec.query as z.ZodObject | undefined,
        body: spec.body
          ? { content: { 'application/json': { schema: spec.body } }, required: true }
          : spec.upload
            ? { description: spec.upload.description, content: { [spec.upload.contentType]: { schema: z.string().meta({ format: 'binary' }) } }, required: true }
            : undefined,
      },
      responses: documented as never,
    });
  }
}

interface ResponseDoc {
  description: string;
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, Ref>;
  /** Documented as a $ref to this shared problem response. */
  shared?: SharedProblem;
}

/** An error answer: the shared response of its kind, or (a status none is shared for) inline. */
const problem = (description: string, shared?: SharedProblem): ResponseDoc =>
  shared ? { description, shared } : { description, content: { 'application/problem+json': { schema: ProblemSchema } } };

const securitySchemeOf: Record<PrincipalKind, string> = { staff: 'session', member: 'memberSession', api_key: 'apiKey' };

function securityOf(kinds: PrincipalKind[]) {
  return kinds.map((kind) => ({ [securitySchemeOf[kind]]: [] }));
}

/** Postgres text cannot hold NUL: name the field instead of failing in the database. */
// A loop, not recursion: a 1 MB body can nest arrays 500,000 deep, past any call stack.
function findNul(value: unknown, path: string): string | null {
  const pending: [unknown, string][] = [[value, path]];
  while (pending.length) {
    const [next, at] = pending.pop()!;
    if (typeof next === 'string' && next.includes('\u0000')) return at;
    if (next && typeof next === 'object') {
      const entries = Object.entries(next);
      for (let i = entries.length - 1; i >= 0; i--) pending.push([entries[i][1], `${at}.${entries[i][0]}`]);
    }
  }
  return null;
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: 'body' | 'query' | 'params') {
  if (!schema) return {};
  const nul = findNul(value, where);
  if (nul) throw new DomainError('validation', `${nul}: must not contain NUL characters`, {}, [{ path: nul, message: 'Must not contain NUL characters' }]);
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw fromZodError(result.error, where);
  return result.data;
}
