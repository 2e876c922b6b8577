import { page } from '$app/state';
import type { Result } from '$lib/api';
import { t } from '$lib/i18n.svelte';
import { readFilters, writeFilters, type ReportFilters } from './filters';

/** A report for a period: the API's answer says which period it covers (`null`: all time). */
export type PeriodReport = { from: string | null; to: string | null };

/**
 * One program report's state: the filters (read from and written to the page's address), the
 * report last read, and what to show while it loads or when it failed. The period the API
 * resolved (its defaults for empty dates) goes back into the filters.
 */
export class ReportLoader<R extends PeriodReport> {
  filters = $state<ReportFilters>(readFilters(page.url));
  report = $state<R | null>(null);
  loading = $state(true);
  error = $state('');
  announcement = $state('');

  constructor(
    private readonly fetchReport: (filters: ReportFilters) => Promise<Result<R>>,
    private readonly withBucket = false,
  ) {}

  async load() {
    this.loading = true;
    this.error = '';
    const { data, failure } = await this.fetchReport(this.filters);
    this.loading = false;
    if (failure) {
      this.error = failure.message;
      return;
    }
    this.report = data;
    this.filters.from = data.from ?? '';
    this.filters.to = data.to ?? '';
  }

  async apply() {
    writeFilters(page.url, this.filters, this.withBucket);
    await this.load();
    if (!this.error) this.announcement = t('reports.updated');
  }
}
