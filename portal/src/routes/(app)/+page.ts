import { redirect } from '@sveltejs/kit';
import { landingPath } from '$lib/landing';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { staff } = await parent();
  redirect(307, landingPath(staff.role));
};
