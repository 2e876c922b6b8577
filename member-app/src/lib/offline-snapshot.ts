import type { Member, Tenant } from './api';

// The retailer and the signed-in member as last loaded, kept on the phone so the app opened
// without data still shows the card, the last known balance and when it was last updated.
// Only the member's own data, and forgotten on sign-out or when the session has ended.

export interface Snapshot {
  tenant: Tenant;
  member: Member;
  /** When the API last answered (ISO). */
  savedAt: string;
}

const key = (slug: string) => `kartu.snapshot.${slug}`;

export function saveSnapshot(tenant: Tenant, member: Member) {
  try {
    localStorage.setItem(key(tenant.slug), JSON.stringify({ tenant, member, savedAt: new Date().toISOString() } satisfies Snapshot));
  } catch {
    // Private mode or a full storage: offline the app then asks to sign in.
  }
}

export function readSnapshot(slug: string): Snapshot | null {
  try {
    const snapshot = JSON.parse(localStorage.getItem(key(slug)) ?? 'null') as Snapshot | null;
    return snapshot?.tenant?.slug === slug && snapshot.member?.id && snapshot.savedAt ? snapshot : null;
  } catch {
    return null;
  }
}

export function forgetSnapshot(slug: string) {
  try {
    localStorage.removeItem(key(slug));
  } catch {
    // nothing stored
  }
}
