import type { Result } from '$lib/api';

/**
 * A list read page by page from the API (`{items, nextCursor}`): `load()` empties it and reads the
 * first page (another member's list must not show meanwhile), `refresh()` reads the first page
 * again keeping what is shown until it comes, `more()` adds the next page. A failed page keeps
 * what was shown; `error` says why, in the API's words, for the view to phrase.
 */
export class PagedList<T> {
  items = $state<T[]>([]);
  nextCursor = $state<string | null>(null);
  loaded = $state(false);
  /** True from the start: the first page is about to be read. */
  loading = $state(true);
  error = $state('');

  constructor(private readonly fetchPage: (cursor?: string) => Promise<Result<{ items: T[]; nextCursor: string | null }>>) {}

  async load() {
    this.items = [];
    this.nextCursor = null;
    this.loaded = false;
    await this.read(undefined);
  }

  async refresh() {
    await this.read(undefined);
  }

  async more() {
    if (this.nextCursor && !this.loading) await this.read(this.nextCursor);
  }

  private async read(cursor: string | undefined) {
    this.loading = true;
    this.error = '';
    const { data, failure } = await this.fetchPage(cursor);
    this.loading = false;
    if (failure) {
      this.error = failure.message;
      return;
    }
    this.items = cursor ? [...this.items, ...data.items] : data.items;
    this.nextCursor = data.nextCursor;
    this.loaded = true;
  }
}
