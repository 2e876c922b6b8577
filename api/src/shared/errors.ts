// Typed domain errors. Services throw these; http/problem.ts maps each code to HTTP once.
export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'password_change_required'
  | 'not_found'
  | 'gone'
  | 'signup_closed'
  | 'slug_taken'
  | 'email_taken'
  | 'phone_taken'
  | 'card_assigned'
  | 'store_code_taken'
  | 'product_sku_taken'
  | 'store_inactive'
  | 'last_active_store'
  | 'last_owner'
  | 'duplicate_receipt'
  | 'conflict'
  | 'checkout_changed'
  | 'insufficient_points'
  | 'voucher_code_taken'
  | 'voucher_used_up'
  | 'voucher_expired'
  | 'voucher_not_started'
  | 'voucher_not_eligible'
  | 'voucher_rejected'
  | 'reward_out_of_stock'
  | 'reward_limit_reached'
  | 'reward_not_available'
  | 'presence_required'
  | 'invalid_code'
  | 'invalid_presence_code'
  | 'rate_limited'
  | 'idempotency_key_mismatch'
  | 'idempotency_in_progress'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'timeout';

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);

export const invalidField = (path: string, message: string) =>
  new DomainError('validation', `${path}: ${message}`, {}, [{ path, message }]);

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'Too many attempts; try again later') {
    super('rate_limited', message, { retryAfter: retryAfterSeconds });
  }
}
