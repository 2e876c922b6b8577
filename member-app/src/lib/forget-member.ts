import { forgetCard } from './card-store';
import { forgetVouchers } from './member-vouchers.svelte';
import { forgetSnapshot } from './offline-snapshot';

/** Everything of the member this phone saved for offline use (card secret, balance, vouchers): on sign-out or an ended session. */
export function forgetMember(slug: string) {
  forgetCard(slug);
  forgetVouchers(slug);
  forgetSnapshot(slug);
}
