import type { Context } from 'koa';
import { z } from 'zod';
import { DomainError, type ErrorCode, type FieldError } from '../shared/errors.ts';

// The one table from domain error codes to HTTP.
const statusOf: Record<ErrorCode, { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Sign-in required' },
  forbidden: { status: 403, title: 'Forbidden' },
  // Signed in with a temporary password (an invitation or a reset): only /auth/me, /auth/password and sign-out answer.
  password_change_required: { status: 403, title: 'Choose a new password first' },
  not_found: { status: 404, title: 'Not found' },
  gone: { status: 410, title: 'Gone' },
  signup_closed: { status: 403, title: 'Retailer sign-up is closed' },
  slug_taken: { status: 409, title: 'Slug already taken' },
  email_taken: { status: 409, title: 'Email already in use' },
  phone_taken: { status: 409, title: 'Phone number already registered' },
  card_assigned: { status: 409, title: 'Card already belongs to a member' },
  store_code_taken: { status: 409, title: 'Store code already in use' },
  product_sku_taken: { status: 409, title: 'SKU already in use' },
  store_inactive: { status: 409, title: 'The store is inactive' },
  last_active_store: { status: 409, title: 'The retailer needs an active store' },
  last_owner: { status: 409, title: 'The retailer needs an active owner' },
  conflict: { status: 409, title: 'Conflict' },
  duplicate_receipt: { status: 409, title: 'Receipt already posted' },
  checkout_changed: { status: 409, title: 'The checkout changed since it was evaluated' },
  insufficient_points: { status: 409, title: 'Not enough points' },
  voucher_code_taken: { status: 409, title: 'Voucher code already in use' },
  voucher_used_up: { status: 409, title: 'Voucher used up' },
  voucher_expired: { status: 409, title: 'Voucher expired' },
  voucher_not_started: { status: 409, title: 'Voucher not valid yet' },
  voucher_not_eligible: { status: 409, title: 'Voucher not valid for this use' },
  voucher_rejected: { status: 409, title: 'Voucher refused at checkout' },
  reward_out_of_stock: { status: 409, title: 'Reward out of stock' },
  reward_limit_reached: { status: 409, title: 'Reward limit reached for this member' },
  reward_not_available: { status: 409, title: 'Reward not available to this member now' },
  presence_required: { status: 403, title: 'Member presence required' },
  invalid_code: { status: 401, title: 'Invalid or expired code' },
  // Not 401: the staff caller is signed in; it is the member's code that is wrong.
  invalid_presence_code: { status: 409, title: 'Invalid or expired presence code' },
  rate_limited: { status: 429, title: 'Too many requests' },
  idempotency_key_mismatch: { status: 422, title: 'Idempotency key reused with a different request' },
  idempotency_in_progress: { status: 409, title: 'A request with this idempotency key is in progress' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  timeout: { status: 503, title: 'The server took too long to answer' },
};

export const problemTypeBase = 'https://kartu.dev/problems/';

const typeOf = (code: ErrorCode) => problemTypeBase + code.replaceAll('_', '-');

/** Every problem `type` the API answers with (an unexpected server error is `about:blank`, 500). */
export const problemTypes = (Object.entries(statusOf) as [ErrorCode, { status: number; title: string }][]).map(([code, { status, title }]) => ({
  type: typeOf(code),
  code,
  status,
  title,
}));

const problemTypeTable = [
  '| type | code | status | title |',
  '|---|---|---|---|',
  ...problemTypes.map((p) => `| \`${p.type}\` | \`${p.code}\` | ${p.status} | ${p.title} |`),
  '| `about:blank` | `internal` | 500 | Internal error |',
].join('\n');

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export const ProblemSchema = z
  .object({
    type: z.enum([...problemTypes.map((p) => p.type), 'about:blank']),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().meta({ description: 'The last part of `type`, in snake_case' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'The fields that are wrong, e.g. `body.items.0.quantity`' }),
  })
  .catchall(z.unknown())
  .meta({
    id: 'Problem',
    description: `RFC 9457 problem details. Some problems carry more members: \`retryAfter\` (seconds, also sent as the \`Retry-After\` header), \`transactionId\` (the sale a receipt number belongs to), \`reason\`, \`triesLeft\`.\n\n${problemTypeTable}`,
  });

export function problemOf(error: DomainError): Problem {
  const { status, title } = statusOf[error.code];
  return {
    type: typeOf(error.code),
    title,
    status,
    detail: error.message,
    code: error.code,
    ...(error.fieldErrors.length ? { errors: error.fieldErrors } : {}),
    ...error.extra,
  };
}

export function sendProblem(ctx: Context, problem: Problem): void {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = problem;
  if (problem.status === 429 || problem.code === 'idempotency_in_progress' || problem.retryAfter !== undefined) {
    ctx.set('Retry-After', String(problem.retryAfter ?? 1));
  }
}

export function fromZodError(error: z.ZodError, where: 'body' | 'query' | 'params' | 'headers'): DomainError {
  const errors = error.issues.map((issue) => ({
    path: [where, ...issue.path].join('.'),
    message: issue.message,
  }));
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return new DomainError('validation', detail, {}, errors);
}
