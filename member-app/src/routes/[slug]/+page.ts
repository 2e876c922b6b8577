import { api, problemMessage, unreachable } from '$lib/api';
import { forgetMember } from '$lib/forget-member';
import { readSnapshot, saveSnapshot } from '$lib/offline-snapshot';
import { rememberRetailer, rememberedRetailer } from '$lib/retailer';
import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
  const [tenantResult, meResult] = await Promise.all([
    api.GET('/api/v1/public/tenants/{slug}', { params: { path: { slug: params.slug } } }),
    api.GET('/api/v1/me', { params: { query: { slug: params.slug } } }),
  ]);
  // No connection: the card, balance and retailer saved at the last answer, marked with its time.
  if (unreachable(tenantResult.response) || unreachable(meResult.response)) {
    const snapshot = readSnapshot(params.slug);
    if (snapshot) return { tenant: snapshot.tenant, member: snapshot.member, savedAt: snapshot.savedAt };
  }
  if (tenantResult.response.status === 404) {
    if (rememberedRetailer() === params.slug) rememberRetailer(null);
    forgetMember(params.slug);
    error(404, { message: 'Retailer not found', kind: 'tenant-not-found' });
  }
  if (!tenantResult.data) error(tenantResult.response.status, problemMessage(tenantResult.error, tenantResult.response));
  const tenant = tenantResult.data;
  if (meResult.response.status === 401) {
    forgetMember(tenant.slug);
    return { tenant, member: null, savedAt: null };
  }
  if (!meResult.data) error(meResult.response.status, problemMessage(meResult.error, meResult.response));
  rememberRetailer(tenant.slug);
  saveSnapshot(tenant, meResult.data);
  return { tenant, member: meResult.data, savedAt: null };
};
