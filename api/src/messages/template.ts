// Message templates: plain functions over plain data (unit-tested alone). A template is a text in
// Bahasa Indonesia and one in English with {{placeholders}}; the member's language picks one.
import '../http/zod-openapi.ts';
import { z } from 'zod';
import { DomainError, type FieldError } from '../shared/errors.ts';

export type Locale = 'id' | 'en';

/** What a member message may say. */
export const MEMBER_PLACEHOLDERS = ['name', 'points', 'tier', 'expiringPoints', 'expiryDate', 'voucherCode', 'offer'] as const;
export type MemberPlaceholder = (typeof MEMBER_PLACEHOLDERS)[number];

/** What an HTTP gateway's URL and body template may contain. */
export const GATEWAY_PLACEHOLDERS = ['to', 'text', 'channel', 'subject', 'id'] as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders a template uses that are not among `allowed`, in order of appearance, once each. */
export function unknownPlaceholders(template: string, allowed: readonly string[]): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) if (!allowed.includes(match[1]!)) unknown.add(match[1]!);
  return [...unknown];
}

export const usesPlaceholder = (template: string, name: string) => [...template.matchAll(PLACEHOLDER)].some((m) => m[1] === name);

/** Replaces each known {{placeholder}} with `encode(value)`; unknown ones stay as written. */
export function fillPlaceholders(template: string, values: Record<string, string>, encode: (value: string) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? encode(values[name]!) : whole));
}

const unknownMessage = (unknown: string[], allowed: readonly string[]) =>
  `Unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u}}}`).join(', ')}; use ${allowed.map((a) => `{{${a}}}`).join(' ')}`;

/** The field errors of a message text ({id, en}) under `path`, e.g. 'body.text'. */
export function templateErrors(path: string, text: { id: string; en: string }): FieldError[] {
  const errors: FieldError[] = [];
  for (const lang of ['id', 'en'] as const) {
    const unknown = unknownPlaceholders(text[lang], MEMBER_PLACEHOLDERS);
    if (unknown.length) errors.push({ path: `${path}.${lang}`, message: unknownMessage(unknown, MEMBER_PLACEHOLDERS) });
  }
  return errors;
}

/** Throws a 4xx (validation) naming the field when a template uses an unknown placeholder. */
export function checkMessageText(path: string, text: { id: string; en: string }): void {
  const errors = templateErrors(path, text);
  if (errors.length) throw new DomainError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {}, errors);
}

const TemplateText = (max: number) =>
  z.string().trim().min(1, 'Must not be empty').max(max, `At most ${max} characters`).superRefine((text, ctx) => {
    const unknown = unknownPlaceholders(text, MEMBER_PLACEHOLDERS);
    if (unknown.length) ctx.addIssue({ code: 'custom', message: unknownMessage(unknown, MEMBER_PLACEHOLDERS) });
  });

/**
 * A member message template for request bodies: unknown placeholders are refused by the parser,
 * so the 400 names the field (e.g. `body.message.en`).
 */
export const MessageTextSchema = z
  .strictObject({ id: TemplateText(1000), en: TemplateText(1000) })
  .meta({
    id: 'MessageText',
    description: `A message in Bahasa Indonesia (id) and English (en); the member's language picks one. Placeholders: ${MEMBER_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}`,
  });

export interface MemberMessageValues {
  name: string;
  points: number;
  tier: string;
  /** Points that expire on expiryDate (the member's soonest expiry), or null when none expire. */
  expiringPoints: number | null;
  expiryDate: Date | null;
  voucherCode: string | null;
  /** The member's best current offer, already in the member's language; null when none. */
  offer: string | null;
}

/** Points and counts as Indonesians write them (1.250), in both languages. */
export const formatNumber = (n: number) => new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 }).format(n);

/** Rp 150.000 (from minor units, IDR exponent 2). */
export const formatRupiah = (minor: number) =>
  `Rp ${new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 }).format(Math.floor(minor / 100))}`;

/** 31 Desember 2026 / 31 December 2026, the day in the tenant's time zone. */
export const formatDate = (date: Date, locale: Locale, timeZone: string) =>
  new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(date);

/** Renders a member message in one language: amounts and dates formatted for Indonesia. */
export function renderMemberMessage(template: string, values: MemberMessageValues, locale: Locale, timeZone: string): string {
  const filled: Record<MemberPlaceholder, string> = {
    name: values.name,
    points: formatNumber(values.points),
    tier: values.tier,
    expiringPoints: formatNumber(values.expiringPoints ?? 0),
    expiryDate: values.expiryDate ? formatDate(values.expiryDate, locale, timeZone) : '-',
    voucherCode: values.voucherCode ?? '',
    offer: values.offer ?? '',
  };
  return fillPlaceholders(template, filled)
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** How a value goes into a gateway body of this content type. */
export function encoderFor(contentType: string): (value: string) => string {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return (v) => JSON.stringify(v).slice(1, -1);
  if (type === 'application/x-www-form-urlencoded') return (v) => encodeURIComponent(v);
  return (v) => v;
}
