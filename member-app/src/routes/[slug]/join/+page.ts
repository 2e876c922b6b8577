import { api, problemMessage } from '$lib/api';
import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

/** A campaign tag as the API takes it; anything else is dropped rather than refused at the end of the form. */
const TAG = /^[A-Za-z0-9_-]{1,64}$/;

export const load: PageLoad = async ({ params, url }) => {
  const referral = url.searchParams.get('ref')?.trim().slice(0, 40) || null;
  const tag = url.searchParams.get('tag')?.trim() ?? '';
  const [tenantResult, formResult, meResult] = await Promise.all([
    api.GET('/api/v1/public/tenants/{slug}', { params: { path: { slug: params.slug } } }),
    api.GET('/api/v1/public/tenants/{slug}/signup-form', {
      params: { path: { slug: params.slug }, query: { ref: referral ?? undefined } },
    }),
    // A member already signed in here gets a note with the way to the card instead of the form.
    api.GET('/api/v1/me', { params: { query: { slug: params.slug } } }),
  ]);
  if (tenantResult.response.status === 404) error(404, { message: 'Retailer not found', kind: 'tenant-not-found' });
  if (!tenantResult.data) error(tenantResult.response.status, problemMessage(tenantResult.error, tenantResult.response));
  if (!formResult.data) error(formResult.response.status, problemMessage(formResult.error, formResult.response));
  return {
    tenant: tenantResult.data,
    form: formResult.data,
    referral,
    tag: TAG.test(tag) ? tag : null,
    embed: url.searchParams.get('embed') === '1',
    member: meResult.data ?? null,
  };
};
