// Settings shared by seed:scale and bench:scale (the bench signs in as the seeded owner).
export const SCALE_DEFAULTS = (env: NodeJS.ProcessEnv) => {
  const slug = env.SCALE_SLUG ?? 'scale';
  return {
    members: positive(env.SCALE_MEMBERS, 1_000_000, 'SCALE_MEMBERS'),
    entries: positive(env.SCALE_ENTRIES, 10_000_000, 'SCALE_ENTRIES'),
    slug,
    ownerEmail: env.SCALE_OWNER_EMAIL ?? `owner@${slug}.scale.kartu`,
    password: env.SCALE_PASSWORD ?? 'kartu-scale-owner',
    // The server must run with the key the seed sealed the card key with.
    secretKey: env.KARTU_SECRET_KEY ?? 'kartu-scale-bench-secret-not-for-production',
  };
};

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not "${value}"`);
  return n;
}
