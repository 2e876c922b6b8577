import { recordAudit } from '../audit/audit.repository.ts';
import type { AppDeps, Db } from '../deps.ts';
import { lockForShowing, offersFor, showOffers } from '../offers/offers.service.ts';
import { normalisePhone } from '../members/phone.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { insertMessage } from '../outbox/outbox.repository.ts';
import { toMessageSettings } from './messages.mapper.ts';
import * as repo from './messages.repository.ts';
import type { TransportInput } from './messages.schema.ts';
import { GATEWAY_PLACEHOLDERS, renderMemberMessage, unknownPlaceholders, usesPlaceholder, type Locale } from './template.ts';
import { checkedAddresses, TargetRefused } from './targets.ts';
import { gatewayRequest, send, type Channel, type HttpSecret, type HttpSettings, type SmtpSecret, type SmtpSettings, type TransportConfig } from './transports.ts';

export type QueueResult = { queued: true; messageId: string } | { queued: false; reason: 'no_consent' | 'no_channel' | 'inactive_member' };

// ---- transports: sealed for one tenant and channel, so a blob copied to another row does not open ----

const sealContext = (tenantId: string, channel: Channel) => `message-transport|${tenantId}|${channel}`;

/** The transport of a channel with its secret opened; null when the channel has none. */
export async function loadTransport(db: Db, masterKey: Buffer, tenantId: string, channel: Channel): Promise<TransportConfig | null> {
  const row = await repo.findTransport(db, tenantId, channel);
  return row ? openTransport(masterKey, row) : null;
}

export function openTransport(masterKey: Buffer, row: repo.TransportRow): TransportConfig {
  const secret = JSON.parse(decryptSecret(masterKey, row.secret_enc, sealContext(row.tenant_id, row.channel)).toString('utf8'));
  return row.kind === 'smtp'
    ? { kind: 'smtp', settings: row.settings as unknown as SmtpSettings, secret: secret as SmtpSecret }
    : { kind: 'http', settings: row.settings as unknown as HttpSettings, secret: secret as HttpSecret };
}

export async function messageSettings(db: Db, principal: Principal) {
  const [channels, rows] = await Promise.all([repo.channelOrder(db, principal.tenantId), repo.findTransports(db, principal.tenantId)]);
  return toMessageSettings(channels, rows);
}

async function checkTarget(host: string, field: string, allowPrivate: boolean) {
  try {
    await checkedAddresses(host, allowPrivate);
  } catch (error) {
    if (error instanceof TargetRefused) throw invalidField(field, error.message);
    throw error;
  }
}

