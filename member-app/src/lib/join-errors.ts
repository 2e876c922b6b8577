import { problemText } from '@kartu/api/client';
import { i18n, t } from './i18n.svelte';

/** The inputs of the join form; the API names them `body.<field>` in a 400's `errors`. */
export type JoinField = 'name' | 'phone' | 'email' | 'birthDate' | 'marketingOptIn' | 'referralCode' | 'code';

/** The fields of the first step (the details); `code` is the second. */
export const detailFields: readonly JoinField[] = ['name', 'phone', 'email', 'birthDate', 'referralCode', 'marketingOptIn'];

const fields = new Set<string>([...detailFields, 'code']);

/** `body.referralCode` → `referralCode`; null for a path that is no input of the form. */
export function joinFieldOf(path: string): JoinField | null {
  const name = path.replace(/^body\./, '');
  return fields.has(name) ? (name as JoinField) : null;
}

/**
 * What to show at a field for the API's (English) message, in the reader's language. A function, so
 * the text follows the language switcher after it is shown.
 */
export function fieldMessage(field: JoinField, message: string): () => string {
  switch (field) {
    case 'name':
      return () => t('join.error.nameRequired');
    case 'phone':
      return /already/i.test(message)
        ? () => problemText({ code: 'phone_taken' }, i18n.locale) ?? t('join.error.phone')
        : () => t('join.error.phone');
    case 'email':
      return () => t('join.error.email');
    case 'birthDate':
      if (/future/i.test(message)) return () => t('join.error.birthFuture');
      if (/1900/.test(message)) return () => t('join.error.birthOld');
      return () => t('join.error.birthDate');
    case 'referralCode':
      return () => t('join.error.referral');
    case 'code':
      return () => t('join.error.code');
    default:
      return () => t('join.error.field');
  }
}
