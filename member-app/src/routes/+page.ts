import { base } from '$app/paths';
import { api, problemMessage } from '$lib/api';
import { rememberedRetailer } from '$lib/retailer';
import { error, redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = async () => {
  const slug = rememberedRetailer();
  if (slug) redirect(307, `${base}/${encodeURIComponent(slug)}`);
  const { data, error: problem, response } = await api.GET('/api/v1/public/tenants/default');
  if (data) redirect(307, `${base}/${encodeURIComponent(data.slug)}`);
  if (response.status === 404) return {};
  error(response.status, problemMessage(problem, response));
};