/** Checks a transport (kind for the channel, placeholders, target address) and what it would send. */
async function readTransport(input: TransportInput, channel: Channel, existing: TransportConfig | null, allowPrivate: boolean): Promise<TransportConfig> {
  if ((channel === 'email') !== (input.kind === 'smtp')) {
    throw invalidField('body.kind', channel === 'email' ? 'Email is sent by SMTP: kind must be smtp' : 'WhatsApp and SMS go through an HTTP gateway: kind must be http');
  }
  if (input.kind === 'smtp') {
    await checkTarget(input.host, 'body.host', allowPrivate);
    const kept = existing?.kind === 'smtp' ? existing.secret.password : null;
    const password = input.password !== undefined ? input.password || null : kept;
    if (input.user && !password) throw invalidField('body.password', 'A user needs a password');
    return { kind: 'smtp', settings: { host: input.host, port: input.port, security: input.security, user: input.user ?? null, from: input.from }, secret: { password } };
  }
  const names = input.headers.map((h) => h.name.toLowerCase());
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw invalidField(`body.headers.${twice}.name`, 'Each header at most once');
  const contentIndex = names.findIndex((n) => n === 'content-type' || n === 'content-length');
  if (contentIndex >= 0) throw invalidField(`body.headers.${contentIndex}.name`, 'Set the content type with contentType');
  const oldHeaders = existing?.kind === 'http' ? existing.secret.headers : {};
  const headers: Record<string, string> = {};
  input.headers.forEach((h, i) => {
    const value = h.value ?? Object.entries(oldHeaders).find(([name]) => name.toLowerCase() === h.name.toLowerCase())?.[1];
    if (value === undefined) throw invalidField(`body.headers.${i}.value`, 'A new header needs a value');
    headers[h.name] = value;
  });
  for (const [field, text] of [['body.url', input.url], ['body.bodyTemplate', input.bodyTemplate]] as const) {
    const unknown = unknownPlaceholders(text, GATEWAY_PLACEHOLDERS);
    if (unknown.length) throw invalidField(field, `Unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}; use ${GATEWAY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}`);
  }
  const settings: HttpSettings = { url: input.url, method: input.method, headerNames: input.headers.map((h) => h.name), bodyTemplate: input.bodyTemplate, contentType: input.contentType };
  const sample = gatewayRequest(settings, { id: newId(), channel, to: '+6281200000000', subject: 'Subjek "uji"', text: 'Baris satu\nBaris "dua" & {tiga}' });
  let url: URL;
  try {
    url = new URL(sample.url);
  } catch {
    throw invalidField('body.url', 'Not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidField('body.url', 'Must be an http or https URL');
  if (url.username || url.password) throw invalidField('body.url', 'Put credentials in a header, not in the URL');
  const type = input.contentType.split(';')[0]!.trim().toLowerCase();
  if (input.method !== 'GET' && (type === 'application/json' || type.endsWith('+json'))) {
    try {
      JSON.parse(sample.body);
    } catch {
      throw invalidField('body.bodyTemplate', 'Not valid JSON once filled in (put placeholders inside quotes: "{{text}}")');
    }
  }
  if (input.method !== 'GET' && !input.bodyTemplate.trim()) throw invalidField('body.bodyTemplate', 'Must not be empty');
  await checkTarget(url.hostname, 'body.url', allowPrivate);
  return { kind: 'http', settings, secret: { headers } };
}

/** Sets a channel's transport; secrets sealed, and the audit log gets only what GET shows. */
export async function saveTransport(db: Db, principal: Principal, config: AppDeps['config'], channel: Channel, input: TransportInput) {
  const existing = await loadTransport(db, config.secretKey, principal.tenantId, channel);
  const transport = await readTransport(input, channel, existing, config.allowPrivateTargets);
  return inTransaction(db, async (trx) => {
    await repo.upsertTransport(trx, {
      tenant_id: principal.tenantId, channel, kind: transport.kind, settings: transport.settings as unknown as Record<string, unknown>,
      secret_enc: encryptSecret(config.secretKey, Buffer.from(JSON.stringify(transport.secret)), sealContext(principal.tenantId, channel)),
    });
    await recordAudit(trx, principal, { action: `settings.messages.${channel}.updated`, targetType: 'tenant', targetId: principal.tenantId, details: { kind: transport.kind, ...transport.settings } });
    return messageSettings(trx, principal);
  });
}

/** Removing what is not there changes nothing and is not audited. Messages queued later stay 'unconfigured'. */
export async function removeTransport(db: Db, principal: Principal, channel: Channel) {
  return inTransaction(db, async (trx) => {
    if (await repo.deleteTransport(trx, principal.tenantId, channel)) {
      await recordAudit(trx, principal, { action: `settings.messages.${channel}.removed`, targetType: 'tenant', targetId: principal.tenantId });
    }
    return messageSettings(trx, principal);
  });
}

export async function setChannelOrder(db: Db, principal: Principal, channels: Channel[]) {
  return inTransaction(db, async (trx) => {
    await repo.setChannelOrder(trx, principal.tenantId, channels);
    await recordAudit(trx, principal, { action: 'settings.messages.channels.updated', targetType: 'tenant', targetId: principal.tenantId, details: { channels } });
    return messageSettings(trx, principal);
  });
}

/** Sends one message now through the stored transport (not through the outbox), and says how it went. */
export async function testSend(db: Db, principal: Principal, config: AppDeps['config'], channel: Channel, input: { to: string; text?: string }) {
  const tenant = await getTenant(db, principal.tenantId);
  const transport = await loadTransport(db, config.secretKey, principal.tenantId, channel);
  if (!transport) throw notFound(`A ${channel} transport`);
  let to = input.to;
  if (channel !== 'email') {
    const phone = normalisePhone(input.to);
    if (!phone) throw invalidField('body.to', 'Not a phone number');
    to = phone;
  } else if (!/^[^@\s]+@[^@\s]+$/.test(input.to)) {
    throw invalidField('body.to', 'Not an email address');
  }
  const text = input.text ?? (tenant.locale === 'en'
    ? `Test message from ${tenant.name} via Kartu. / Pesan uji dari ${tenant.name} lewat Kartu.`
    : `Pesan uji dari ${tenant.name} lewat Kartu. / Test message from ${tenant.name} via Kartu.`);
  try {
    await send(transport, { id: newId(), channel, to, subject: `${tenant.name}: pesan uji / test message`, text }, config.allowPrivateTargets);
    return { sent: true, error: null };
  } catch (error) {
    return { sent: false, error: errorText(error) };
  }
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

// ---- member messages ----

/** The language a member chose in the app: their messages are written in it from now on. */
export async function setMemberLanguage(db: Db, principal: Principal, language: Locale): Promise<void> {
  await repo.setMemberLanguage(db, principal.tenantId, principal.id, language);
}

const reachable = (member: { phone: string; email: string | null }, channel: Channel) => (channel === 'email' ? member.email : member.phone);

/**
 * Queues a message for a member, rendered in the member's language (the one chosen in the app, else
 * the retailer's) from a template with {{name}} {{points}} {{tier}} {{expiringPoints}}
 * {{expiryDate}} {{voucherCode}} {{offer}}. The channel is the first of the retailer's order that
 * has a transport and an address for the member; with no transport at all, the first the member
 * has an address for, queued 'unconfigured' (visible in the outbox, never pretending to be sent).
 * Marketing messages need the member's consent. {{offer}} is the member's best current offer: when
 * the message will be sent, that counts as a showing on the 'message' channel (frequency caps,
 * conversions, the offer's personal voucher), as the app and the till count theirs.
 */
export async function queueMemberMessage(trx: Db, m: {
  tenantId: string; memberId: string;
  purpose: string;
  marketing: boolean;
  text: { id: string; en: string };
  vars?: { voucherCode?: string };
}): Promise<QueueResult> {
  const member = await repo.memberForMessage(trx, m.tenantId, m.memberId);
  if (!member || member.status !== 'active') return { queued: false, reason: 'inactive_member' };
  if (m.marketing && !member.marketing_opt_in) return { queued: false, reason: 'no_consent' };
  const tenant = await getTenant(trx, m.tenantId);
  const order = (await repo.channelOrder(trx, m.tenantId)).filter((c) => reachable(member, c));
  if (!order.length) return { queued: false, reason: 'no_channel' };
  const configured = new Set((await repo.findTransports(trx, m.tenantId)).map((t) => t.channel));
  const channel = order.find((c) => configured.has(c)) ?? order[0]!;
  const status = configured.has(channel) ? 'pending' : 'unconfigured';
  const locale: Locale = member.language ?? tenant.locale;
  const template = m.text[locale];
  const now = new Date();
  const expiry = member.account_id ? await repo.soonestExpiry(trx, m.tenantId, member.account_id, now) : null;
  let offer: string | null = null;
  if (usesPlaceholder(template, 'offer')) {
    // Showings take the member's account lock first, like the till's and the app's (the cap holds under races).
    await lockForShowing(trx, m.tenantId, m.memberId);
    const [best] = await offersFor(trx, m.tenantId, m.memberId, [], now, 1);
    if (best) {
      const [shown] = status === 'pending'
        ? await showOffers(trx, tenant, m.memberId, [best], { channel: 'message' }, now)
        : [{ message: best.message as { id: string; en: string }, voucher: null }];
      offer = shown!.message[locale] + (shown!.voucher ? (locale === 'id' ? ` Kode voucher: ${shown!.voucher.code}` : ` Voucher code: ${shown!.voucher.code}`) : '');
    }
  }
  const body = renderMemberMessage(template, {
    name: member.name, points: Number(member.balance ?? 0), tier: member.tier_name, expiringPoints: expiry?.points ?? null,
    expiryDate: expiry?.date ?? null, voucherCode: m.vars?.voucherCode ?? null, offer,
  }, locale, tenant.time_zone);
  const id = newId();
  await insertMessage(trx, {
    tenant_id: m.tenantId, id, channel, recipient: reachable(member, channel)!, purpose: m.purpose, body, secret: null, status,
    member_id: m.memberId, subject: channel === 'email' ? tenant.name : null,
  });
  return { queued: true, messageId: id };
}

