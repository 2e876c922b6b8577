import { formatPoints } from '@kartu/api/client';
import { i18n } from '$lib/i18n.svelte';
import { formatCompact, formatShare } from './filters';

// The program reports' figures in the reader's language: counts, shares from 0 to 1, chart axes.
export const number = (n: number) => formatPoints(n, i18n.locale);
export const share = (s: number) => formatShare(s, i18n.locale);
export const compact = (value: number) => formatCompact(value, i18n.locale);
