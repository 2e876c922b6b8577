import type { components } from '@kartu/api/client';
import { invalidateAll } from '$app/navigation';
import { api, problemMessage } from './api';
import { serverNow } from './card-store';

// The member's usable vouchers and the physical rewards waiting at the store, shared by the
// vouchers tab and the rewards tab (which reloads them after a redemption). The last answer is
// saved on the phone, so a member in a shop without signal can still show a voucher's code.

export type MemberVoucher = components['schemas']['MemberVoucher'];
export type Redemption = components['schemas']['RewardRedemption'];

interface Saved {
  memberId: string;
  vouchers: MemberVoucher[];
  pickups: Redemption[];
}

const empty = () => ({ vouchers: [] as MemberVoucher[], pickups: [] as Redemption[], loaded: false, offline: false, error: '' });

export const wallet = $state(empty());

const storageKey = (slug: string) => `kartu.vouchers.${slug}`;

function restore(slug: string, memberId: string) {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(slug)) ?? 'null') as Saved | null;
    if (saved?.memberId !== memberId) return;
    wallet.vouchers = saved.vouchers;
    wallet.pickups = saved.pickups;
    wallet.loaded = true;
  } catch {
    // nothing usable saved
  }
}

function save(slug: string, saved: Saved) {
  try {
    localStorage.setItem(storageKey(slug), JSON.stringify(saved));
  } catch {
    // Private mode or full storage: shown while the app is open.
  }
}

let shownFor = '';

export function forgetVouchers(slug: string) {
  Object.assign(wallet, empty());
  shownFor = '';
  try {
    localStorage.removeItem(storageKey(slug));
  } catch {
    // nothing saved
  }
}

/** Shows what this phone saved at once, then the server's answer; offline, the saved list stays with a notice. */
export async function loadVouchers(slug: string, memberId: string) {
  if (shownFor !== `${slug}/${memberId}`) {
    shownFor = `${slug}/${memberId}`;
    Object.assign(wallet, empty());
    restore(slug, memberId);
  }
  // The first page of redemptions (50, newest first) holds any physical reward still to collect in practice.
  const [vouchers, redemptions] = await Promise.all([api.GET('/api/v1/me/vouchers'), api.GET('/api/v1/me/reward-redemptions')]);
  if (vouchers.data && redemptions.data) {
    const pickups = redemptions.data.items.filter((r) => r.fulfilment === 'physical' && r.status === 'issued');
    Object.assign(wallet, { vouchers: vouchers.data.items, pickups, loaded: true, offline: false, error: '' });
    save(slug, { memberId, vouchers: vouchers.data.items, pickups });
    return;
  }
  const failed = vouchers.data ? redemptions : vouchers;
  if (failed.response.status === 401) {
    forgetVouchers(slug);
    await invalidateAll();
  } else if (wallet.loaded && failed.response.status === 503) {
    wallet.offline = true;
  } else {
    wallet.error = problemMessage(failed.error, failed.response);
  }
}

/** Saved vouchers whose last day passed while the phone was offline are not shown. */
export const usable = (vouchers: MemberVoucher[]) => vouchers.filter((v) => !v.expiresAt || Date.parse(v.expiresAt) >= serverNow());
