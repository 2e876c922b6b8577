// The retailer a member last signed in to on this phone, so the installed app (which
// starts at plain /app) opens their card rather than the default retailer.
const key = 'kartu.retailer';

export function rememberedRetailer(): string | null {
  return localStorage.getItem(key);
}

export function rememberRetailer(slug: string | null) {
  if (slug) localStorage.setItem(key, slug);
  else localStorage.removeItem(key);
}
