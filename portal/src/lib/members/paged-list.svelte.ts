import { t } from '$lib/i18n.svelte';
import type { Result } from '$lib/api';

/**
 * One list of the member page, read page by page from the API (`{items, nextCursor}`): the first
 * page on `load()`, the next ones on `more()`. A failed page keeps what was shown and says why.
 */
export class PagedList<T> {
  items = $state<T[]>([]);
  nextCursor = $state<string | null>(null);
  loaded = $state(false);
  loading = $state(false);
  error = $state('');

  constructor(private readonly fetchPage: (cursor?: string) => Promise<Result<{ items: T[]; nextCursor: string | null }>>) {}

  async load() {
    this.items = [];
    this.nextCursor = null;
    this.loaded = false;
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
      this.error = t('common.loadFailed', { message: failure.message });
      return;
    }
    this.items = cursor ? [...this.items, ...data.items] : data.items;
    this.nextCursor = data.nextCursor;
    this.loaded = true;
  }
}
