import { api, problemMessage } from '$lib/api';
import { rememberRetailer, rememberedRetailer } from '$lib/retailer';
import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
  const [tenantResult, meResult] = await Promise.all([
    api.GET('/api/v1/public/tenants/{slug}', { params: { path: { slug: params.slug } } }),
    api.GET('/api/v1/me', { params: { query: { slug: params.slug } } }),
  ]);
  if (tenantResult.response.status === 404) {
    if (rememberedRetailer() === params.slug) rememberRetailer(null);
    error(404, { message: 'Retailer not found', kind: 'tenant-not-found' });
  }
  if (!tenantResult.data) error(tenantResult.response.status, problemMessage(tenantResult.error, tenantResult.response));
  const tenant = tenantResult.data;
  if (meResult.response.status === 401) return { tenant, member: null };
  if (!meResult.data) error(meResult.response.status, problemMessage(meResult.error, meResult.response));
  rememberRetailer(tenant.slug);
  return { tenant, member: meResult.data };
};
