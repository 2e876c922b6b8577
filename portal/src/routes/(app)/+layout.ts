import { error, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { api, call } from '$lib/api';
import type { LayoutLoad } from './$types';

/** Every staff page needs the signed-in staff member and the tenant (currency, time zone). */
export const load: LayoutLoad = async () => {
  const { data, failure } = await call(api.GET('/api/v1/auth/me'), { signInOn401: false });
  if (failure?.status === 401) redirect(307, resolve('/login'));
  if (failure) error(failure.status || 503, failure.message);
  // A temporary password (an invitation or a reset) is replaced before anything else.
  if (data.staff.mustChangePassword) redirect(307, resolve('/change-password'));
  return data;
};
