// The voucher generator's fields as typed, and what they mean: the request body and the fields that
// are wrong, keyed as the API keys them. The checks are the API's (api/src/vouchers/vouchers.service.ts
// and vouchers.routes.ts), so a marketer sees them at the field; the API still decides.
import { formatPoints, type components, type paths } from '@kartu/api/client';
import { wholeNumber, type FieldErrors } from '$lib/forms';
import { i18n, t } from '$lib/i18n.svelte';
import type { Channel } from '$lib/rules';
import { fromLocalInput } from '$lib/time';
import { emptyTerms, readTerms, VOUCHER_ALPHABET, type TermsDraft } from '$lib/vouchers/voucher-terms';

export type Batch = components['schemas']['VoucherBatch'];
export type BatchBody = paths['/api/v1/vouchers/batches']['post']['requestBody']['content']['application/json'];

/** Generated codes, one public code many members type, or generated codes only one member can use. */
export type BatchMode = 'batch' | 'public' | 'personal';
export const batchModes: readonly BatchMode[] = ['batch', 'public', 'personal'];

const MAX_BATCH = 1_000_000;
const DEFAULT_LENGTH = 10;
/** Generated codes may fill at most one in a million of their space, or a guess would hit one too often. */
const SPACE_PER_CODE = 1_000_000;

export interface BatchDraft {
  mode: BatchMode;
  name: string;
  count: string;
  terms: TermsDraft;
  startsAt: string;
  expiresAt: string;
  usesPerCode: string;
  perMemberLimit: string;
  code: string;
  prefix: string;
  length: string;
  channels: Channel[];
  stores: string[];
  member: { id: string; name: string } | null;
  priority: string;
  exclusivityGroup: string;
}

/** How many codes the form starts with in a mode: a batch 100, a member's personal codes 1 (public: always 1). */
export const defaultCount = (mode: BatchMode): string => (mode === 'batch' ? '100' : '1');

export function emptyDraft(): BatchDraft {
  return {
    mode: 'batch',
    name: '',
    count: defaultCount('batch'),
    terms: emptyTerms(),
    startsAt: '',
    expiresAt: '',
    usesPerCode: '1',
    perMemberLimit: '',
    code: '',
    prefix: '',
    length: String(DEFAULT_LENGTH),
    channels: [],
    stores: [],
    member: null,
    priority: '0',
    exclusivityGroup: '',
  };
}

/** The shortest random part that keeps `count` codes within one in a million of their space. */
const minimumLength = (count: number) => Math.ceil(Math.log(count * SPACE_PER_CODE) / Math.log(32) - 1e-9);

export function bodyOf(
  draft: BatchDraft,
  timeZone: string,
  now = new Date(),
): { body: BatchBody; errors?: undefined } | { body?: undefined; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const whole = (text: string, path: string, min: number, max: number): number | undefined => {
    const value = wholeNumber(text);
    if (value === null || value < min || value > max) {
      errors[path] = t('rewards.wholeRange', { min: formatPoints(min, i18n.locale), max: formatPoints(max, i18n.locale) });
    }
    return value ?? undefined;
  };
  const optionalWhole = (text: string, path: string, min: number, max: number) => (text.trim() ? whole(text, path, min, max) : undefined);

  const body: Partial<BatchBody> = { ...readTerms(draft.terms, errors) };
  const name = draft.name.trim();
  if (name.length > 200) errors.name = t('rewards.tooLong', { max: 200 });
  if (name) body.name = name;

  if (draft.mode === 'public') {
    body.count = 1;
    const code = draft.code.trim();
    const stored = code.toUpperCase().replace(/[\s-]+/g, '');
    if (!/^[0-9A-Za-z -]*$/.test(code) || !/^[0-9A-Z]{4,32}$/.test(stored)) errors.code = t('vouchers.codeInvalid');
    body.code = code;
  } else {
    body.count = whole(draft.count, 'count', 1, MAX_BATCH);
    const prefix = draft.prefix.trim().toUpperCase();
    if (prefix.length > 8 || ![...prefix].every((c) => VOUCHER_ALPHABET.includes(c))) errors.prefix = t('vouchers.prefixInvalid');
    if (prefix) body.prefix = prefix;
    const length = whole(draft.length, 'length', 6, 16);
    if (length !== undefined && body.count !== undefined && !errors.count && !errors.length && 32 ** length < body.count * SPACE_PER_CODE) {
      errors.length = t('vouchers.lengthTooShort', { count: formatPoints(body.count, i18n.locale), length: minimumLength(body.count) });
    }
    if (length !== DEFAULT_LENGTH) body.length = length;
    if (draft.mode === 'personal') {
      if (draft.member) body.memberId = draft.member.id;
      else errors.memberId = t('vouchers.memberRequired');
    }
  }

  const startsAt = draft.startsAt ? fromLocalInput(draft.startsAt, timeZone) : undefined;
  if (startsAt === null) errors.startsAt = t('form.dateTime');
  if (startsAt) body.startsAt = startsAt;
  const expiresAt = draft.expiresAt ? fromLocalInput(draft.expiresAt, timeZone, 59.999) : null;
  if (!draft.expiresAt) errors.expiresAt = t('form.required');
  else if (!expiresAt) errors.expiresAt = t('form.dateTime');
  else if (Date.parse(expiresAt) <= now.getTime()) errors.expiresAt = t('vouchers.expiresPast');
  else if (startsAt && Date.parse(expiresAt) <= Date.parse(startsAt)) errors.expiresAt = t('vouchers.expiresBeforeStart');
  if (expiresAt) body.expiresAt = expiresAt;

  // Always sent, so the marketer's choice holds whatever the API's default (1): empty is unlimited (null).
  body.usesPerCode = draft.usesPerCode.trim() ? whole(draft.usesPerCode, 'usesPerCode', 1, 1e9) : null;
  const perMemberLimit = optionalWhole(draft.perMemberLimit, 'perMemberLimit', 1, 1e6);
  if (perMemberLimit !== undefined) body.perMemberLimit = perMemberLimit;

  if (draft.channels.length) body.channels = [...draft.channels];
  if (draft.stores.length) body.stores = [...draft.stores];
  const priority = wholeNumber(draft.priority || '0');
  if (priority === null || priority < -1000 || priority > 1000) errors.priority = t('form.priority');
  if (priority) body.priority = priority;
  const group = draft.exclusivityGroup.trim();
  if (group.length > 64) errors.exclusivityGroup = t('rewards.tooLong', { max: 64 });
  if (group) body.exclusivityGroup = group;

  if (Object.keys(errors).length) return { errors };
  return { body: body as BatchBody };
}
