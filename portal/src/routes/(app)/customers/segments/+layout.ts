import { error } from '@sveltejs/kit';
import { t } from '$lib/i18n.svelte';
import { can } from '$lib/permissions';
import type { LayoutLoad } from './$types';

/** Segments are built by the roles that manage programs (promotions name them); the API refuses the others anyway. */
export const load: LayoutLoad = async ({ parent }) => {
  const { staff } = await parent();
  if (!can(staff.role, 'programs.manage')) error(403, t('error.forbidden'));
};
