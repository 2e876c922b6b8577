import type { Failure } from './api';
import { t } from './i18n.svelte';

/** Field messages keyed by path without the `body.` prefix ("effect.spendPerPoint", "items.0.sku"). */
export type FieldErrors = Record<string, string>;

/** The `errors` of a validation problem, keyed like FieldErrors; the first message per path wins. */
export function fieldErrorsOf(failure: Failure | undefined): FieldErrors {
  const errors: FieldErrors = {};
  const list = failure?.problem?.errors;
  if (!Array.isArray(list)) return errors;
  for (const item of list as { path?: unknown; message?: unknown }[]) {
    if (typeof item?.path !== 'string' || typeof item.message !== 'string') continue;
    const path = item.path.replace(/^body\.?/, '');
    // The API's own words are English; the one it uses for duplicates reads better translated.
    errors[path] ??= item.message === 'Taken' ? t('form.taken') : item.message;
  }
  return errors;
}

/** What to say above a form: "check the fields" when the problem names them, else the problem itself. */
export function failureSummary(failure: Failure, errors: FieldErrors): string {
  return Object.keys(errors).length ? t('form.fix') : failure.message;
}

/** The message for a field or anything inside it ("conditions.skus" also answers for "conditions.skus.2"). */
export function errorAt(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const inside = Object.keys(errors).find((key) => key.startsWith(`${path}.`));
  return inside ? errors[inside] : undefined;
}

/** Messages at paths no field on the form shows, so they are not lost. */
export function unplaced(errors: FieldErrors, shown: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([path]) => !shown.some((field) => path === field || path.startsWith(`${field}.`)))
    .map(([path, message]) => (path ? `${path}: ${message}` : message));
}

/** A comma (or newline) separated list as distinct trimmed values. */
export function listOf(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((part) => part.trim()).filter(Boolean))];
}

/** A whole number typed in a field, or null. */
export function wholeNumber(text: string): number | null {
  // Thousands separators of either language ("1.000", "1,000") are allowed.
  const trimmed = text.trim().replace(/[.,\s]/g, '');
  return /^-?\d{1,12}$/.test(trimmed) ? Number(trimmed) : null;
}

/** A decimal typed with a comma or a point ("1,5" or "1.5"), or null. */
export function decimalNumber(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  return /^\d{1,6}(\.\d{1,6})?$/.test(trimmed) ? Number(trimmed) : null;
}
