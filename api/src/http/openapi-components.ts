import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ProblemSchema } from './problem.ts';

// The responses, headers and parameters many operations share, kept once in `components` and
// referenced with $ref: inlined in every operation they made the document (and the typed client)
// several times larger. An operation that says more than the shared text keeps its own description
// next to the $ref (OpenAPI 3.1 lets a Reference Object override it).

type ComponentType = 'responses' | 'headers' | 'parameters';
export interface Ref {
  $ref: string;
  description?: string;
}

const registered = new WeakSet<OpenAPIRegistry>();

/** A $ref to a shared component; the first use registers them all, in this file's order (a stable document). */
function use(registry: OpenAPIRegistry, type: ComponentType, name: string): Ref {
  if (!registered.has(registry)) {
    registered.add(registry);
    registry.register('Problem', ProblemSchema); // the shared responses reference it by name
    for (const [header, component] of Object.entries(headers)) registry.registerComponent('headers', header, component as never);
    for (const [problem, { description, retry }] of Object.entries(sharedProblems) as [SharedProblem, SharedProblemSpec][]) {
      registry.registerComponent('responses', problem, {
        description,
        ...(retry ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      });
    }
    for (const [parameter, component] of Object.entries(idempotencyKeys)) registry.registerComponent('parameters', parameter, component as never);
  }
  return { $ref: `#/components/${type}/${name}` };
}

const headers = {
  RetryAfter: {
    description: 'Seconds to wait before trying again (sent with 429 and 503, and with a 409 that a retry can clear)',
    schema: { type: 'integer', minimum: 1 },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

export const headerRef = (registry: OpenAPIRegistry, name: keyof typeof headers) => use(registry, 'headers', name);

/** The problem responses operations share; `retry` ones declare Retry-After. */
export const sharedProblems = {
  BadRequest: { status: 400, description: 'Invalid request: `errors` names each bad field' },
  Unauthenticated: { status: 401, description: 'No valid session or API key' },
  Forbidden: { status: 403, description: 'The caller may not do this' },
  NotFound: { status: 404, description: 'Not found (another retailer’s objects too)' },
  Conflict: { status: 409, description: 'The request conflicts with the current state (`type` says how)', retry: true },
  IdempotencyInProgress: {
    status: 409,
    description: 'A request with the same Idempotency-Key is still running (`idempotency-in-progress`): retry after `Retry-After` seconds',
    retry: true,
  },
  Gone: { status: 410, description: 'No longer there (`gone`)' },
  PayloadTooLarge: { status: 413, description: 'The body is larger than 1 MB' },
  UnsupportedMediaType: { status: 415, description: 'The body is not application/json' },
  IdempotencyKeyMismatch: { status: 422, description: 'The Idempotency-Key was used before with a different request' },
  RateLimited: { status: 429, description: 'Too many requests; see Retry-After', retry: true },
  Timeout: {
    status: 503,
    description: 'No answer within the request timeout (`timeout`); the work may still finish: retry after `Retry-After` seconds, with the same Idempotency-Key',
    retry: true,
  },
} satisfies Record<string, SharedProblemSpec>;

interface SharedProblemSpec {
  status: number;
  description: string;
  retry?: true;
}

export type SharedProblem = keyof typeof sharedProblems;

/** The shared response an error status is documented with when an operation names no other. */
const byStatus = new Map<number, SharedProblem>(
  (['BadRequest', 'Unauthenticated', 'Forbidden', 'NotFound', 'Conflict', 'Gone', 'PayloadTooLarge', 'UnsupportedMediaType', 'RateLimited', 'Timeout'] as const)
    .map((name) => [sharedProblems[name].status, name]),
);

export const sharedProblemFor = (status: number): SharedProblem | undefined => byStatus.get(status);

/** A $ref to a shared problem response, with the operation's own description when it says more. */
export function problemRef(registry: OpenAPIRegistry, name: SharedProblem, description?: string): Ref {
  const ref = use(registry, 'responses', name);
  return description && description !== sharedProblems[name].description ? { ...ref, description } : ref;
}

export const IdempotencyKeyHeader = z.string().min(1).max(255);

export type IdempotencyKeyUse = 'used' | 'public' | 'secret';

const idempotencyKeyDescriptions: Record<IdempotencyKeyUse, string> = {
  used: 'Makes a retry safe: same key and body return the first response; 1–255 characters',
  public: 'Accepted but not used here: keys are scoped to a signed-in caller',
  secret: 'Accepted but not used here: the answer carries a secret shown once, which is never stored for a replay',
};

const idempotencyKeyName = (keyUse: IdempotencyKeyUse, required: boolean) =>
  `IdempotencyKey${required ? 'Required' : ''}${keyUse === 'used' ? '' : keyUse === 'public' ? 'Public' : 'Secret'}`;

// A key is required only where it is used (API.md's (I) calls), so four of the six combinations exist.
const idempotencyKeys = Object.fromEntries(
  ([['used', true], ['used', false], ['public', false], ['secret', false]] as const).map(([keyUse, required]) => [idempotencyKeyName(keyUse, required), {
    name: 'Idempotency-Key',
    in: 'header',
    required,
    description: idempotencyKeyDescriptions[keyUse],
    schema: { type: 'string', minLength: IdempotencyKeyHeader.minLength, maxLength: IdempotencyKeyHeader.maxLength },
  }]),
);

/** The Idempotency-Key header parameter of a POST: required or not, and whether this operation uses it. */
export function idempotencyKeyRef(registry: OpenAPIRegistry, keyUse: IdempotencyKeyUse, required: boolean): Ref {
  const name = idempotencyKeyName(keyUse, required);
  if (!idempotencyKeys[name]) throw new Error(`No shared ${name} parameter: add it to idempotencyKeys`);
  return use(registry, 'parameters', name);
}
