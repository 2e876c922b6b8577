import { error } from '@sveltejs/kit';
import { t } from '$lib/i18n.svelte';
import { can } from '$lib/permissions';
import type { PageLoad } from './$types';

// The page file is +page@(app).svelte: it skips the programs layout, whose programs.manage check
// would turn cashiers away, and needs members.read like the look-up call itself.
export const load: PageLoad = async ({ parent }) => {
  const { staff } = await parent();
  if (!can(staff.role, 'members.read')) error(403, t('error.forbidden'));
};
