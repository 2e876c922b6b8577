// What bench:scale asks: the portal member page's GET calls (portal/src/routes/(app)/members/[id]
// and portal/src/lib/members), and name prefixes as someone at the till types them.

export function memberPageCalls(id: string): [string, string][] {
  const m = `/api/v1/members/${id}`;
  return [
    ['member', m], ['tier', `${m}/tier`], ['stores', '/api/v1/stores'], ['profile (RFM)', `${m}/profile`],
    ['points (ledger)', `${m}/points`], ['points lots', `${m}/points/lots`], ['sales', `/api/v1/transactions?memberId=${id}`],
    ['vouchers', `${m}/vouchers`], ['segments', `${m}/segments`], ['feedback', `${m}/feedback`], ['messages', `${m}/messages`],
    ['audit', `${m}/audit`], ['cards', `${m}/cards`], ['offers', `${m}/offers`], ['stages', `${m}/stages`],
    ['referred by', `${m}/referrals`], ['referrals made', `/api/v1/referrals?referrerId=${id}`], ['reward redemptions', `${m}/reward-redemptions`],
  ];
}

/**
 * One word: 3–6 letters of one of the member's names (any word: the search matches word starts).
 * Two words: the first name and 2–4 letters of the next. `expect` is the member's id, found on the
 * first page only when the prefix is rare enough; the bench reports how often.
 */
export function nameQueries(picks: { id: string; name: string }[]) {
  const oneWord: { q: string; expect: string }[] = [];
  const twoWords: { q: string; expect: string }[] = [];
  picks.forEach((p, i) => {
    const words = p.name.split(' ');
    const word = words[i % words.length];
    oneWord.push({ q: word.slice(0, 3 + (i % 4)).toLowerCase(), expect: p.id });
    twoWords.push({ q: `${words[0]} ${words[1].slice(0, 2 + (i % 3))}`, expect: p.id });
  });
  return { oneWord, twoWords };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
