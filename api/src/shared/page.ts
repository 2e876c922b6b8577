/**
 * Keyset pages: repositories fetch `limit + 1` rows after the cursor; the extra row only says
 * whether there is a next page, whose cursor is the last id shown.
 */
export function pageOf<T extends { id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
}
