import type { Result } from '$lib/api';
import { PagedList } from '$lib/paged-list.svelte';

/** A member tab's paged list, read afresh (emptied first) whenever the page shows another member. */
export function pagedForMember<T>(
  memberId: () => string,
  fetchPage: (id: string, cursor?: string) => Promise<Result<{ items: T[]; nextCursor: string | null }>>,
): PagedList<T> {
  const list = new PagedList<T>((cursor) => fetchPage(memberId(), cursor));
  $effect(() => {
    void memberId();
    void list.load();
  });
  return list;
}
