// The retailer a member last signed in to on this phone, so the installed app (which
// starts at plain /app) opens their card rather than the default retailer. Storage can throw
// (the join form framed on a retailer's site with third-party storage blocked): then nothing is kept.
const key = 'kartu.retailer';

export function rememberedRetailer(): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function rememberRetailer(slug: string | null) {
  try {
    if (slug) localStorage.setItem(key, slug);
    else localStorage.removeItem(key);
  } catch {
    // not kept
  }
}
