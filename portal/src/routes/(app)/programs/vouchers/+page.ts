import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import type { PageLoad } from './$types';

/** The vouchers section opens on its batches. */
export const load: PageLoad = () => redirect(307, resolve('/programs/vouchers/batches'));
