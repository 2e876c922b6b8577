import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { staff } = await parent();
  redirect(307, staff.role === 'cashier' ? resolve('/till') : resolve('/members'));
};
