import { error } from '@sveltejs/kit';
import { t } from '$lib/i18n.svelte';
import { can } from '$lib/permissions';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { staff } = await parent();
  if (!can(staff.role, 'api_keys.manage')) error(403, t('error.forbidden'));
};
